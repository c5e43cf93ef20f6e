from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.accounts.services import roles_sync


class Command(BaseCommand):
    help = _("按 roles.py 同步角色：每个角色一个权限组，权限与代码完全一致（可重复运行）。")

    def handle(self, *args, **options):
        synced, removed = roles_sync()
        self.stdout.write(
            _("已同步 {synced} 个角色").format(synced=synced)
            + (_("，删除 {removed}").format(removed=removed) if removed else "")
            + "。"
        )
