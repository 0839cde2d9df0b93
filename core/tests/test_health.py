"""`/healthz` for the load balancer: 200 when this instance can serve, 503 saying why not."""

from unittest import mock

import pytest
from django.urls import reverse


def test_healthy_when_the_database_answers_and_every_migration_is_applied(client, db, settings):
    settings.REDIS_URL = ""  # a site without Redis (tasks in-process)
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "redis": "not used"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_migration_not_yet_applied_makes_it_unhealthy(client, db):
    with mock.patch("django.db.migrations.executor.MigrationExecutor.migration_plan") as plan:
        waiting = mock.Mock(app_label="assistance")
        waiting.name = "0099_next"
        plan.return_value = [(waiting, False)]
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failing: RuntimeError: 1 not applied (assistance.0099_next)"


def test_redis_that_does_not_answer_makes_it_unhealthy(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("failing: ConnectionError")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.redis
def test_redis_that_answers_is_healthy(client, db, settings):
    response = client.get(reverse("healthz"))

    assert response.json()["checks"]["redis"] == "ok"


def test_it_tells_nothing_to_a_form_post(client, db):
    assert client.post(reverse("healthz")).status_code == 405
