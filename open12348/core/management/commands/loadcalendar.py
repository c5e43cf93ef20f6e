from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.core import workdays


class Command(BaseCommand):
    help = _("载入 chinese-calendar 已知年份的节假日与调休（幂等；已发布年份保留管理员的修改）")

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help=_("重新导入已发布的年份"))

    def handle(self, *args, replace=False, **options):
        result = workdays.calendar_load(replace=replace)
        loaded = ", ".join(map(str, result["loaded"])) or _("无")
        self.stdout.write(
            _("已载入年度：{loaded}；保留已发布年度 {kept_count} 个。").format(
                loaded=loaded, kept_count=len(result["kept"])
            )
        )
