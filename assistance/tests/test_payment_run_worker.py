"""A real Celery worker killed (-9) in the middle of a batch: the run still pays everyone once.

The killed batch comes back from Redis (its message was not acknowledged) or, if Redis keeps
it until the visibility timeout and the run stalls, beat's resume sends it again; either way
the run completes with one recurring issuance per enrollment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import psycopg2
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from assistance import tasks
from assistance.models import Issuance, PaymentRun
from assistance.services.runs import payment_run_start
from assistance.tests.test_payment_run import active
from config.celery import app
from core.tests.brokers import broker
from eligibility.services.reviews import job_user

PERIOD = date(2026, 3, 1)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def start_worker(name: str) -> subprocess.Popen:
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", f"--hostname={name}@%h"]
    command += ["--without-mingle", "--without-gossip", "--loglevel=warning"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def issued() -> int:
    return Issuance.objects.filter(period=PERIOD).count()


def test_a_worker_killed_mid_batch_still_ends_with_one_payment_per_enrollment(transactional_db, caseworker):
    enrollments = [active(caseworker) for _ in range(6)]
    run = payment_run_start(acting_user=job_user(), period=PERIOD)
    database = connection.settings_dict
    workers: list[subprocess.Popen] = []
    with broker(os.environ["REDIS_URL"]):
        with app.connection_for_write() as redis:
            redis.default_channel.client.flushdb()
        # Another session holds the run's row: the first batch to start waits on it, mid-task.
        holder = psycopg2.connect(
            host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
        )
        try:
            cursor = holder.cursor()
            cursor.execute("SELECT 1 FROM assistance_paymentrun WHERE id = %s FOR UPDATE", [run.pk])
            workers.append(start_worker("first"))
            assert tasks.payment_run_enqueue("2026-03", batch_size=2) == 3  # sent on commit

            def batch_waits() -> bool:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE '%%FOR SHARE%%'"
                )
                return cursor.fetchone()[0] == 1

            wait_for(batch_waits, seconds=120)  # the worker starts, takes a batch, waits
            workers[0].send_signal(signal.SIGKILL)  # the worker dies with its batch unacknowledged
            workers[0].wait(timeout=30)
        finally:
            holder.rollback()
            holder.close()
        try:
            workers.append(start_worker("second"))
            # The other batches are paid; the killed one comes back only when Redis hands it out again.
            wait_for(lambda: issued() >= 4)
            settled = [-1, time.monotonic()]

            def done_or_stalled() -> bool:
                if PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.COMPLETED:
                    return True
                if issued() != settled[0]:
                    settled[:] = [issued(), time.monotonic()]
                return time.monotonic() - settled[1] > 3

            wait_for(done_or_stalled)
            if PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.RUNNING:
                assert issued() == 4
                stalled = timezone.now() + timedelta(minutes=settings.PAYMENT_RUN_STALLED_MINUTES + 1)
                with time_machine.travel(stalled):
                    assert tasks.payment_runs_resume_stalled() == 1
            wait_for(lambda: PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.COMPLETED)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=30)
    run.refresh_from_db()
    assert run.report["issued"] == 6
    paid = sorted(Issuance.objects.filter(period=PERIOD).values_list("enrollment_id", flat=True))
    assert paid == sorted(e.pk for e in enrollments)  # one each, no one twice
