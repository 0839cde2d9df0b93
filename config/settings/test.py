"""The test suite: `make test`. Uses DATABASE_URL / REDIS_URL when set, SQLite otherwise."""

from .local import *  # noqa: F403
from .local import BASE_DIR, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test_media"
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
AXES_ENABLED = True
AUDIT_ANCHOR_FILE = str(PRIVATE_MEDIA_ROOT / "audit-anchors.jsonl")

# Tasks run in-process unless a test starts a real worker (those tests say so).
CELERY_TASK_ALWAYS_EAGER = True
