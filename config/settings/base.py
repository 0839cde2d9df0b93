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
    "correspondence",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "api",
    "health_coverage",
    "appeals",
    "quality",
    "reports",
    "employment",
    "community",
]

MIDDLEWARE = [
    "core.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware (Django's documented order).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's own language over the browser's (LocaleMiddleware above).
    "accounts.middleware.UserLanguageMiddleware",
    "core.middleware.NoStoreMiddleware",
    # django_otp's OTPMiddleware, the verifying device read from the cache.
    "accounts.middleware.CachedOTPMiddleware",
    # Before SessionLifetimeMiddleware, which tells the user why their session ended.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    # One transaction a request, holding the read events the audit middleware writes at its end.
    "core.middleware.RequestTransactionMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "accounts.middleware.OnCallAuditMiddleware",
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

# The partner API (api/). Partner systems sign in with OAuth2 client credentials; staff may use
# their session (with its CSRF check). Cursor pages; each client (application or person) is
# throttled on its own.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PartnerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopedAccess"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerClient"],
    "DEFAULT_THROTTLE_RATES": {"client": env("CASEWORK_API_RATE", default="600/minute")},
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "For partner systems: clients, cases, referrals and the resource directory (HSDS 3.0).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from this site's static files: the CSP allows scripts from nowhere else.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
OAUTH2_PROVIDER = {
    "SCOPES": {
        "clients:read": "Read clients, households, cases, tasks, appointments, enrollments and determinations",
        "clients:write": "Register clients, write case notes and request appointments",
        "issuances:read": "Read issuances",
        "issuances:write": "Request issuances",
        "referrals:read": "Read referrals",
        "referrals:write": "Make referrals and act on referrals sent to the organization",
        "directory:read": "Read the resource directory",
        "directory:write": "Mark the organization's services full or waitlisted",
        "webhooks": "Subscribe to referral and appointment events",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    # The OAuth 2.0 Security Best Current Practice (RFC 9700): no implicit or password grant, no
    # token in a URL, tokens stored hashed, refresh tokens not replayable, PKCE with S256 only,
    # exact https redirect URIs. Partners use client credentials, which none of this hinders.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "PKCE_REQUIRED": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# A partner organization's link to act on a referral sent to it stays valid this long.
REFERRAL_PARTNER_LINK_DAYS = env.int("CASEWORK_REFERRAL_PARTNER_LINK_DAYS", default=30)

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
# A read replica (PostgreSQL streaming replication) for read-only pages (core/replica.py): only
# pages marked `@replica_reads` read from it, and only until they write. Tests use a second
# connection to the test database (TEST MIRROR) and turn the routing on where they check it.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
CASEWORK_READ_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
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
# approve money, see every office or read the trail (quality reviewers open sampled cases of every
# office; office managers read the files behind a whole office's figures); anyone else may turn one on.
SECOND_FACTOR_ENFORCED = env.bool("CASEWORK_SECOND_FACTOR", default=True)
SECOND_FACTOR_REQUIRED_ROLES = ["admin", "supervisor", "auditor", "finance", "reviewer", "office_manager"]
OTP_TOTP_ISSUER = AGENCY_NAME

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 30 minutes idle and 12 hours in all (SessionLifetimeMiddleware). An active session is
# renewed (saved with a new expiry) once a minute rather than written on every page. Django
# rotates the session key at login.
SESSION_COOKIE_AGE = 30 * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
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
# The languages letters to clients are written in (correspondence/); locale/ holds their texts.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
# Where `collectstatic` gathers the files whitenoise serves (a second copy, e.g. a benchmark's,
# goes elsewhere so it never rewrites the files a running site is serving).
STATIC_ROOT = Path(env("CASEWORK_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Correspondence (correspondence/): email through Django's email backend, text messages through
# this provider backend; development writes both to files under private_media/outbox/.
CORRESPONDENCE_FROM_EMAIL = env("CASEWORK_CORRESPONDENCE_FROM_EMAIL", default="no-reply@casework.example")
CORRESPONDENCE_TEXT_BACKEND = env("CASEWORK_TEXT_BACKEND", default="correspondence.backends.FileTextBackend")
# Tries of an email or text before it is shown to the worker as failed (1, 4, 16, 64 minutes apart).
CORRESPONDENCE_MAX_ATTEMPTS = env.int("CASEWORK_CORRESPONDENCE_MAX_ATTEMPTS", default=5)

# Client documents live outside any public URL; they are served by a view that checks access.
PRIVATE_MEDIA_ROOT = Path(env("CASEWORK_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
CORRESPONDENCE_TEXT_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "texts"
EMAIL_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "email"
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
# How long a new audit event may wait for its place in the hash chain (beat places them every
# 5 seconds) before `audit_verify` takes it for a row inserted past the application.
AUDIT_CHAIN_WAIT_LIMIT_SECONDS = env.int("CASEWORK_AUDIT_CHAIN_WAIT_SECONDS", default=300)
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
# Clients are reminded of an appointment this many days before it.
APPOINTMENT_REMINDER_DAYS = env.int("CASEWORK_APPOINTMENT_REMINDER_DAYS", default=2)
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
