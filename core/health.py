"""`/healthz`: may this instance take requests? For the load balancer and the deploy script.

Answers 200 when the database answers, Redis answers (when the site uses it) and no migration
is waiting; 503 otherwise, saying which. No sign-in and nothing about any client.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in waiting[:5])
        raise RuntimeError(f"{len(waiting)} not applied ({names})")
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {}
    healthy = True
    for name, check in (("database", _database), ("migrations", _migrations), ("redis", _redis)):
        try:
            checks[name] = check()
        except Exception as error:  # any failure is the answer, not a crash
            checks[name] = f"failing: {type(error).__name__}: {error}"[:300]
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)
