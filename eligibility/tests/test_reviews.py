"""The periodic jobs: opening reviews, suspending overdue ones, and the nightly redetermination."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from audit.chain import AUDIT, chain_verify
from audit.models import AuditEvent
from casework.models import Task
from eligibility import tasks
from eligibility.models import Determination, Enrollment, EnrollmentStatusChange, JobClaim, Review
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from tests.factories import IncomeFactory

pytestmark = pytest.mark.django_db

DECIDED = date(2025, 10, 15)
#: The certification that approval gives: October 2025 to September 2026, reviewed at its end.
DUE = date(2026, 9, 30)
NOTICE = 10  # SNAP's notice days as shipped
RUN_NIGHT = date(2026, 3, 5)


def active_enrollment(worker, *, earnings: str = "900") -> Enrollment:
    enrollment = snap_enrollment(worker, earnings=earnings)
    # A run superseded before the decision stays a draft; it must not hold the jobs up.
    determination_run(acting_user=worker, enrollment=enrollment, as_of=DECIDED - timedelta(days=1))
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=DECIDED)
    determination_finalise(acting_user=worker, determination=determination, decision="approve")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.next_review_on == DUE
    return enrollment


def state(enrollments) -> list[tuple]:
    """What the jobs wrote for these enrollments, in a form two sets of enrollments can be compared by."""
    rows = []
    for enrollment in Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).order_by("pk"):
        rows.append(
            (
                enrollment.status,
                str(enrollment.monthly_amount),
                sorted((r.due_on, r.status, r.task.title if r.task else None) for r in enrollment.reviews.all()),
                sorted(
                    (d.status, d.is_redetermination, d.effective_on, str(d.monthly_amount))
                    for d in enrollment.determinations.all()
                ),
                sorted((t.title, t.kind) for t in Task.objects.filter(case=enrollment.case)),
                sorted(JobClaim.objects.filter(enrollment=enrollment).values_list("job", "run_on", "status")),
                enrollment.status_changes.count(),
                AuditEvent.objects.filter(
                    object_type__in=["eligibility.review", "eligibility.determination", "casework.task"],
                    subjects__client_id=enrollment.case.primary_client_id,
                ).count(),
            )
        )
    return rows


def test_a_review_is_opened_once_when_it_falls_within_the_notice_days(caseworker):
    enrollment = active_enrollment(caseworker)
    call_command("eligibility_reviews_open", date=(DUE - timedelta(days=NOTICE + 1)).isoformat())
    assert not Review.objects.exists()

    for day in range(3):
        call_command("eligibility_reviews_open", date=(DUE - timedelta(days=NOTICE - day)).isoformat())
    review = Review.objects.get()
    assert (review.enrollment, review.due_on, review.status) == (enrollment, DUE, Review.Status.OPEN)
    assert Task.objects.filter(case=enrollment.case, kind="review").count() == 1
    assert review.task.dedupe_key == f"eligibility-review-{enrollment.pk}-{DUE:%Y%m%d}"
    assert AuditEvent.objects.filter(object_type="eligibility.review", action="create").count() == 1


def test_the_beat_task_fans_out_on_commit_and_a_second_run_changes_nothing(
    caseworker, django_capture_on_commit_callbacks
):
    enrollments = [active_enrollment(caseworker) for _ in range(3)]
    run_on = (DUE - timedelta(days=NOTICE)).isoformat()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.reviews_enqueue_due.delay(run_on).get() == 3
    assert len(callbacks) == 3
    first = state(enrollments)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reviews_enqueue_due.delay(run_on)
        # The same small task delivered twice: its claim is gone, it does nothing.
        assert (
            tasks.eligibility_job_enrollment.delay(
                job="reviews_open", run_on=run_on, enrollment_id=enrollments[0].pk
            ).get()
            is False
        )
    assert state(enrollments) == first
    assert Review.objects.count() == 3


def test_an_overdue_review_suspends_the_enrollment_through_the_service_once(caseworker):
    enrollment = active_enrollment(caseworker)
    call_command("eligibility_reviews_open", date=(DUE - timedelta(days=NOTICE)).isoformat())
    grace = enrollment.program.grace_days
    call_command("eligibility_reviews_overdue", date=(DUE + timedelta(days=grace)).isoformat())
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE

    for day in (1, 2):
        call_command("eligibility_reviews_overdue", date=(DUE + timedelta(days=grace + day)).isoformat())
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SUSPENDED
    assert Review.objects.get().status == Review.Status.OVERDUE
    change = EnrollmentStatusChange.objects.get(enrollment=enrollment, to_status="suspended")
    assert change.changed_by.username == "casework-jobs" and "not completed" in change.reason
    assert AuditEvent.objects.filter(
        object_type="eligibility.enrollment", changes__status=["active", "suspended"]
    ).exists()
    assert Task.objects.filter(case=enrollment.case, title__contains="suspended").count() == 1


def test_a_decision_completes_the_open_review_and_nothing_becomes_overdue(caseworker):
    enrollment = active_enrollment(caseworker)
    call_command("eligibility_reviews_open", date=(DUE - timedelta(days=NOTICE)).isoformat())
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=DUE - timedelta(days=5))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    assert Review.objects.get().status == Review.Status.COMPLETED
    call_command("eligibility_reviews_overdue", date=(DUE + timedelta(days=60)).isoformat())
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


class Crash(Exception):
    pass


def crash_on_third(monkeypatch, module: str, name: str):
    """Make `module.name` raise on its third call, as a worker dying halfway through the job."""
    import importlib

    target = importlib.import_module(module)
    real = getattr(target, name)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Crash("the worker died")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)


@pytest.mark.parametrize(
    ("command", "run_on", "module", "name"),
    [
        ("eligibility_reviews_open", DUE - timedelta(days=NOTICE), "eligibility.services.reviews", "task_create"),
        ("eligibility_redetermine", RUN_NIGHT, "eligibility.services.redetermine", "task_create_many"),
    ],
)
def test_a_job_killed_halfway_and_run_again_leaves_what_one_clean_run_leaves(
    caseworker, monkeypatch, command, run_on, module, name
):
    def five_changed():
        enrollments = [active_enrollment(caseworker) for _ in range(5)]
        for enrollment in enrollments:
            IncomeFactory(
                client=enrollment.case.primary_client,
                kind="earned",
                amount=Decimal("300"),
                start_date=date(2026, 2, 10),
            )
        return enrollments

    clean = five_changed()
    call_command(command, date=run_on.isoformat(), batch_size=1)
    clean_state = state(clean)

    killed = five_changed()
    with monkeypatch.context() as patch:
        crash_on_third(patch, module, name)
        with pytest.raises(Crash):
            call_command(command, date=run_on.isoformat(), batch_size=1)
    halfway = state(killed)
    assert halfway[:2] == clean_state[:2] and halfway[2:] != clean_state[2:]
    call_command(command, date=run_on.isoformat(), batch_size=1)
    call_command(command, date=run_on.isoformat(), batch_size=1)
    assert state(killed) == clean_state
    assert state(clean) == clean_state


def test_only_changed_households_are_redetermined_in_a_batch(caseworker):
    unchanged, changed, also_unchanged = (active_enrollment(caseworker) for _ in range(3))
    IncomeFactory(
        client=changed.case.primary_client, kind="earned", amount=Decimal("300"), start_date=date(2026, 2, 10)
    )
    call_command("eligibility_redetermine", date=RUN_NIGHT.isoformat(), batch_size=500)
    assert [e.determinations.count() for e in (unchanged, changed, also_unchanged)] == [2, 3, 2]
    # The batch's events, written in bulk, have their place in the trail's hash chain.
    assert AuditEvent.objects.filter(reason__startswith="Household facts changed").exclude(seq=None).count() == 1
    assert chain_verify(AUDIT).problem == ""
    assert list(JobClaim.objects.values_list("status", flat=True).distinct()) == [JobClaim.Status.DONE]
    assert JobClaim.objects.count() == 3


def test_a_change_that_leaves_the_result_alone_is_recorded_without_asking_the_worker(caseworker):
    enrollment = active_enrollment(caseworker)
    IncomeFactory(
        client=enrollment.case.primary_client, kind="earned", amount=Decimal("0"), start_date=date(2026, 2, 10)
    )
    call_command("eligibility_redetermine", date=RUN_NIGHT.isoformat())
    recorded = enrollment.determinations.get(is_redetermination=True)
    assert recorded.status == Determination.Status.APPROVED and recorded.finalised_by.username == "casework-jobs"
    # Earnings from 10 February: March is the first whole month under them.
    assert recorded.monthly_amount == Decimal("144.00") and recorded.effective_on == date(2026, 3, 1)
    assert not Task.objects.filter(case=enrollment.case, title__startswith="Confirm").exists()
    # The recorded snapshot is the one the next night compares with: nothing more to do.
    call_command("eligibility_redetermine", date=(RUN_NIGHT + timedelta(days=1)).isoformat())
    assert enrollment.determinations.count() == 3


def test_a_changed_amount_waits_as_a_draft_redetermination_with_its_effective_month(caseworker):
    enrollment = active_enrollment(caseworker)
    IncomeFactory(
        client=enrollment.case.primary_client, kind="earned", amount=Decimal("300"), start_date=date(2026, 2, 10)
    )
    call_command("eligibility_redetermine", date=RUN_NIGHT.isoformat())
    call_command("eligibility_redetermine", date=(RUN_NIGHT + timedelta(days=1)).isoformat())

    draft = enrollment.determinations.get(status=Determination.Status.DRAFT, is_redetermination=True)
    assert draft.is_redetermination and draft.effective_on == date(2026, 3, 1)
    assert draft.effective_reason.startswith("Wages and salary of $300.00 (monthly) from 2026-02-10")
    assert draft.monthly_amount < enrollment.monthly_amount
    task = Task.objects.get(case=enrollment.case, title__startswith="Confirm redetermination")
    assert "March 2026" in task.title
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("144.00")  # unchanged until the worker confirms

    determination_finalise(acting_user=caseworker, determination=draft, decision="approve")
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == draft.monthly_amount
    # A change mid-certification does not start a new certification period.
    assert (enrollment.certification_end, enrollment.next_review_on) == (DUE, DUE)


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_runs_the_fanned_out_tasks_from_redis(transactional_db, caseworker):
    from celery.contrib.testing.worker import start_worker
    from celery.result import EagerResult

    from config.celery import app

    enrollment = active_enrollment(caseworker)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=settings.REDIS_URL, task_always_eager=False)
    try:
        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
            sent = tasks.reviews_enqueue_due.delay((DUE - timedelta(days=NOTICE)).isoformat())
            assert not isinstance(sent, EagerResult)  # it went through Redis to the worker thread
            deadline = time.monotonic() + 30
            while not Review.objects.filter(enrollment=enrollment).exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.update(saved)
    review = Review.objects.get(enrollment=enrollment)
    assert review.task.kind == Task.Kind.REVIEW
    assert JobClaim.objects.get(enrollment=enrollment).status == JobClaim.Status.DONE
