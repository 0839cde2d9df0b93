"""Production's databases: the primary from DATABASE_URL (required), the read replica from
DATABASE_REPLICA_URL when there is one, read by the same lines as every other setting."""

import json
import os
import subprocess
import sys

from django.conf import settings

PRINT = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({k: s.DATABASES[k].get('HOST') for k in s.DATABASES} | {'on': s.CASEWORK_READ_REPLICA}))"
)


def _production(**environment) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "secret",
        "DJANGO_ALLOWED_HOSTS": "casework.example.org",
        "CASEWORK_FIELD_ENCRYPTION_KEYS": "key",
        "CASEWORK_IDENTIFIER_HASH_KEY": "hash",
        "REDIS_URL": "redis://redis:6379/0",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_production_reads_from_the_replica_it_is_given():
    done = _production(
        DATABASE_URL="postgres://app@primary/casework", DATABASE_REPLICA_URL="postgres://app@replica/casework"
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"default": "primary", "replica": "replica", "on": True}

    done = _production(DATABASE_URL="postgres://app@primary/casework")
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"default": "primary", "on": False}


def test_production_refuses_to_start_without_a_database():
    done = _production()
    assert done.returncode != 0
    assert "Set DATABASE_URL" in done.stderr
