"""Docket's one settings module. Everything that differs between machines comes from the environment."""

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("DOCKET_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DOCKET_DEBUG")


def _secret_key() -> str:
    key = env_str("DOCKET_SECRET_KEY")
    if key:
        return key
    # A local installation keeps a generated key in var/ so sessions survive restarts; a deployment
    # sets DOCKET_SECRET_KEY and never writes one.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DOCKET_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # The admin site for administrators only (docket/core/admin_site.py).
    "docket.core.admin_site.DocketAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "docket.core",
    "docket.audit",
    "docket.offices",
    "docket.officers",
    "docket.workdays",
    "docket.subjects",
    "docket.campaigns",
    "docket.taxonomy",
    "docket.clues",
    "docket.cases",
    "docket.evidence",
    "docket.measures",
    "docket.reports",
    "docket.platforms",
    "docket.statements",
    "docket.webhooks",
    "docket.reminders",
    "docket.search",
    "docket.accounts",
    "docket.web",
    "docket.api",
    "docket.demo",
    "docket.documents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "docket.urls"
WSGI_APPLICATION = "docket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'docket.sqlite3'}"),
        conn_max_age=env_int("DOCKET_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; FULL keeps a committed transaction through power loss.
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            # A 64 MiB page cache (the default is 2 MiB): a bulk import keeps its indexes in memory until
            # it commits instead of spilling half-written pages to the log.
            "PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not env_str("DATABASE_URL"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "officers.Officer"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("DOCKET_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Timestamps are stored in UTC; dates of legal effect are taken in the office's own time zone.
USE_TZ = True
TIME_ZONE = env_str("DOCKET_TIME_ZONE", "Asia/Shanghai")
DOCKET_DEFAULT_OFFICE_TZ = TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Evidence files live by content hash; these limits apply at intake.
DOCKET_EVIDENCE_DIR = Path(env_str("DOCKET_EVIDENCE_DIR", str(VAR_DIR / "evidence")))
DOCKET_EVIDENCE_MAX_BYTES = env_int("DOCKET_EVIDENCE_MAX_BYTES", 200 * 1024 * 1024)
DOCKET_EVIDENCE_TYPES = env_list(
    "DOCKET_EVIDENCE_TYPES",
    [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/webp",
        "text/plain",
        "text/csv",
        "text/html",
        "application/json",
        "application/zip",
        "video/mp4",
        "audio/mpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "message/rfc822",
    ],
)

HTTPS = env_bool("DOCKET_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DOCKET_BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DOCKET_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

# The REST API (docket.api): its documentation served by Docket itself (no CDN), its rate limits per token and
# per client address (DRF rate strings), shared through Redis across server processes when DOCKET_REDIS_URL is set.
SPECTACULAR_SETTINGS = {
    "TITLE": "Docket API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}
DOCKET_API_RATE_TOKEN = env_str("DOCKET_API_RATE_TOKEN", "6000/min")
DOCKET_API_RATE_ADDRESS = env_str("DOCKET_API_RATE_ADDRESS", "12000/min")
DOCKET_REDIS_URL = env_str("DOCKET_REDIS_URL", "")
# Megabytes of the officers' lists' answers each server process keeps under the audit chain's head
# (docket.api.listcache): every change moves the head, so a kept answer is never stale. 0 computes every answer.
DOCKET_API_LIST_CACHE_MB = env_int("DOCKET_API_LIST_CACHE_MB", 32)
# Memory each server process may give to the subject bitmaps of report cells it has read (content-addressed, so
# never stale): a report over a period whose cells were read before fetches no bitmap again. 0 turns it off.
DOCKET_REPORT_CACHE_MB = env_int("DOCKET_REPORT_CACHE_MB", 256)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DOCKET_LOG_LEVEL", "WARNING")},
}

# The Ed25519 key that signs audit checkpoints (`docket audit checkpoint`). It must live outside the database,
# readable by Docket's system user only; it is created with mode 0600 on first use.
DOCKET_AUDIT_KEY_FILE = Path(env_str("DOCKET_AUDIT_KEY_FILE", str(VAR_DIR / "audit_ed25519.key")))

# Evidence file names longer than this (bytes of UTF-8) are shortened, their extension kept.
DOCKET_EVIDENCE_NAME_MAX_BYTES = env_int("DOCKET_EVIDENCE_NAME_MAX_BYTES", 255)

# Limits of `docket import` (and of any import through the same reader): a file beyond them is refused whole,
# naming the row and column, before anything is parsed or stored.
DOCKET_IMPORT_MAX_FILE_BYTES = env_int("DOCKET_IMPORT_MAX_FILE_BYTES", 1024 * 1024 * 1024)
DOCKET_IMPORT_MAX_LINE_BYTES = env_int("DOCKET_IMPORT_MAX_LINE_BYTES", 1024 * 1024)
DOCKET_IMPORT_MAX_FIELD_BYTES = env_int("DOCKET_IMPORT_MAX_FIELD_BYTES", 64 * 1024)
DOCKET_IMPORT_MAX_COLUMNS = env_int("DOCKET_IMPORT_MAX_COLUMNS", 64)


# --- Sign-in and sessions (docket.accounts) ---------------------------------------------------------------------
# The apps the accounts app builds on are loaded before it: its receivers run after axes has counted a failure.
_accounts_at = INSTALLED_APPS.index("docket.accounts")
INSTALLED_APPS[_accounts_at:_accounts_at] = ["django_otp", "django_otp.plugins.otp_totp", "axes"]
_auth_at = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE.insert(_auth_at, "django_otp.middleware.OTPMiddleware")
# After the messages: an ended session says why on the sign-in page.
_messages_at = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_messages_at:_messages_at] = [
    "docket.accounts.middleware.SessionLimitsMiddleware",
    "docket.accounts.middleware.SecondFactorMiddleware",
]
# Axes wants to be last: it turns a locked-out answer into the lockout page.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Office heads, legal reviewers and administrators must pass a second factor (TOTP or a recovery code).
DOCKET_REQUIRE_2FA = env_bool("DOCKET_REQUIRE_2FA", default=True)
DOCKET_SESSION_IDLE_MINUTES = env_int("DOCKET_SESSION_IDLE_MINUTES", 30)
DOCKET_SESSION_MAX_HOURS = env_int("DOCKET_SESSION_MAX_HOURS", 12)
# The cookie does not outlive the longest session the middleware allows.
SESSION_COOKIE_AGE = DOCKET_SESSION_MAX_HOURS * 3600
# An account is locked after this many failures, for DOCKET_LOCKOUT_MINUTES or until an administrator unlocks it.
DOCKET_LOCKOUT_FAILURES = env_int("DOCKET_LOCKOUT_FAILURES", 5)
DOCKET_LOCKOUT_MINUTES = env_int("DOCKET_LOCKOUT_MINUTES", 30)
# An address is refused after this many failures within the hour, whoever it tried: high enough that one
# person guessing cannot lock out an office behind one address, low enough to stop spraying.
DOCKET_ADDRESS_FAILURES_PER_HOUR = env_int("DOCKET_ADDRESS_FAILURES_PER_HOUR", 50)
# Failures of one address go to the audit trail as the first one of the hour, then at most one entry a minute
# (with the count since the last entry), plus every lockout and the moment the address is refused.
DOCKET_LOGIN_AUDIT_SECONDS = env_int("DOCKET_LOGIN_AUDIT_SECONDS", 60)
OTP_TOTP_ISSUER = env_str("DOCKET_OTP_ISSUER", "Docket")
AXES_FAILURE_LIMIT = "docket.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "docket.accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that an address alone is not limited: docket.accounts limits it, at its own higher threshold.
# Django warns that SQLite builds an index without its INCLUDE columns: the covering indexes serve PostgreSQL's
# dashboards at scale, and on SQLite the same index without them is what a small database needs.
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "axes.W006", "models.W040"]
AXES_LOCKOUT_CALLABLE = "docket.accounts.lockout.lockout_response"
# A failure during a lockout does not extend it: the configured time is the time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Sign-ins and failures are in Docket's audit trail; axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Locked accounts are shown by docket.accounts, whose unlock is audited.
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("DOCKET_BEHIND_PROXY") else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("DOCKET_BEHIND_PROXY") else ["REMOTE_ADDR"]
)
# --- end of sign-in and sessions --------------------------------------------------------------------------------

# --- Mail (docket remind, sign-in notices) -----------------------------------------------------------------------
# Without DOCKET_EMAIL_HOST mail is written to the console, so a fresh install never tries to reach a server.
EMAIL_HOST = env_str("DOCKET_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("DOCKET_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DOCKET_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("DOCKET_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DOCKET_EMAIL_TLS", default=True)
EMAIL_TIMEOUT = env_int("DOCKET_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DOCKET_EMAIL_FROM", "docket@localhost")
