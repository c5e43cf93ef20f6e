from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, deploy=True)
def durable_database(app_configs, **kwargs):
    """R05: an acknowledged write must survive a power cut."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "").replace(" ", "").lower()
    if "synchronous=full" not in init or "journal_mode=wal" not in init:
        return [Error("SQLite 须使用 WAL 与 synchronous=FULL，否则断电可能丢失已确认的数据。", id="open12348.E010")]
    return []
