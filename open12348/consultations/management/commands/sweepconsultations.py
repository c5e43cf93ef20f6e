from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.consultations.tasks import consultations_sweep


class Command(BaseCommand):
    help = _(
        "在线咨询超过承诺答复时间仍未解答的：派给值班志愿者，再报负责人（每步只做一次；供没有后台任务进程的部署定时运行）"
    )

    def handle(self, *args, **options):
        done = consultations_sweep()
        self.stdout.write(
            _("升级至值班 {escalated} 条，派单 {dispatches} 次，报负责人 {directors} 条。").format(
                escalated=done["escalated"], dispatches=done["dispatches"], directors=done["directors"]
            )
        )
