"""The one settings file. Every value comes from the environment (or `.env`), with defaults
that run a county bureau on one machine: SQLite under var/, local memory cache, tasks in the
database. Every variable is listed in `.env.example` and the README table."""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from `.env` without overriding the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


if os.environ.get("OPEN12348_DOTENV", "1") != "0":  # 0: the environment alone (tests, containers)
    _load_dotenv(BASE_DIR / ".env")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


VERSION = "0.1.0"

DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
# An empty environment is a developer's machine; a configured secret key means production.
DEBUG = env_bool("DEBUG", SECRET_KEY == DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG=False 时不能使用开发用 SECRET_KEY：请在环境变量或 .env 中设置 SECRET_KEY"
        "（`make run` 会自动生成）。Refusing to start with the development SECRET_KEY."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "open12348.core.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "open12348.core",
    "open12348.audit",
    "open12348.catalog",
    "open12348.orgs",
    "open12348.accounts",
    "open12348.workorders",
    "open12348.queuing",
    "open12348.content",
    "open12348.directory",
    "open12348.laws",
    "open12348.assist",
    "open12348.consultations",
    "open12348.portal",
    "open12348.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "open12348.audit.middleware.AuditContextMiddleware",
    "open12348.accounts.middleware.SessionTimeoutMiddleware",
    "open12348.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "open12348.core.middleware.DisplayPreferencesMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "open12348.core.context_processors.platform",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
# SQLite by default, tuned so that an acknowledged write survives a power cut (WAL +
# synchronous=FULL) and writers queue instead of failing (IMMEDIATE + busy timeout).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
}
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# Malware scanning of uploads (core/scanning.py): "clamd" in production, "eicar" (a stand-in
# that flags only the EICAR test file) where no ClamAV daemon runs.
MALWARE_SCANNER = env_str("MALWARE_SCANNER", "eicar")
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)

# Seconds a process keeps small reference tables (catalog, org codes, routing rules) in
# memory; changes made in another app process show after at most this long (core/refcache.py).
REFERENCE_CACHE_SECONDS = env_int("REFERENCE_CACHE_SECONDS", 30)

DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks -------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# cached_db: sessions survive a cache (Redis) outage and are shared by every app process.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "open12348.accounts.backends.RoleBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:after-login"
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_POLICY = env_str("PASSWORD_POLICY", "dengbao")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "open12348.accounts.passwords.LengthValidator"},
    {"NAME": "open12348.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "open12348.accounts.passwords.ChineseWeakPasswordValidator"},
    {"NAME": "open12348.accounts.passwords.PasswordHistoryValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY_DEPTH = 5

# Lockout (C03): 5 failures lock the *username* for 30 minutes, not the IP: a whole office
# shares one address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "open12348.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0) or None
# axes warns when the IP is not part of the lockout key; that is deliberate (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

# Session limits (C04), in seconds: idle and absolute, by kind of account.
SESSION_LIMITS = {
    "administrator": {"idle": 10 * 60, "absolute": 4 * 3600},
    "staff": {"idle": 30 * 60, "absolute": 10 * 3600},
    "citizen": {"idle": 30 * 60, "absolute": 2 * 3600},
}
SESSION_COOKIE_AGE = 10 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

OTP_TOTP_ISSUER = "Open12348"

SMS_BACKEND = env_str("SMS_BACKEND", "open12348.core.sms.ConsoleSmsBackend")

# --- Personal data (K1) -----------------------------------------------------------------
# PII_KEYS: "keyid:base64-32-bytes,..." — the first key encrypts, all keys decrypt (rotation).
# PII_HASH_KEY: the secret of the keyed hash used for exact look-ups (blind index).
# AUDIT_HMAC_KEY: the secret that seals the audit chain.
# In DEBUG only, development keys are derived from the development secret key.
PII_KEYS = env_str("PII_KEYS")
PII_HASH_KEY = env_str("PII_HASH_KEY")
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
if not (PII_KEYS and PII_HASH_KEY and AUDIT_HMAC_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "DEBUG=False 时必须设置 PII_KEYS、PII_HASH_KEY 和 AUDIT_HMAC_KEY（`make run` 会自动生成）。"
        )
    PII_KEYS = PII_KEYS or "dev:" + base64.b64encode(hashlib.sha256(b"pii" + SECRET_KEY.encode()).digest()).decode()
    PII_HASH_KEY = PII_HASH_KEY or hashlib.sha256(b"hash" + SECRET_KEY.encode()).hexdigest()
    AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or hashlib.sha256(b"audit" + SECRET_KEY.encode()).hexdigest()
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Where the external data sets live (never copied into the repository).
OPEN12348_DATA_DIR = Path(env_str("OPEN12348_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))

# --- Service-center hall (open12348/queuing) ---------------------------------------------------
# An SMS "前面还有 N 人" goes to a waiting person when N people are ahead.
QUEUE_REMIND_AHEAD = env_int("QUEUE_REMIND_AHEAD", 3)
# Seconds between board fetches of a display that lost its push stream (never below 10 in
# production: at province scale polling would be the largest load, PERFORMANCE.md B11).
QUEUE_FALLBACK_POLL_SECONDS = env_int("QUEUE_FALLBACK_POLL_SECONDS", 10)
# The legal risk strip of hall displays until the publishing module supplies risk alerts.
QUEUE_BOARD_ALERTS = [
    "警惕“高额返利”“保本高息”等非法集资陷阱，投资理财请选择正规金融机构。",
    "签订劳动合同后请保留一份，工资尽量通过银行发放，保存好考勤和工资记录。",
    "借款给他人请写清借条，注明金额、期限、利息和还款方式，并由借款人签名。",
    "老年人请警惕“免费体检”“保健品讲座”等推销陷阱，不轻信、不转账。",
    "遇到法律问题可拨打12348公共法律服务热线免费咨询。",
]

# --- Online consultation (open12348/consultations) -------------------------------------
# The answer-time promise: first answer within N working hours, counted inside the service
# hours of working days (Beijing time); outside them the page says when an answer will come.
CONSULT_ANSWER_HOURS = env_int("CONSULT_ANSWER_HOURS", 5)
CONSULT_SERVICE_HOURS = env_str("CONSULT_SERVICE_HOURS", "09:00-12:00,13:30-17:30")
# Hours after the escalation to the volunteers on duty before the director is told.
CONSULT_DIRECTOR_AFTER_HOURS = env_int("CONSULT_DIRECTOR_AFTER_HOURS", 24)
# A moderator may adopt an answer for an asker who has not done so after this many days.
CONSULT_MODERATOR_ADOPT_DAYS = env_int("CONSULT_MODERATOR_ADOPT_DAYS", 7)
CONSULT_POINTS_ADOPTED = env_int("CONSULT_POINTS_ADOPTED", 10)
CONSULT_POINTS_MODERATOR_ADOPTED = env_int("CONSULT_POINTS_MODERATOR_ADOPTED", 5)
# Questions one account (phone) / one IP address may ask per hour.
CONSULT_ASK_PER_HOUR = env_int("CONSULT_ASK_PER_HOUR", 5)
CONSULT_ASK_PER_IP_HOUR = env_int("CONSULT_ASK_PER_IP_HOUR", 20)

# --- Portal -------------------------------------------------------------------------------
# Where the quick-exit button of sensitive pages (domestic violence …) leaves to.
QUICK_EXIT_URL = env_str("QUICK_EXIT_URL", "/exit/")

# --- Laws and intelligence (open12348/laws, open12348/assist) ------------------------------
# Full-text search backend: auto = SQLite FTS5 on SQLite, PostgreSQL full text on PostgreSQL.
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "auto")
# Trained artifacts (classifier, statute index) are written here, one folder per version.
ASSIST_DIR = Path(env_str("ASSIST_DIR", str(BASE_DIR / "var" / "assist")))
# An OpenAI-compatible endpoint improves answers when a bureau configures one; unset = offline.
AI_BASE_URL = env_str("AI_BASE_URL")
AI_API_KEY = env_str("AI_API_KEY")
AI_MODEL = env_str("AI_MODEL")
AI_TIMEOUT_SECONDS = env_int("AI_TIMEOUT_SECONDS", 20)

# --- Push server of hall displays (config/gunicorn_push.conf.py) ---------------------------
# PUSH_PORT: where `make run` starts it (default PORT + 1). PUSH_URL: the push server's base URL
# as the display pages connect to it; unset = //<page host>:PUSH_PORT (development), "" = the
# page's own origin (production: the reverse proxy routes /push/ to the push server).
PUSH_PORT = env_int("PUSH_PORT", env_int("PORT", 8000) + 1)
PUSH_URL: str | None = env_str("PUSH_URL") if "PUSH_URL" in os.environ else None


def _push_connect_sources() -> list[str]:
    """CSP connect-src entries for the push server (the page's origin is 'self' already)."""
    if PUSH_URL is not None:
        parts = urlsplit(PUSH_URL)
        if not parts.netloc:
            return []
        return [f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc]
    sources = []
    for host in ALLOWED_HOSTS:
        if host == "*":
            sources.append(f"*:{PUSH_PORT}")
        elif host.startswith("."):
            sources.append(f"*{host}:{PUSH_PORT}")
        elif not host.startswith("["):  # CSP has no syntax for IPv6 literals
            sources.append(f"{host}:{PUSH_PORT}")
    return sources


# --- Security headers -------------------------------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading a domain into browsers is the bureau's decision, not a default (hence W021 silenced).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],  # public pages inline their stylesheets (ui.inline_css)
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, *_push_connect_sources()],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header turns "not logged in" into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "open12348.api.authentication.BearerTokenAuthentication",
        "open12348.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "open12348.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "open12348.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "open12348.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Open12348 API",
    "DESCRIPTION": "公共法律服务平台开放接口 (Open12348 public legal service platform API)",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named after their model, so that the next app's `kind`/`role` does not collide.
    "ENUM_NAME_OVERRIDES": {
        "OrgLevelEnum": "open12348.orgs.models.OrgNode.Level",
        "SiteKindEnum": "open12348.orgs.models.Site.Kind",
        "SiteContactRoleEnum": "open12348.orgs.models.SiteContact.Role",
        "ServiceItemCategoryEnum": "open12348.catalog.models.ServiceItem.Category",
        "ServiceItemChannelEnum": "open12348.catalog.models.ServiceItem.Channel",
        "ArticleKindEnum": "open12348.content.models.Article.Kind",
        "InstitutionKindEnum": "open12348.directory.models.Institution.Kind",
        "PractitionerKindEnum": "open12348.directory.models.Practitioner.Kind",
        "CreditRecordKindEnum": "open12348.directory.models.CreditRecord.Kind",
        "ConsultationStatusEnum": "open12348.consultations.models.Consultation.Status",
        "WorkOrderStatusEnum": "open12348.workorders.models.Status",
    },
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
