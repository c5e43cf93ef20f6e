from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from open12348.core.demo.loader import PASSWORD_ENV, demo_password, seed_demo


class Command(BaseCommand):
    # Evaluated when the command is loaded (after setup): argparse needs a real str, not a lazy one.
    help = _(
        "载入演示数据：苏州市—太仓市—镇（街道）—村（社区）区划树、公共法律服务中心/工作站/工作室、"
        "窗口和演示账户（密码取环境变量 {password_env}）。可重复运行：已有的数据和账户保持不变。"
    ).format(password_env=PASSWORD_ENV)

    def handle(self, *args, **options):
        password, is_default = demo_password()
        try:
            summary = seed_demo(password=password)
        except ValidationError as error:
            raise CommandError(_("演示数据未载入：") + "；".join(error.messages)) from None
        reference = summary.reference
        self.stdout.write(
            _("基础数据：服务事项 {service_items_total} 项，法律类别 {legal_categories_total} 个。").format(
                service_items_total=reference["service_items"]["total"],
                legal_categories_total=reference["legal_categories"]["total"],
            )
        )
        self.stdout.write(
            _("新增行政区域 {orgs} 个、站点 {sites} 个、窗口 {windows} 个；站点联系人共 {contacts} 人。").format(
                orgs=summary.created("orgs"),
                sites=summary.created("sites"),
                windows=summary.created("windows"),
                contacts=summary.after["contacts"],
            )
        )
        self.stdout.write(
            _("大厅：新增取号业务 {queue_services} 个、设备 {devices} 台（设备页面地址见管理后台“大厅设备”）。").format(
                queue_services=summary.created("queue_services"), devices=summary.created("devices")
            )
        )
        if summary.accounts_created:
            self.stdout.write(
                _("新建演示账户：{accounts_created}。").format(accounts_created="、".join(summary.accounts_created))
            )
        if summary.accounts_kept:
            self.stdout.write(
                _("已存在、未改动的账户（密码不变）：{accounts_kept}。").format(
                    accounts_kept="、".join(summary.accounts_kept)
                )
            )
        self.stdout.write(_("写入审计事件 {events} 条。").format(events=summary.created("events")))
        if summary.accounts_created and is_default:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "新建账户使用默认演示密码：{password}（可用环境变量 {password_env} 指定），切勿用于生产环境。"
                    ).format(password=password, password_env=PASSWORD_ENV)
                )
            )
        self.stdout.write(self.style.SUCCESS(_("演示数据载入完成。")))
