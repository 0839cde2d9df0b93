"""A real Celery worker killed (-9) in the middle of a batch: the run stalls, and beat's resume finishes it."""

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
from core.users import job_user

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


def only_the_killed_batch_is_left() -> bool:
    """Nothing waits in the queue and one message is out unacknowledged: the killed worker's batch.

    The workers acknowledge a batch only once it is done (late acknowledgement), so with every other
    batch paid the run cannot move again until that message comes back or the run is resumed.
    """
    with app.connection_for_write() as redis:
        client = redis.default_channel.client
        queued = client.llen(app.conf.task_default_queue)
        unacknowledged = client.hlen(redis.default_channel.unacked_key)
    return queued == 0 and unacknowledged == 1


def issued() -> int:
    return Issuance.objects.filter(period=PERIOD).count()


def test_a_worker_killed_mid_batch_stalls_the_run_and_beat_resumes_it_to_one_payment_each(transactional_db, caseworker):
    enrollments = [active(caseworker) for _ in range(6)]
    run = payment_run_start(acting_user=job_user(), period=PERIOD)
    workers: list[subprocess.Popen] = []
    try:
        with broker(settings.REDIS_URL):  # this test process's own Redis database, as the worker's
            pay_with_a_worker_killed_mid_batch(run, workers)
            workers.append(start_worker("second"))
            # The other batches are paid; the killed one stays unacknowledged in Redis until the
            # visibility timeout, so the run stops moving with two enrollments unpaid.
            wait_for(lambda: issued() == 4 and only_the_killed_batch_is_left())
            assert issued() == 4
            assert PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.RUNNING

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


def pay_with_a_worker_killed_mid_batch(run: PaymentRun, workers: list[subprocess.Popen]) -> None:
    """Send the run's three batches to a worker and kill it (-9) while its first batch waits on a lock."""
    with app.connection_for_write() as redis:
        redis.default_channel.client.flushdb()
    database = connection.settings_dict
    holder = psycopg2.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname=database["NAME"]
    )
    try:
        # Another session holds the run's row: the first batch to start waits on it, mid-task.
        cursor = holder.cursor()
        cursor.execute("SELECT 1 FROM assistance_paymentrun WHERE id = %s FOR UPDATE", [run.pk])
        workers.append(start_worker("first"))
        assert tasks.payment_run_enqueue("2026-03", batch_size=2) == 3  # sent on commit

        def batch_waits() -> bool:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is read once per transaction otherwise
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE '%FOR SHARE%'"
            )
            return cursor.fetchone()[0] == 1

        wait_for(batch_waits, seconds=120)  # the worker starts, takes a batch, waits
        workers[0].send_signal(signal.SIGKILL)  # it dies with its batch unacknowledged
        workers[0].wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
