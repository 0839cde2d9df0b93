"""The test suite: `make test`. Uses DATABASE_URL / REDIS_URL when set, SQLite otherwise."""

from .local import *  # noqa: F403
from .local import BASE_DIR, STORAGES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test_media"
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
AXES_ENABLED = True

# Tasks run in-process unless a test starts a real worker (those tests say so).
CELERY_TASK_ALWAYS_EAGER = True

# CI runs the suite as the application's PostgreSQL role, having created and migrated the
# test database as the owner (tests/app_role.py).
CASEWORK_TEST_APP_ROLE = env.bool("CASEWORK_TEST_APP_ROLE", default=False)
