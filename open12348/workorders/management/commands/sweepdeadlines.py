from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.workorders.tasks import deadline_sweep


class Command(BaseCommand):
    help = _("发送工单到期提醒与超期督办（每条只发一次；供没有后台任务进程的部署定时运行）")

    def handle(self, *args, **options):
        sent = deadline_sweep()
        self.stdout.write(
            _("到期提醒 {reminders} 条，超期督办 {escalations} 条。").format(
                reminders=sent["reminders"], escalations=sent["escalations"]
            )
        )
