from django.core.management.base import BaseCommand

from open12348.catalog.services import reference_data_load


class Command(BaseCommand):
    help = "载入基础数据：公共法律服务基本项目清单和法律类别（按代码更新，可重复运行）。"

    def handle(self, *args, **options):
        counts = reference_data_load()
        items, categories = counts["service_items"], counts["legal_categories"]
        self.stdout.write(
            f"服务事项 {items['total']} 项：新增 {items['created']}，更新 {items['updated']}，"
            f"未变 {items['unchanged']}。"
        )
        self.stdout.write(
            f"法律类别 {categories['total']} 个（顶层 {counts['legal_categories_top']} 个）：新增 {categories['created']}，"
            f"更新 {categories['updated']}，未变 {categories['unchanged']}。"
        )
        self.stdout.write(self.style.SUCCESS("基础数据载入完成。"))
