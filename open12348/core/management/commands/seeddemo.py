from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from open12348.core.demo.loader import PASSWORD_ENV, demo_password, seed_demo


class Command(BaseCommand):
    help = (
        "载入演示数据：苏州市—太仓市—镇（街道）—村（社区）区划树、公共法律服务中心/工作站/工作室、"
        f"窗口和演示账户（密码取环境变量 {PASSWORD_ENV}）。可重复运行：已有的数据和账户保持不变。"
    )

    def handle(self, *args, **options):
        password, is_default = demo_password()
        try:
            summary = seed_demo(password=password)
        except ValidationError as error:
            raise CommandError("演示数据未载入：" + "；".join(error.messages)) from None
        reference = summary.reference
        self.stdout.write(
            f"基础数据：服务事项 {reference['service_items']['total']} 项，"
            f"法律类别 {reference['legal_categories']['total']} 个。"
        )
        self.stdout.write(
            f"新增行政区域 {summary.created('orgs')} 个、站点 {summary.created('sites')} 个、"
            f"窗口 {summary.created('windows')} 个；站点联系人共 {summary.after['contacts']} 人。"
        )
        if summary.accounts_created:
            self.stdout.write(f"新建演示账户：{'、'.join(summary.accounts_created)}。")
        if summary.accounts_kept:
            self.stdout.write(f"已存在、未改动的账户（密码不变）：{'、'.join(summary.accounts_kept)}。")
        self.stdout.write(f"写入审计事件 {summary.created('events')} 条。")
        if summary.accounts_created and is_default:
            self.stdout.write(
                self.style.WARNING(
                    f"新建账户使用默认演示密码：{password}（可用环境变量 {PASSWORD_ENV} 指定），切勿用于生产环境。"
                )
            )
        self.stdout.write(self.style.SUCCESS("演示数据载入完成。"))
