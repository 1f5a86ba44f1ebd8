"""Settings, read from the environment (PRACTICEGATE_* variables and DATABASE_URL).

Defaults suit a laptop: an SQLite file under var/, console e-mail, a secret key
generated once into var/. Production sets PRACTICEGATE_PRODUCTION=1, which turns
on every transport-security setting that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PRACTICEGATE_VAR_DIR", Path.cwd() / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = env_str("PRACTICEGATE_SECRET_KEY")
    if key:
        return key
    # Development only: keep one random key per checkout so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


PRODUCTION = env_bool("PRACTICEGATE_PRODUCTION")
DEBUG = env_bool("PRACTICEGATE_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("PRACTICEGATE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("PRACTICEGATE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "practicegate.core",
    "practicegate.accounts",
    "practicegate.audit",
    "practicegate.access",
    "practicegate.records",
    "practicegate.masterfiles",
    "practicegate.clients",
    "practicegate.billing",
    "practicegate.twofactor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "practicegate.core.middleware.FrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "practicegate.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "practicegate.access.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "practicegate.urls"
WSGI_APPLICATION = "practicegate.wsgi.application"

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
                "practicegate.accounts.context_processors.shell",
                # Emergency access: its banner, its way in, the uses to review (access.emergency).
                "practicegate.access.context_processors.emergency_access",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite in WAL mode is the embedded default; DATABASE_URL selects PostgreSQL.
_default_db = f"sqlite:///{VAR_DIR / 'practicegate.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_db,
        conn_max_age=env_int("PRACTICEGATE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" when a reader upgrades to a writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
# Each test run (and each parallel developer) may pick its own PostgreSQL test database.
if env_str("PRACTICEGATE_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("PRACTICEGATE_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Passwords (NIST SP 800-63B rev. 4) ---------------------------------------
PASSWORD_MIN_LENGTH = env_int("PRACTICEGATE_PASSWORD_MIN_LENGTH", 15)
PASSWORD_MAX_LENGTH = 1024  # far above the 64 NIST asks us to allow; bounds Argon2 work
PASSWORD_REMINDER_DAYS = env_int("PRACTICEGATE_PASSWORD_REMINDER_DAYS", 365)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "practicegate.accounts.passwords.RunsAndRepeatsValidator"},
    {"NAME": "practicegate.accounts.passwords.GuessableValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "practicegate.accounts.backends.UsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PRACTICEGATE_PASSWORD_RESET_TIMEOUT", 3600)
REAUTH_SECONDS = env_int("PRACTICEGATE_REAUTH_SECONDS", 600)

# --- Throttling (django-axes): 5 failures per username+IP lock that pair 15 min.
AXES_FAILURE_LIMIT = env_int("PRACTICEGATE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PRACTICEGATE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "practicegate.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "practicegate.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
OTP_TOTP_ISSUER = "PracticeGate"  # the name authenticator apps show beside the username
# --- Passkeys (WebAuthn) ---------------------------------------------------------
# The site's domain that passkeys are bound to. Production sets it (for example
# "practice.example.org"); left empty, the host name of each request is used (development).
WEBAUTHN_RP_ID = env_str("PRACTICEGATE_WEBAUTHN_RP_ID", "")
WEBAUTHN_RP_NAME = "PracticeGate"  # the name the browser shows when it asks for the passkey
WEBAUTHN_CHALLENGE_SECONDS = env_int("PRACTICEGATE_WEBAUTHN_CHALLENGE_SECONDS", 300)
# --- end passkeys -------------------------------------------------------------------
AXES_IPWARE_PROXY_COUNT = env_int("PRACTICEGATE_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"] if not AXES_IPWARE_PROXY_COUNT else [
    "HTTP_X_FORWARDED_FOR",
    "REMOTE_ADDR",
]

# --- Sessions ------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Rendered page fragments are kept by core/templatetags/fragments.py itself, in each process.
SESSION_IDLE_SECONDS = env_int("PRACTICEGATE_SESSION_IDLE_MINUTES", 15) * 60
SESSION_ABSOLUTE_SECONDS = env_int("PRACTICEGATE_SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Transport security (production) -------------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("PRACTICEGATE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("PRACTICEGATE_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail: console by default, SMTP when PRACTICEGATE_EMAIL_HOST is set ----------
if env_str("PRACTICEGATE_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("PRACTICEGATE_EMAIL_HOST")
    EMAIL_PORT = env_int("PRACTICEGATE_EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("PRACTICEGATE_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("PRACTICEGATE_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("PRACTICEGATE_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("PRACTICEGATE_FROM_EMAIL", "PracticeGate <no-reply@localhost>")
# E-mail and password recovery (issue 26): a mail server that does not answer gives up after
# this many seconds; confirmation links last this many hours; Forgot password answers at most
# this many requests per typed username or address, and per IP, in each window (more get the
# same answer and no mail).
EMAIL_TIMEOUT = env_int("PRACTICEGATE_EMAIL_TIMEOUT", 10)
EMAIL_CONFIRM_HOURS = env_int("PRACTICEGATE_EMAIL_CONFIRM_HOURS", 48)
PASSWORD_RESET_LIMIT_PER_NAME = env_int("PRACTICEGATE_RESET_LIMIT_PER_NAME", 3)
PASSWORD_RESET_LIMIT_PER_IP = env_int("PRACTICEGATE_RESET_LIMIT_PER_IP", 20)
PASSWORD_RESET_WINDOW = timedelta(minutes=env_int("PRACTICEGATE_RESET_WINDOW_MINUTES", 60))

# --- Activity log ---------------------------------------------------------------
# The signing key: a file, or the PEM (or its base64) in PRACTICEGATE_AUDIT_KEY_PEM. Only the
# host that runs `audit checkpoint` needs it; app servers and auditors need the public keyring.
AUDIT_SIGNING_KEY_PATH = Path(
    env_str("PRACTICEGATE_AUDIT_KEY", str(VAR_DIR / "audit-signing-key.pem"))
)
AUDIT_SIGNING_KEY_PEM = env_str("PRACTICEGATE_AUDIT_KEY_PEM")
AUDIT_PUBLIC_KEYRING_PATH = Path(
    env_str("PRACTICEGATE_AUDIT_PUBLIC_KEYS", str(VAR_DIR / "audit-public-keys.pem"))
)
# Development makes a key on first use; production refuses to invent one on some server.
AUDIT_KEY_AUTOCREATE = env_bool("PRACTICEGATE_AUDIT_KEY_AUTOCREATE", not PRODUCTION)
# record() only notes (at DEBUG level) that a chain passed another N events; signing is
# `practicegate audit checkpoint`, run by a timer, never a request.
AUDIT_CHECKPOINT_EVERY = env_int("PRACTICEGATE_AUDIT_CHECKPOINT_EVERY", 1000)
# `audit verify` re-hashes chains at least this long on several processes at once.
AUDIT_PARALLEL_MIN_EVENTS = env_int("PRACTICEGATE_AUDIT_PARALLEL_MIN_EVENTS", 200_000)

# --- Uploads ----------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CSV_IMPORT_MAX_BYTES = env_int("PRACTICEGATE_CSV_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

LANGUAGE_CODE = "en-us"
# The server, its logs and its commands keep UTC; people see their own zone: the account's
# on its pages, the username's own elsewhere (core.localtime, access.middleware).
TIME_ZONE = "UTC"
# The zone a new account starts with, and pages outside any account before sign-in.
DEFAULT_TIME_ZONE = env_str("PRACTICEGATE_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True
# Pages write dates and times the US way (core/formats); see core_tags `when` and `day`.
FORMAT_MODULE_PATH = ["practicegate.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PRACTICEGATE_LOG_LEVEL", "WARNING")},
}
