"""Create the B0 data set (under bench.settings only) and print what it is as one JSON line.

N items, generated from a seed (same seed, same rows), inserted in batches in one
transaction; skipped when the tables already hold that data set. The create table is
emptied on every call."""

import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from bench.floor.models import DatasetInfo, Entry, Item

BATCH = 5000
TOPICS = ["婚姻家庭", "劳动争议", "借贷纠纷", "交通事故", "房产物业", "消费维权", "继承", "相邻关系"]


class Command(BaseCommand):
    help = "Generate the B0 point-read table deterministically (bench.settings only)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=12348)
        parser.add_argument("--body-bytes", type=int, default=1024)

    def handle(self, *, rows, seed, body_bytes, **options):
        if settings.ROOT_URLCONF != "bench.floor.urls":
            raise SystemExit("benchseed runs under bench.settings only")
        wanted = f"rows={rows};seed={seed};body={body_bytes};v=1"
        info = DatasetInfo.objects.filter(key="items").first()
        started = time.perf_counter()
        generated = False
        if info is None or info.value != wanted or Item.objects.count() != rows:
            self._generate(rows, seed, body_bytes)
            DatasetInfo.objects.update_or_create(key="items", defaults={"value": wanted})
            generated = True
        Entry.objects.all().delete()
        self.stdout.write(
            json.dumps(
                {
                    "dataset": wanted,
                    "generated": generated,
                    "seconds": round(time.perf_counter() - started, 2),
                    "database": _database(),
                    "settings": {
                        "DEBUG": settings.DEBUG,
                        "CONN_MAX_AGE": settings.DATABASES["default"]["CONN_MAX_AGE"],
                        "CONN_HEALTH_CHECKS": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
                        "OPTIONS": {k: str(v) for k, v in settings.DATABASES["default"].get("OPTIONS", {}).items()},
                        "MIDDLEWARE": settings.MIDDLEWARE,
                    },
                },
                ensure_ascii=False,
            )
        )

    def _generate(self, rows: int, seed: int, body_bytes: int) -> None:
        rng = random.Random(seed)
        epoch = datetime(2026, 1, 1, tzinfo=UTC)
        with transaction.atomic():
            Item.objects.all().delete()
            batch = []
            for pk in range(1, rows + 1):
                batch.append(
                    Item(
                        id=pk,
                        code=f"B0-{pk:09d}",
                        title=f"{rng.choice(TOPICS)}咨询 {rng.randrange(10**6):06d}",
                        body=rng.randbytes(body_bytes // 2).hex(),
                        created_at=epoch + timedelta(seconds=pk),
                    )
                )
                if len(batch) == BATCH:
                    Item.objects.bulk_create(batch)
                    batch = []
            if batch:
                Item.objects.bulk_create(batch)


def _database() -> dict:
    vendor = connection.vendor
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal_mode = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0])
        return {
            "vendor": vendor,
            "version": sqlite3.sqlite_version,
            "name": str(connection.settings_dict["NAME"]),
            "journal_mode": journal_mode,
            "synchronous": synchronous,
        }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), "
            "current_setting('full_page_writes')"
        )
        version, fsync, synchronous_commit, full_page_writes = cursor.fetchone()
    return {
        "vendor": vendor,
        "version": version,
        "fsync": fsync,
        "synchronous_commit": synchronous_commit,
        "full_page_writes": full_page_writes,
    }
