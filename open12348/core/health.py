"""What /healthz reports: the database answers, no migration is pending."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


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


def report() -> dict:
    reachable = database_reachable()
    pending = pending_migrations() if reachable else []
    return {
        "status": "ok" if reachable and not pending else "error",
        "version": settings.VERSION,
        "database": {"vendor": connection.vendor, "reachable": reachable},
        "migrations": {"pending": pending},
    }
