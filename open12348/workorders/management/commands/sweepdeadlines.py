from django.core.management.base import BaseCommand

from open12348.workorders.tasks import deadline_sweep


class Command(BaseCommand):
    help = "发送工单到期提醒与超期督办（每条只发一次；供没有后台任务进程的部署定时运行）"

    def handle(self, *args, **options):
        sent = deadline_sweep()
        self.stdout.write(f"到期提醒 {sent['reminders']} 条，超期督办 {sent['escalations']} 条。")
