"""The test suite: `make test`. Uses DATABASE_URL / REDIS_URL when set, SQLite otherwise."""

from .local import *  # noqa: F403
from .local import BASE_DIR, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test_media"
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
AXES_ENABLED = True
# Tests sign people in directly; the second factor's own tests turn it on.
SECOND_FACTOR_ENFORCED = False

# Tasks run in-process unless a test starts a real worker (those tests say so).
CELERY_TASK_ALWAYS_EAGER = True
