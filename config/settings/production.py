"""Production: every secret comes from the environment, and HTTPS is assumed."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEYS = env.list("CASEWORK_FIELD_ENCRYPTION_KEYS")
IDENTIFIER_HASH_KEY = env("CASEWORK_IDENTIFIER_HASH_KEY")

# Production never falls back to SQLite or in-process tasks. The databases, the read replica
# included, are those base.py reads from DATABASE_URL and DATABASE_REPLICA_URL; here the first is required.
if not env("DATABASE_URL", default=""):
    raise ImproperlyConfigured("Set DATABASE_URL: production does not fall back to SQLite.")
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False

# Letters by email go through the agency's mail server; text messages through Twilio.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("CASEWORK_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("CASEWORK_EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("CASEWORK_EMAIL_USER", default="")
EMAIL_HOST_PASSWORD = env("CASEWORK_EMAIL_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("CASEWORK_EMAIL_USE_TLS", default=True)
CORRESPONDENCE_TEXT_BACKEND = env("CASEWORK_TEXT_BACKEND", default="correspondence.backends.TwilioTextBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_STATUS_CALLBACK_URL = env("TWILIO_STATUS_CALLBACK_URL", default="")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
CONN_MAX_AGE = env.int("DJANGO_CONN_MAX_AGE", default=60)

# The load balancer asks /healthz over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sessions are read on every request: from Redis, written through to the database so a
# Redis restart signs nobody out. CASEWORK_CACHE_URL may name another Redis database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CASEWORK_CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "casework",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
