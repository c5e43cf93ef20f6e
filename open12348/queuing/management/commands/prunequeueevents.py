from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.queuing.tasks import prune_queue_events


class Command(BaseCommand):
    help = _("删除两天前的大厅叫号事件（显示屏断线重连只需最近的事件；供没有后台任务进程的部署定时运行）")

    def handle(self, *args, **options):
        deleted = prune_queue_events()
        self.stdout.write(_("已删除 {deleted} 条过期叫号事件。").format(deleted=deleted))
