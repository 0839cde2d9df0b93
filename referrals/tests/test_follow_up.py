"""The follow-up job: a referral with no move for its urgency's days (urgent 2, high 5,
routine 14) gives the case's worker a follow-up task, once, however often the job runs."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.models import Task
from config.celery import app
from config.schedules import BEAT_SCHEDULE
from referrals import services, tasks
from referrals.models import Referral
from referrals.selectors.referrals import referral_ids_due_follow_up
from referrals.tests.helpers import make_service, refer
from tests.factories import ClientFactory, case_for

# One frozen moment (10:00 in Chicago on 12 March 2026): "days without a move" count from the same day every run.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
S, U = Referral.Status, Referral.Urgency


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def make(north, caseworker):
    service = make_service()

    def make(urgency=U.ROUTINE, *, quiet_days=0, status=S.SENT):
        case = case_for(ClientFactory(office=north), caseworker)
        referral = refer(caseworker, case, service, shared=[], urgency=urgency, send=status != S.DRAFT)
        if status in (S.ACCEPTED, S.WITHDRAWN):
            referral = services.referral_move(acting_user=caseworker, referral=referral, to=status, reason="r")
        quiet(referral, quiet_days)
        return referral

    return make


def quiet(referral: Referral, days: int) -> None:
    """As if the last move was `days` days ago, at noon (set directly: a test cannot wait)."""
    moment = timezone.make_aware(datetime.combine(TODAY - timedelta(days=days), time(12)))
    Referral.objects.filter(pk=referral.pk).update(last_moved_at=moment)
    referral.refresh_from_db()


def follow_ups() -> list[Task]:
    return list(Task.objects.filter(kind=Task.Kind.FOLLOW_UP).order_by("id"))


@pytest.mark.parametrize(
    ("urgency", "days", "due"),
    [(U.URGENT, 1, False), (U.URGENT, 2, True), (U.HIGH, 4, False), (U.HIGH, 5, True),
     (U.ROUTINE, 13, False), (U.ROUTINE, 14, True)],
)  # fmt: skip
def test_a_referral_is_due_after_its_urgencys_days_without_a_move(make, today, urgency, days, due):
    referral = make(urgency, quiet_days=days)
    assert (referral.pk in referral_ids_due_follow_up(today=today)) is due


def test_closed_referrals_are_not_followed_up_but_drafts_and_accepted_ones_are(make, today):
    draft = make(quiet_days=30, status=S.DRAFT)
    accepted = make(quiet_days=30, status=S.ACCEPTED)
    withdrawn = make(quiet_days=30, status=S.WITHDRAWN)
    due = referral_ids_due_follow_up(today=today)
    assert draft.pk in due and accepted.pk in due and withdrawn.pk not in due


def test_the_worker_gets_one_task_however_often_the_job_runs(make, today, caseworker):
    referral = make(U.HIGH, quiet_days=6)

    first = services.referral_follow_up(referral_id=referral.pk, today=today)
    again = services.referral_follow_up(referral_id=referral.pk, today=today)
    tomorrow = services.referral_follow_up(referral_id=referral.pk, today=today + timedelta(days=1))

    assert first == again == tomorrow
    (task,) = follow_ups()
    assert (task.case, task.assignee, task.due_on) == (referral.case, caseworker, today)
    assert task.title == "Follow up the referral to Emergency food pantry"
    assert task.dedupe_key == f"referral-follow-up:{referral.pk}:{timezone.localdate(referral.last_moved_at)}"
    assert "sent since" in task.details and "high urgency" in task.details


def test_a_move_starts_a_new_quiet_spell_with_its_own_task(make, today, caseworker):
    referral = make(U.URGENT, quiet_days=3)
    services.referral_follow_up(referral_id=referral.pk, today=today)
    referral = services.referral_move(acting_user=caseworker, referral=referral, to=S.ACCEPTED)

    assert services.referral_follow_up(referral_id=referral.pk, today=today) is None  # it just moved
    quiet(referral, 2)
    services.referral_follow_up(referral_id=referral.pk, today=today)

    assert len(follow_ups()) == 2


def test_a_referral_that_moved_since_the_job_looked_is_left_alone(make, today, caseworker):
    referral = make(U.URGENT, quiet_days=3)
    due = referral_ids_due_follow_up(today=today)
    services.referral_move(acting_user=caseworker, referral=referral, to=S.WITHDRAWN, reason="Moved away")

    assert [services.referral_follow_up(referral_id=pk, today=today) for pk in due] == [None]
    assert follow_ups() == []


def test_the_beat_job_fans_out_one_task_per_referral_after_commit(make, today, django_capture_on_commit_callbacks):
    due = [make(U.URGENT, quiet_days=2), make(U.ROUTINE, quiet_days=20)]
    make(U.ROUTINE, quiet_days=3)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.referrals_enqueue_follow_ups.delay().get() == 2
    assert follow_ups() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.referrals_enqueue_follow_ups.delay(today.isoformat())  # run twice: no second task

    assert sorted(t.case_id for t in follow_ups()) == sorted(r.case_id for r in due)


def test_the_beat_schedule_names_a_registered_task():
    entry = BEAT_SCHEDULE["referrals-follow-ups"]
    assert entry["task"] == "referrals.tasks.referrals_enqueue_follow_ups"
    assert entry["task"] in app.tasks


def test_the_command_makes_the_tasks_once(make, today, capsys):
    make(U.URGENT, quiet_days=5)
    call_command("referral_follow_ups")
    call_command("referral_follow_ups", "--date", today.isoformat())
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{today}: 1 referral(s) due for follow-up; 1 new follow-up task(s).",
        f"{today}: 1 referral(s) due for follow-up; 0 new follow-up task(s).",
    ]


def test_the_days_can_be_set_in_settings(make, today, settings):
    referral = make(U.ROUTINE, quiet_days=7)
    assert referral.pk not in referral_ids_due_follow_up(today=today)
    settings.REFERRAL_FOLLOW_UP_DAYS = {"routine": 7}
    assert referral.pk in referral_ids_due_follow_up(today=today)
