"""Settings for the test suite: the real settings, with test keys, the immediate task
backend and a cheaper password hash (production hashing is asserted on config.settings)."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("PII_KEYS", "t1:" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
os.environ.setdefault("PII_HASH_KEY", "test-hash-key")
os.environ.setdefault("AUDIT_HMAC_KEY", "test-audit-key")
os.environ.setdefault("SECURE_COOKIES", "false")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; see above
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "open12348.core.sms.MemorySmsBackend"
WHITENOISE_USE_FINDERS = True  # serve static files without collectstatic in tests
WHITENOISE_AUTOREFRESH = True
# Live-server threads must not keep connections open past the test (PostgreSQL teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

REFERENCE_CACHE_SECONDS = 0  # every test sees its own rows; core/tests/test_refcache.py turns it on
# Tests never read the real data sets or trained artifacts: each test that needs data writes a
# small data set of its own and points these at it.
OPEN12348_DATA_DIR = BASE_DIR / "var" / "test-no-data"  # noqa: F405
ASSIST_DIR = BASE_DIR / "var" / "test-assist"  # noqa: F405
