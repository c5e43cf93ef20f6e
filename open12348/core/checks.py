from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.translation import gettext as _


@register(Tags.database, deploy=True)
def durable_database(app_configs, **kwargs):
    """R05: an acknowledged write must survive a power cut."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "").replace(" ", "").lower()
    if "synchronous=full" not in init or "journal_mode=wal" not in init:
        return [Error(_("SQLite 须使用 WAL 与 synchronous=FULL，否则断电可能丢失已确认的数据。"), id="open12348.E010")]
    return []


@register(Tags.security, deploy=True)
def uploads_are_scanned(app_configs, **kwargs):
    """C32: the "eicar" stand-in recognises only the test file; production scans with clamd."""
    if settings.MALWARE_SCANNER == "clamd":
        return []
    return [
        Warning(
            _("上传文件未经病毒扫描引擎检查：生产环境请安装 clamav-daemon 并设置 MALWARE_SCANNER=clamd。"),
            id="open12348.W020",
        )
    ]
