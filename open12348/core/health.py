"""What /healthz reports: the database answers, no migration is pending, and which of
this year and next have no working-day calendar (a warning: those count plain weekdays)."""

import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except DatabaseError:
        return False


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def calendar_missing_years(today: datetime.date | None = None) -> list[int]:
    from open12348.core import workdays

    year = (today or timezone.localdate()).year
    try:
        return workdays.missing_years([year, year + 1])
    except DatabaseError:
        return [year, year + 1]


def report() -> dict:
    reachable = database_reachable()
    pending = pending_migrations() if reachable else []
    return {
        "status": "ok" if reachable and not pending else "error",
        "version": settings.VERSION,
        "database": {"vendor": connection.vendor, "reachable": reachable},
        "migrations": {"pending": pending},
        "calendar": {"missing_years": calendar_missing_years() if reachable and not pending else []},
    }
