"""A payment run whose worker died mid-run is resumed by beat, without a person, and pays each enrollment once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db.models import Count

from assistance import tasks
from assistance.models import Issuance, PaymentRun
from assistance.tests.test_payment_run import active
from audit.models import AuditEvent
from config.celery import app
from config.schedules import BEAT_SCHEDULE
from core.models import OutboxJob

pytestmark = pytest.mark.django_db

PERIOD = date(2026, 3, 1)
STARTED = datetime(2026, 2, 25, 3, 0, tzinfo=UTC)
BATCH = "assistance.tasks.payment_run_batch"


@pytest.fixture(autouse=True)
def _stalled_after_ten_minutes(settings):
    settings.PAYMENT_RUN_STALLED_MINUTES = 10


def one_per_enrollment_and_month() -> bool:
    counts = Issuance.objects.filter(period=PERIOD).values("enrollment_id").annotate(n=Count("id"))
    return all(row["n"] == 1 for row in counts)


def start_and_lose_batches(caseworker, django_capture_on_commit_callbacks, *, pay_first: bool) -> PaymentRun:
    """Five enrollments in batches of two; the batches go to workers, and only the first (if any) is paid."""
    enrollments = [active(caseworker) for _ in range(5)]
    with time_machine.travel(STARTED, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            assert tasks.payment_run_enqueue("2026-03", batch_size=2) == 3
        batches = OutboxJob.objects.filter(task=BATCH).order_by("pk")
        assert batches.count() == 3
        batches.update(sent_at=STARTED)  # the workers took every batch; they die with them
        if pay_first:
            tasks.payment_run_batch_task(**batches[0].kwargs)
    assert Issuance.objects.filter(period=PERIOD).count() == (2 if pay_first else 0)
    run = PaymentRun.objects.get(period=PERIOD)
    assert run.status == PaymentRun.Status.RUNNING
    assert len(enrollments) == 5
    return run


def test_a_run_whose_worker_died_is_resumed_by_beat_and_pays_each_enrollment_once(
    caseworker, django_capture_on_commit_callbacks
):
    run = start_and_lose_batches(caseworker, django_capture_on_commit_callbacks, pay_first=True)

    with (
        time_machine.travel(STARTED + timedelta(minutes=9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.payment_runs_resume_stalled() == 0  # paid nine minutes ago: still moving
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.RUNNING and run.resumed_at is None
    assert OutboxJob.objects.filter(task=BATCH).count() == 3

    resumed = STARTED + timedelta(minutes=11)
    with time_machine.travel(resumed, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.payment_runs_resume_stalled(batch_size=2) == 1
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.COMPLETED and run.resumed_at == resumed
    assert run.report["issued"] == 5
    assert Issuance.objects.filter(period=PERIOD, payment_run=run).count() == 5
    assert one_per_enrollment_and_month()
    # Only the three enrollments still unpaid went out again, in two batches.
    again = OutboxJob.objects.filter(task=BATCH, created_at=resumed)
    assert sorted(len(job.kwargs["enrollment_ids"]) for job in again) == [1, 2]
    event = AuditEvent.objects.get(object_id=str(run.pk), reason__contains="No progress")
    assert "3 enrollments still to pay" in event.reason

    with time_machine.travel(resumed + timedelta(minutes=30), tick=False):
        assert tasks.payment_runs_resume_stalled() == 0  # completed: nothing to resume
    assert Issuance.objects.filter(period=PERIOD).count() == 5


def test_a_run_that_never_paid_is_resumed_and_a_resume_that_is_lost_too_is_tried_again(
    caseworker, django_capture_on_commit_callbacks
):
    run = start_and_lose_batches(caseworker, django_capture_on_commit_callbacks, pay_first=False)

    first = STARTED + timedelta(minutes=10, seconds=1)
    # Its batches are lost as well (nothing sends them).
    with time_machine.travel(first, tick=False), django_capture_on_commit_callbacks(execute=False):
        assert tasks.payment_runs_resume_stalled() == 1
    with time_machine.travel(first + timedelta(minutes=9), tick=False):
        assert tasks.payment_runs_resume_stalled() == 0  # just resumed: give it its minutes
    with (
        time_machine.travel(first + timedelta(minutes=11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.payment_runs_resume_stalled() == 1
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.COMPLETED
    assert Issuance.objects.filter(period=PERIOD).count() == 5 and one_per_enrollment_and_month()


def test_a_run_with_everything_paid_but_its_completion_lost_is_completed(
    caseworker, django_capture_on_commit_callbacks
):
    run = start_and_lose_batches(caseworker, django_capture_on_commit_callbacks, pay_first=True)
    with time_machine.travel(STARTED + timedelta(minutes=1), tick=False):
        for job in OutboxJob.objects.filter(task=BATCH).order_by("pk")[1:]:
            tasks.payment_run_batch_task.run(**job.kwargs)
    assert Issuance.objects.filter(period=PERIOD).count() == 5
    PaymentRun.objects.filter(pk=run.pk).update(status=PaymentRun.Status.RUNNING, report={}, finished_at=None)

    with (
        time_machine.travel(STARTED + timedelta(minutes=12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.payment_runs_resume_stalled() == 1
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.COMPLETED and run.report["issued"] == 5
    assert OutboxJob.objects.filter(task="assistance.tasks.payment_run_complete").count() == 1


def test_beat_looks_for_stalled_runs_every_two_minutes():
    entry = BEAT_SCHEDULE["assistance-payment-run-resume"]
    assert entry["task"] == "assistance.tasks.payment_runs_resume_stalled" and entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 2))
