from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from open12348.audit.models import Event
from open12348.audit.selectors import chain_first_break


class Command(BaseCommand):
    help = _("校验审计链：任何事件被改动、删除或插入时以非零状态退出并指出第一个断点。")

    def handle(self, *args, **options):
        broken = chain_first_break()
        if broken:
            seq, reason = broken
            raise CommandError(_("审计链在第 {seq} 号事件处断开：{reason}").format(seq=seq, reason=reason))
        self.stdout.write(_("审计链完整：共 {count} 个事件。").format(count=Event.objects.count()))
