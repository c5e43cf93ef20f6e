from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from open12348.catalog.services import reference_data_load


class Command(BaseCommand):
    help = _("载入基础数据：公共法律服务基本项目清单和法律类别（按代码更新，可重复运行）。")

    def handle(self, *args, **options):
        counts = reference_data_load()
        items, categories = counts["service_items"], counts["legal_categories"]
        self.stdout.write(
            _("服务事项 {total} 项：新增 {created}，更新 {updated}，未变 {unchanged}。").format(
                total=items["total"], created=items["created"], updated=items["updated"], unchanged=items["unchanged"]
            )
        )
        self.stdout.write(
            _(
                "法律类别 {total} 个（顶层 {legal_categories_top} 个）：新增 {created}，更新 {updated}，未变 {unchanged}。"
            ).format(
                total=categories["total"],
                legal_categories_top=counts["legal_categories_top"],
                created=categories["created"],
                updated=categories["updated"],
                unchanged=categories["unchanged"],
            )
        )
        self.stdout.write(self.style.SUCCESS(_("基础数据载入完成。")))
