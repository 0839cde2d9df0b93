"""Settings shared by every environment, read from the environment.

With no DATABASE_URL the site runs on a local SQLite file; with no REDIS_URL
Celery runs tasks in-process. Production sets both (see production.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config.schedules import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

AGENCY_NAME = env("CASEWORK_AGENCY_NAME", default="Casework Demo Agency")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Registers the lookups clients.selectors uses on PostgreSQL (search_name__trigram_similar).
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    "core",
    "accounts",
    "audit",
    "clients",
    "casework",
    "referrals",
    "eligibility",
    "assistance",
    "employment",
    "community",
]

MIDDLEWARE = [
    "core.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before SessionLifetimeMiddleware, which tells the user why their session ended.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page's message.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only,
# no inline script or style, no plugins, no framing, forms post only here. Bootstrap's CSS
# draws a few icons from data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.agency",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The PostgreSQL roles (core/db_roles.py): the owner migrates, the site and workers connect as
# the application's role. DATABASE_URL names the application's role in production;
# MIGRATION_DATABASE_URL the owner's, used only by `make migrate`.
CASEWORK_DB_OWNER_ROLE = env("CASEWORK_DB_OWNER_ROLE", default="casework_owner")
CASEWORK_DB_APP_ROLE = env("CASEWORK_DB_APP_ROLE", default="casework_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, its answers kept in the cache (accounts/access_cache.py).
    "accounts.access_cache.CachedModelBackend",
]
# How long a person's roles and permissions are kept in the cache; any change through the
# admin makes them stale at once anyway.
ACCESS_CACHE_SECONDS = 300
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A second factor (django-otp: an authenticator app, with recovery codes) for the roles that
# approve money, see every office or read the trail; anyone else may turn one on.
SECOND_FACTOR_ENFORCED = env.bool("CASEWORK_SECOND_FACTOR", default=True)
SECOND_FACTOR_REQUIRED_ROLES = ["admin", "supervisor", "auditor", "finance"]
OTP_TOTP_ISSUER = AGENCY_NAME

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 30 minutes idle (the cookie is renewed on each request) and 12 hours in all
# (SessionLifetimeMiddleware). Django rotates the session key at login.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: five failures within fifteen minutes lock the username for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Locking by address as well would lock out a whole office behind one NAT after a few
# typos by different people; the lock is on the account, as the agency's policy says.
# Covering indexes (CaseAccess) carry their extra columns on PostgreSQL only; SQLite, for
# developers' machines, builds them as plain indexes.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("CASEWORK_TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Client documents live outside any public URL; they are served by a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env("CASEWORK_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DOCUMENT_MAX_BYTES = env.int("CASEWORK_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# National identifiers are encrypted with FIELD_ENCRYPTION_KEYS (Fernet keys, newest
# first, so a key can be rotated) and matched by an HMAC keyed with IDENTIFIER_HASH_KEY.
FIELD_ENCRYPTION_KEYS = env.list("CASEWORK_FIELD_ENCRYPTION_KEYS", default=[])
IDENTIFIER_HASH_KEY = env("CASEWORK_IDENTIFIER_HASH_KEY", default="")

# How long an admin's break-glass access to a restricted client lasts.
BREAK_GLASS_DURATION = timedelta(hours=env.int("CASEWORK_BREAK_GLASS_HOURS", default=4))

# Only behind a proxy that sets it: otherwise a client could forge its own address.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("CASEWORK_TRUST_X_FORWARDED_FOR", default=False)

# Where the hash chains' heads are appended daily: outside the database, ideally on another
# host or an append-only file (`chattr +a`), so that rewriting the whole chain still shows.
AUDIT_ANCHOR_FILE = env("CASEWORK_AUDIT_ANCHOR_FILE", default=str(BASE_DIR / "var" / "audit-anchors.jsonl"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Every task is safe to run twice (it loads by id and its service finds done work done), so a
# message is acknowledged only after its task finishes, and a task whose worker process dies is
# handed back to the broker rather than dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a message not acknowledged within the visibility timeout, even while its task
# still runs; so it must be longer than the longest task (completing a payment run: its report and
# payment file over every enrollment, minutes at 100,000). A message whose whole worker was killed
# waits this long before it comes back; the payment run does not wait for that (see
# PAYMENT_RUN_STALLED_MINUTES). No task is sent with a countdown or an ETA, which this would cap.
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html ("Visibility Timeout")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=30 * 60),
}

# The job outbox (core/jobs.py): sent jobs are kept this long for whoever asks what was sent.
OUTBOX_KEEP_DAYS = env.int("CASEWORK_OUTBOX_KEEP_DAYS", default=7)
# A running payment run whose last issuance is older than this is resumed by beat: its workers
# died or its messages were lost. Longer than a batch takes (seconds for 1,000 enrollments).
PAYMENT_RUN_STALLED_MINUTES = env.int("CASEWORK_PAYMENT_RUN_STALLED_MINUTES", default=10)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
# Beat keeps its schedule in the database so admins can pause or move a job; entries in
# config/schedules.py are written there on start.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Each log line carries the id of the request it belongs to (also sent as X-Request-ID);
# CASEWORK_LOG_FORMAT=json writes one JSON object per line for a log collector.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env("CASEWORK_LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
