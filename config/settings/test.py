"""The test suite: `make test`. Uses DATABASE_URL / REDIS_URL when set, SQLite otherwise."""

import os
from urllib.parse import urlsplit, urlunsplit

from .local import *  # noqa: F403
from .local import BASE_DIR, REDIS_URL, STORAGES, env

# Under `pytest -n`, each worker ("gw0", "gw1", ...) keeps its own files and Redis database;
# pytest-django already gives each its own test database.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test_media" / (WORKER or "main")
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
EMAIL_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "email"
CORRESPONDENCE_TEXT_FILE_PATH = PRIVATE_MEDIA_ROOT / "outbox" / "texts"
AXES_ENABLED = True
# Nothing is kept between tests (a rolled-back account's id comes back in the next test); the
# access cache's own tests use a real one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Tests sign people in directly; the second factor's own tests turn it on.
SECOND_FACTOR_ENFORCED = False
AUDIT_ANCHOR_FILE = str(PRIVATE_MEDIA_ROOT / "audit-anchors.jsonl")

# The read replica is a second connection to the test database; only the tests that check the
# routing turn it on (core/tests/test_replica.py), since the other tests' rows, uncommitted in
# their transaction, are invisible to a second connection.
DATABASES = {**DATABASES, "replica": {**DATABASES["default"], "TEST": {"MIRROR": "default"}}}  # noqa: F405
CASEWORK_READ_REPLICA = False

# Tasks run in-process unless a test starts a real worker (those tests say so).
CELERY_TASK_ALWAYS_EAGER = True

# CI runs the suite as the application's PostgreSQL role, having created and migrated the
# test database as the owner (tests/app_role.py).
CASEWORK_TEST_APP_ROLE = env.bool("CASEWORK_TEST_APP_ROLE", default=False)

if WORKER and REDIS_URL:
    _redis = urlsplit(REDIS_URL)
    _database = int(_redis.path.strip("/") or 0) + int(WORKER.removeprefix("gw")) + 1
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_database % 16}"))
    CELERY_BROKER_URL = REDIS_URL
