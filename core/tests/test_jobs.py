"""The job outbox: a job written with its change, sent after the commit, kept while the broker is down."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from casework.models import Task
from config.schedules import BEAT_SCHEDULE
from core import jobs, tasks
from core.models import OutboxJob
from core.tests.brokers import CLOSED_BROKER, broker
from eligibility.models import Determination
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import FY2026, snap_enrollment

NOW = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)
REVIEW = "eligibility.tasks.enrollment_review_task"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def reviews(enrollment) -> list[Task]:
    return list(Task.objects.filter(case=enrollment.case, kind=Task.Kind.REVIEW))


@pytest.mark.django_db(transaction=True)
def test_approving_with_the_broker_down_succeeds_and_the_review_job_runs_once_when_it_is_back(
    client, caseworker, supervisor
):
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    client.force_login(supervisor)
    url = reverse("eligibility:determination_finalise", args=[determination.pk])

    with broker(CLOSED_BROKER):
        response = client.post(url, {"decision": "approve"})

    assert response.status_code == 302
    assert response["Location"] == reverse("eligibility:determination_detail", args=[determination.pk])
    determination.refresh_from_db()
    assert determination.status == Determination.Status.APPROVED
    job = OutboxJob.objects.get()
    assert (job.task, job.args, job.sent_at, job.attempts) == (REVIEW, [enrollment.pk], None, 1)
    assert "6390" in job.last_error  # the refused connection, for whoever looks
    assert reviews(enrollment) == []

    with broker(CLOSED_BROKER):
        assert tasks.jobs_relay_task() == 0  # still down: still pending
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 2

    with broker(None):
        assert tasks.jobs_relay_task() == 1
        assert tasks.jobs_relay_task() == 0  # sent once, not again
    job.refresh_from_db()
    assert job.sent_at == NOW and job.attempts == 3
    [review] = reviews(enrollment)
    assert review.assignee == caseworker and "2026-09-30" in review.title


def approve(worker) -> Determination:
    enrollment = snap_enrollment(worker)
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=FY2026)
    return determination_finalise(acting_user=worker, determination=determination, decision="approve")


@pytest.mark.django_db
def test_a_job_is_sent_after_its_write_commits_and_not_before(caseworker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrollment = approve(caseworker).enrollment
    job = OutboxJob.objects.get()
    assert (job.task, job.args, job.sent_at) == (REVIEW, [enrollment.pk], None)
    assert reviews(enrollment) == []

    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.sent_at == NOW and job.attempts == 1 and job.last_error == ""
    assert len(reviews(enrollment)) == 1
    assert tasks.jobs_relay_task() == 0


@pytest.mark.django_db
def test_a_write_rolled_back_takes_its_job_with_it(caseworker, django_capture_on_commit_callbacks):
    enrollment = snap_enrollment(caseworker)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.job_enqueue(REVIEW, enrollment.pk)
        raise RuntimeError("the write failed")
    assert callbacks == []
    assert not OutboxJob.objects.exists()


@pytest.mark.django_db
def test_the_relay_stops_at_the_first_refusal_and_later_sends_all_oldest_first(
    caseworker, django_capture_on_commit_callbacks
):
    with broker(CLOSED_BROKER):
        enrollments = []
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                enrollments.append(approve(caseworker).enrollment)
        assert jobs.jobs_relay() == 0
    # After the first refusal the quick tries that follow a commit wait: one connection attempt each time.
    assert list(OutboxJob.objects.values_list("attempts", flat=True)) == [2, 0, 0]
    assert all(reviews(enrollment) == [] for enrollment in enrollments)

    with broker(None):
        assert jobs.jobs_relay() == 3
    assert not OutboxJob.objects.filter(sent_at__isnull=True).exists()
    assert all(len(reviews(enrollment)) == 1 for enrollment in enrollments)


@pytest.mark.django_db
def test_sent_jobs_are_pruned_after_the_keeping_days_and_pending_ones_never(settings, caseworker):
    settings.OUTBOX_KEEP_DAYS = 7
    waiting, old, recent = (jobs.job_enqueue(REVIEW, approve(caseworker).enrollment_id) for _ in range(3))
    OutboxJob.objects.filter(pk=waiting.pk).update(created_at=NOW - timedelta(days=30))
    OutboxJob.objects.filter(pk=old.pk).update(sent_at=NOW - timedelta(days=7, seconds=1))
    OutboxJob.objects.filter(pk=recent.pk).update(sent_at=NOW - timedelta(days=6, hours=23))

    assert tasks.jobs_prune_task() == 1
    assert set(OutboxJob.objects.filter(task=REVIEW).values_list("pk", flat=True)) >= {waiting.pk, recent.pk}
    assert not OutboxJob.objects.filter(pk=old.pk).exists()


def test_beat_relays_every_minute_and_prunes_daily():
    from config.celery import app

    relay, prune = BEAT_SCHEDULE["core-jobs-relay"], BEAT_SCHEDULE["core-jobs-prune"]
    assert relay["task"] in app.tasks and prune["task"] in app.tasks
    assert relay["schedule"].minute == set(range(60))
    assert len(prune["schedule"].minute) == 1 and len(prune["schedule"].hour) == 1
