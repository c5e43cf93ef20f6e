"""config/settings.py boots from the environment alone, refuses unsafe production
configurations, and turns DATABASE_URL / REDIS_URL into the right backends.

Each test runs a fresh interpreter (settings are read once per process) with an environment
built from scratch, so nothing of the test runner's environment leaks in. settings.py also
reads `.env` from the repository root for variables that are not set; a developer who ran
`make run` has one, so the child process sets OPEN12348_DOTENV=0."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

DUMP = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "dev_secret_key": settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY,
    "PII_KEYS": settings.PII_KEYS,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "CONN_MAX_AGE": db["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": db["CONN_HEALTH_CHECKS"],
    "OPTIONS": db.get("OPTIONS", {}),
    "CACHE": settings.CACHES["default"],
    "SESSION_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
    "CSRF_COOKIE_NAME": settings.CSRF_COOKIE_NAME,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_CSP": {k: [str(v) for v in vs] for k, vs in settings.SECURE_CSP.items()},
    "MIDDLEWARE": settings.MIDDLEWARE,
}))
"""

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "boot-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "PII_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "PII_HASH_KEY": "boot-test-hash-key",
    "AUDIT_HMAC_KEY": "boot-test-audit-key",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "OPEN12348_DOTENV": "0", **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
        check=False,
    )


def boot(env: dict[str, str]) -> dict:
    """django.setup() in a child process; returns the settings it ended up with."""
    result = run_python("import django\ndjango.setup()\n" + DUMP, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'x.sqlite3'}"


def test_settings_boot_with_an_empty_environment_in_debug_with_development_keys():
    booted = boot({})

    assert booted["DEBUG"] is True
    assert booted["dev_secret_key"] is True
    assert booted["PII_KEYS"].startswith("dev:")
    assert booted["ENGINE"] == "django.db.backends.sqlite3"
    assert booted["NAME"] == str(REPO / "var" / "db.sqlite3")
    assert booted["SESSION_COOKIE_NAME"] == "sessionid"
    assert booted["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_debug_false_with_the_development_secret_key_refuses_to_start(sqlite_url):
    result = run_python("import django\ndjango.setup()\n", {"DEBUG": "false", "DATABASE_URL": sqlite_url})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG=False 时不能使用开发用 SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", ["PII_KEYS", "PII_HASH_KEY", "AUDIT_HMAC_KEY"])
def test_production_without_every_pii_key_refuses_to_start(sqlite_url, missing):
    env = {**PRODUCTION, "DATABASE_URL": sqlite_url}
    del env[missing]

    result = run_python("import django\ndjango.setup()\n", env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG=False 时必须设置 PII_KEYS、PII_HASH_KEY 和 AUDIT_HMAC_KEY" in result.stderr


def test_a_configured_secret_key_alone_means_production_and_refuses_without_pii_keys(sqlite_url):
    result = run_python("import django\ndjango.setup()\n", {"SECRET_KEY": "x" * 50, "DATABASE_URL": sqlite_url})

    assert result.returncode != 0
    assert "PII_KEYS" in result.stderr


def test_production_environment_has_secure_cookies_hsts_and_csp(sqlite_url):
    booted = boot({**PRODUCTION, "DATABASE_URL": sqlite_url})

    assert booted["DEBUG"] is False
    assert booted["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert booted["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert booted["SESSION_COOKIE_SECURE"] is True
    assert booted["CSRF_COOKIE_SECURE"] is True
    assert booted["SESSION_COOKIE_HTTPONLY"] is True
    assert booted["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert booted["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in booted["MIDDLEWARE"]
    csp = booted["SECURE_CSP"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe-inline" in source for sources in csp.values() for source in sources)


def test_production_responses_carry_hsts_and_csp_headers(sqlite_url):
    # A real request through the middleware stack: /healthz needs no login.
    request = """
from django.test import Client
response = Client().get("/healthz", secure=True)
print(json.dumps({"status": response.status_code, "headers": dict(response.headers)}))
"""
    result = run_python(
        "import django, json\ndjango.setup()\n" + request,
        {**PRODUCTION, "DATABASE_URL": sqlite_url, "ALLOWED_HOSTS": "testserver"},
    )

    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout.splitlines()[-1])
    headers = {name.lower(): value for name, value in response["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_sqlite_runs_in_wal_with_synchronous_full_immediate_transactions_and_a_busy_timeout(tmp_path):
    database = tmp_path / "x.sqlite3"
    pragmas = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA synchronous")
    synchronous = cursor.fetchone()[0]
    cursor.execute("PRAGMA foreign_keys")
    foreign_keys = cursor.fetchone()[0]
print(json.dumps({"journal_mode": journal_mode, "synchronous": synchronous, "foreign_keys": foreign_keys}))
"""
    result = run_python(
        "import django, json\ndjango.setup()\n" + DUMP + pragmas,
        {**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}"},
    )

    assert result.returncode == 0, result.stderr
    booted, live = (json.loads(line) for line in result.stdout.splitlines()[-2:])
    assert booted["ENGINE"] == "django.db.backends.sqlite3"
    assert booted["NAME"] == str(database)
    options = booted["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=FULL" in options["init_command"]
    assert booted["CONN_MAX_AGE"] > 0
    assert booted["CONN_HEALTH_CHECKS"] is True
    # And the connection really is in that mode (synchronous: 2 = FULL).
    assert live == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


def test_a_postgres_database_url_selects_postgresql_with_persistent_checked_connections():
    booted = boot({**PRODUCTION, "DATABASE_URL": "postgres://open12348:secret@127.0.0.1:5432/open12348"})

    assert booted["ENGINE"] == "django.db.backends.postgresql"
    assert booted["NAME"] == "open12348"
    assert booted["HOST"] == "127.0.0.1"
    assert booted["CONN_MAX_AGE"] > 0
    assert booted["CONN_HEALTH_CHECKS"] is True
    assert "init_command" not in booted["OPTIONS"]


def test_conn_max_age_comes_from_the_environment(sqlite_url):
    booted = boot({**PRODUCTION, "DATABASE_URL": sqlite_url, "CONN_MAX_AGE": "60"})

    assert booted["CONN_MAX_AGE"] == 60


def test_redis_url_switches_the_cache_to_redis(sqlite_url):
    booted = boot({**PRODUCTION, "DATABASE_URL": sqlite_url, "REDIS_URL": "redis://127.0.0.1:6379/1"})

    assert booted["CACHE"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert booted["CACHE"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_without_redis_url_the_cache_is_local_memory(sqlite_url):
    booted = boot({**PRODUCTION, "DATABASE_URL": sqlite_url})

    assert booted["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_env_example_documents_every_variable_the_settings_read():
    read = set(re.findall(r'env_(?:str|int|bool|list)\("([A-Z0-9_]+)"', (REPO / "config" / "settings.py").read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.MULTILINE))

    assert read, "no env_*() calls found in config/settings.py"
    assert read - documented == set()


def test_a_production_configuration_passes_the_deployment_checks(sqlite_url):
    env = {
        **PRODUCTION,
        "DATABASE_URL": sqlite_url,
        "SECURE_SSL_REDIRECT": "true",
        "MALWARE_SCANNER": "clamd",
        "PATH": "/usr/bin:/bin",
    }
    result = run_python(
        "import django\ndjango.setup()\nfrom django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')",
        env,
    )
    assert result.returncode == 0, result.stderr
