"""Osseo's one settings module, configured by environment variables.

Habit from Healthchecks' `hc/settings.py`: a few tiny typed helpers that fail loudly on bad values.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OSSEO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be on/off (1/0, true/false, yes/no), not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def _secret_key() -> str:
    """OSSEO_SECRET_KEY, or one generated once and kept under var/ for local use."""
    key = os.environ.get("OSSEO_SECRET_KEY", "").strip()
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


def _key(env: str, file_name: str) -> bytes:
    """A key held outside the database: the environment variable `env`, or one generated once
    into var/`file_name` beside the secret key (in production keep it elsewhere, README)."""
    key = os.environ.get(env, "").strip()
    if not key:
        path = VAR_DIR / file_name
        if path.exists():
            key = path.read_text().strip()
        else:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            path.write_text(key)
            path.chmod(0o600)
    if len(key) < 32:
        raise ImproperlyConfigured(f"{env} must be at least 32 characters long")
    return key.encode()


def _audit_key() -> bytes:
    """OSSEO_AUDIT_KEY: the HMAC key of the audit chain (osseo/audit/chain.py), held outside the
    database so that someone who can write the table cannot re-hash it."""
    return _key("OSSEO_AUDIT_KEY", "audit_key")


OSSEO_AUDIT_KEY = _audit_key()
# Whether the key came from the environment (not var/): `check --deploy` warns when it did not.
OSSEO_AUDIT_KEY_FROM_ENV = bool(os.environ.get("OSSEO_AUDIT_KEY", "").strip())


def _deidentify_key() -> bytes:
    """OSSEO_DEIDENTIFY_KEY: the HMAC key from which a de-identified FHIR export derives each
    patient's date shift (osseo/interop/deidentify.py), held outside the database so that the
    shift cannot be undone from the data."""
    return _key("OSSEO_DEIDENTIFY_KEY", "deidentify_key")


OSSEO_DEIDENTIFY_KEY = _deidentify_key()
# The address the server is reached at, for the fullUrl of resources a command writes.
OSSEO_BASE_URL = os.environ.get("OSSEO_BASE_URL", "http://localhost:8000").strip()
DEBUG = env_bool("OSSEO_DEBUG", False)
ALLOWED_HOSTS = env_list("OSSEO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
SECURE = env_bool("OSSEO_SECURE", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "osseo.accounts",
    "osseo.audit",
    "osseo.patients",
    "osseo.pathway",
    "osseo.surgery",
    "osseo.registry",
    "osseo.portal",
    "osseo.complications",
    "osseo.outcomes",
    "osseo.rehab",
    "osseo.connectors",
    "osseo.interop",
    "osseo.scheduling",
    "osseo.me",
    "osseo.demo",
]

MIDDLEWARE = [
    "osseo.headers.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "osseo.accounts.middleware.AccountRulesMiddleware",  # after messages: it may add one
    "osseo.me.middleware.PatientOwnPagesMiddleware",  # a patient's account stays on /me/
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "osseo.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "osseo.urls"
WSGI_APPLICATION = "osseo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "osseo" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "osseo.accounts.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'osseo.sqlite3'}",
        conn_max_age=env_int("OSSEO_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: the background worker and the web server share the file without "database is locked";
    # synchronous=NORMAL: a commit does not wait for a disk flush (safe against application
    # crashes; a power cut may lose the last commits, not corrupt the file). PostgreSQL for more.
    # IMMEDIATE: every transaction takes the write lock as it begins, so a transaction that read
    # first never has to upgrade its lock later (WAL refuses such an upgrade at once, "database is
    # locked", whatever the timeout); the busy timeout then makes writers queue instead of fail.
    # Reads outside a transaction (autocommit) never wait. See https://www.sqlite.org/lang_transaction.html
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("OSSEO_SQLITE_BUSY_TIMEOUT", 30, minimum=1),
        }
    )
# PostgreSQL with two roles (osseo/audit/roles.py, README): DATABASE_URL's user is the
# application's role, which may not rewrite the audit trail; OSSEO_MIGRATION_DB_USER (and
# _PASSWORD) owns the database and runs `osseo migrate` (the console script sets
# OSSEO_DB_AS_OWNER for it), granting the application's role its privileges after each migration.
OSSEO_MIGRATION_DB_USER = os.environ.get("OSSEO_MIGRATION_DB_USER", "").strip()
OSSEO_DB_APP_ROLE = ""
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and OSSEO_MIGRATION_DB_USER:
    OSSEO_DB_APP_ROLE = DATABASES["default"]["USER"]
    if env_bool("OSSEO_DB_AS_OWNER", False):
        DATABASES["default"]["USER"] = OSSEO_MIGRATION_DB_USER
        DATABASES["default"]["PASSWORD"] = os.environ.get("OSSEO_MIGRATION_DB_PASSWORD", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["osseo.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "osseo.accounts.validators.StrengthValidator"},  # zxcvbn score 3 or more
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "patients:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire: eight idle hours at most, and when the browser closes.
SESSION_COOKIE_AGE = env_int("OSSEO_SESSION_SECONDS", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# API tokens expire after the clinic setting `api_token_hours` (osseo/accounts/clinic_settings.py).
# A password-reset link works once and for this long (Django's PASSWORD_RESET_TIMEOUT, seconds).
PASSWORD_RESET_TIMEOUT = env_int("OSSEO_PASSWORD_RESET_MINUTES", 60, minimum=5) * 60
# Two-factor sign-in (django-otp, osseo/accounts/twofactor.py): the issuer shown in the app.
OTP_TOTP_ISSUER = os.environ.get("OSSEO_OTP_ISSUER", "Osseo")
# Wrong codes are counted by the sign-in lockout (per account and address, shared by every
# process), not by django-otp's per-device delay, which would also refuse the right code at once.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Sign-in lockout (osseo/accounts/lockout.py): attempts are counted before the password is
# checked, per account and per client address, in a window of OSSEO_SIGNIN_LOCKOUT_MINUTES.
OSSEO_SIGNIN_FAILURE_LIMIT = env_int("OSSEO_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("OSSEO_SIGNIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
OSSEO_SIGNIN_LOCKOUT_MINUTES = env_int("OSSEO_SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
# The client address (audit, lockout, rate limits) is the peer's own unless the peer is one of
# these proxies (addresses or networks, comma-separated): then it is read from the forwarding
# header, right to left, skipping these proxies (osseo/audit/address.py). Empty: no proxy trusted.
OSSEO_TRUSTED_PROXIES = env_list("OSSEO_TRUSTED_PROXIES", [])
OSSEO_FORWARDED_FOR_HEADER = os.environ.get("OSSEO_FORWARDED_FOR_HEADER", "HTTP_X_FORWARDED_FOR")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("OSSEO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "osseo" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        # Not the manifest storage: pages must render before (and without) collectstatic.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# The development server and the tests serve the static files from their sources (the finders).
# `osseo serve` collects them first and sets OSSEO_STATIC_COLLECTED: WhiteNoise then serves the
# collected, compressed copies, which the finders' uncompressed sources would otherwise shadow.
WHITENOISE_USE_FINDERS = not env_bool("OSSEO_STATIC_COLLECTED", False)
WHITENOISE_MANIFEST_STRICT = False

TASKS = {
    "default": {
        "BACKEND": os.environ.get("OSSEO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email: the console by default; OSSEO_EMAIL_BACKEND (and OSSEO_EMAIL_OPTIONS as JSON) for SMTP.
MAILERS = {
    "default": {
        # Production (OSSEO_SECURE on) sends by SMTP unless told otherwise.
        "BACKEND": os.environ.get(
            "OSSEO_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if SECURE
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": json.loads(os.environ.get("OSSEO_EMAIL_OPTIONS", "{}")),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("OSSEO_FROM_EMAIL", "osseo@localhost")
# Where a clinic's new-enquiry notices go when its enquiry settings name no address.
OSSEO_CLINIC_NOTIFY_EMAIL = os.environ.get("OSSEO_CLINIC_NOTIFY_EMAIL", "")

# The cache counts the public enquiry rate limits (django-ratelimit). LocMemCache is per process:
# right for one server process; with several, set a shared one (e.g. OSSEO_CACHE_BACKEND
# django.core.cache.backends.redis.RedisCache and OSSEO_CACHE_LOCATION redis://...).
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "OSSEO_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("OSSEO_CACHE_LOCATION", "osseo"),
    }
}
# Public enquiries (osseo/portal): per client address, enquiries sent and submissions of any kind
# ("5/h" = five an hour; s, m, h, d). Behind a proxy, name the header holding the client's address
# (e.g. HTTP_X_REAL_IP) or every visitor shares the proxy's limit.
OSSEO_ENQUIRY_RATE = os.environ.get("OSSEO_ENQUIRY_RATE", "5/h")
OSSEO_ENQUIRY_ATTEMPT_RATE = os.environ.get("OSSEO_ENQUIRY_ATTEMPT_RATE", "30/h")
RATELIMIT_IP_META_KEY = os.environ.get("OSSEO_CLIENT_IP_META_KEY") or None
# The clinic that receives enquiries sent without one (slug); empty: the first OI clinic created.
OSSEO_ENQUIRY_CLINIC = os.environ.get("OSSEO_ENQUIRY_CLINIC", "")
# Days an unconverted enquiry is kept until a clinic admin sets the clinic's own period. Not a
# validated number: screens show it as "not validated" until the clinic confirms one.
OSSEO_ENQUIRY_RETENTION_DAYS = env_int("OSSEO_ENQUIRY_RETENTION_DAYS", 180)
# Load recordings (osseo/connectors): the largest file accepted, in MB.
OSSEO_RECORDING_MAX_MB = env_int("OSSEO_RECORDING_MAX_MB", 4096)
# Any other request body (forms, JSON, a steps file of at most 10 MB, a 5 MB information sheet):
# the largest accepted, in MB. Larger bodies are answered 413 before they are read
# (osseo/bodylimit.py). Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) bounds a body that is not
# a file, such as JSON.
OSSEO_REQUEST_MAX_MB = env_int("OSSEO_REQUEST_MAX_MB", 20, minimum=1)
# A queued or processing recording with no progress for this many minutes is stale: the worker
# that had it was stopped. `osseo worker` queues stale recordings again when it starts, and staff
# may retry them. Operational, not clinical; at least 1 (the worker reports progress far oftener).
OSSEO_RECORDING_STALE_MINUTES = env_int("OSSEO_RECORDING_STALE_MINUTES", 15, minimum=1)
# A background task left running by a worker that shows no sign of life (its heartbeat) for this
# many minutes is failed: the worker died (killed, out of memory, machine lost). A load recording
# it was counting is queued again. Operational; at least 1 (a live worker beats every 15 seconds).
OSSEO_TASK_STALE_MINUTES = env_int("OSSEO_TASK_STALE_MINUTES", 15, minimum=1)


def _default_web_workers() -> int:
    """gunicorn's rule of thumb, 2 x cores + 1, capped at 12: its design notes ("How many
    workers?") say 4-12 worker processes serve hundreds or thousands of requests a second, and
    each worker holds its own copy of Django in memory. Cores are those this process may use."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, 12)


# `osseo serve` (osseo/serve.py): the web server's worker processes, unless --workers names them.
OSSEO_WEB_WORKERS = env_int("OSSEO_WEB_WORKERS", _default_web_workers(), minimum=1)

# Content Security Policy (Django 6): our own scripts and styles only, no inline script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Permissions-Policy (osseo/headers.py): no page needs any of these browser features; "()" denies
# the feature to the page and to every frame. Only the camera might one day be wanted (scanning a
# device label): it would be "camera": ["self"].
OSSEO_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False

if SECURE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

NINJA_PAGINATION_PER_PAGE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OSSEO_LOG_LEVEL", "WARNING")},
}

# Shown on every page beside the organisation's name; the demo says it is synthetic.
OSSEO_PAGE_SIZE = 25
