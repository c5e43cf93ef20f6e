"""Settings for the benchmarks: the product's settings (config.settings) plus the bench app,
its own URLconf and its own database, so bench views never ship in the product's URLs and a
benchmark never touches the product's data.

The database is BENCH_DATABASE_URL, default SQLite var/bench/b0.sqlite3 (with the product's
SQLite options). DEBUG is always off: a benchmark measures the production configuration."""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent

os.environ["DEBUG"] = "false"
os.environ["DATABASE_URL"] = (
    os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{_ROOT / 'var' / 'bench' / 'b0.sqlite3'}"
)
# Throwaway keys unless the environment (or .env) has real ones: the bench stores no personal data.
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("PII_KEYS", "bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
os.environ.setdefault("PII_HASH_KEY", "bench-only-hash-key")
os.environ.setdefault("AUDIT_HMAC_KEY", "bench-only-audit-key")

from config.settings import *  # noqa: E402, F403
from config.settings import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "bench.floor.apps.FloorConfig"]
ROOT_URLCONF = "bench.floor.urls"
# WhiteNoise scans STATIC_ROOT at start-up; the bench serves no static files, so an empty one.
STATIC_ROOT = _ROOT / "var" / "bench" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
