"""The main paths of employment services, through the real services."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from casework.models import Plan, Task, WorkActivity
from casework.selectors.attendance import participation_for
from casework.services import plans as plan_services
from casework.tests.plan_helpers import agreed_plan
from employment import services
from employment.models import JobOpening, JobReferral
from employment.selectors import opening_matches
from tests.factories import ClientFactory, case_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)  # a Thursday


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _opening(worker, **fields):
    employer = services.employer_create(acting_user=worker, name="Harbour Grocers", industry="Retail")
    fields.setdefault("skills", "Cash handling, customer service")
    return services.opening_create(
        acting_user=worker,
        employer=employer,
        title="Cashier",
        hourly_wage=Decimal("16.50"),
        weekly_hours=Decimal("30"),
        location="Water Street",
        closes_on=date(2026, 3, 31),
        **fields,
    )


def test_an_opening_is_filled_by_a_referred_client_with_retention_tasks(caseworker):
    opening = _opening(caseworker)
    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    unskilled = ClientFactory(office=caseworker.office)
    case_for(unskilled, caseworker)
    services.client_skills_add(acting_user=caseworker, client=client, skills="customer service, forklift")

    matches = opening_matches(user=caseworker, opening=opening)
    assert [m.client.pk for m in matches] == [client.pk]
    assert matches[0].skills == ["customer service"]

    referral = services.job_referral_create(acting_user=caseworker, opening=opening, case=case, client=client)
    services.job_referral_move(
        acting_user=caseworker, referral=referral, to=JobReferral.Status.INTERVIEW, interview_at=NOW + timedelta(days=2)
    )
    placement = services.placement_create(acting_user=caseworker, referral=referral, starts_on=date(2026, 3, 16))

    opening.refresh_from_db()
    referral.refresh_from_db()
    assert opening.status == JobOpening.Status.FILLED
    assert referral.status == JobReferral.Status.HIRED
    assert placement.hourly_wage == Decimal("16.50")
    due = sorted(Task.objects.filter(case=case, title__contains="retention").values_list("due_on", flat=True))
    assert due == [date(2026, 4, 15), date(2026, 6, 14), date(2026, 9, 12)]
    assert all(t.assignee == caseworker for t in Task.objects.filter(case=case, title__contains="retention"))
    # The job's hours are on the client's schedule, so the month counts them.
    assert placement.activity.weekly_hours == Decimal("30")
    assert placement.activity.work_activity is None  # the client has no employment plan
    with pytest.raises(ValidationError, match="filled"):
        services.job_referral_create(
            acting_user=caseworker, opening=opening, case=case_for(unskilled, caseworker), client=unskilled
        )


def test_a_worker_of_another_office_cannot_refer_a_client_they_may_not_see(caseworker, other_caseworker):
    opening = _opening(other_caseworker)
    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    assert opening_matches(user=other_caseworker, opening=opening) == []
    with pytest.raises(PermissionDenied):
        services.job_referral_create(acting_user=other_caseworker, opening=opening, case=case, client=client)


def test_a_group_sessions_attendance_reaches_each_participants_participation_hours(caseworker):
    session = services.group_session_create(
        acting_user=caseworker, kind="job_club", title="Tuesday job club", held_on=date(2026, 3, 10), hours=Decimal("3")
    )
    people = []
    for _ in range(2):
        client = ClientFactory(office=caseworker.office)
        case = case_for(client, caseworker)
        people.append(
            (client, case, services.roster_add(acting_user=caseworker, session=session, case=case, client=client))
        )

    services.group_attendance_record(
        acting_user=caseworker,
        session=session,
        rows=[
            services.SessionAttendance(entry_id=people[0][2].pk, hours_attended=Decimal("3")),
            services.SessionAttendance(entry_id=people[1][2].pk, hours_attended=Decimal("1.5")),
        ],
    )

    first = participation_for(case=people[0][1], client=people[0][0], year=2026, month=3)
    second = participation_for(case=people[1][1], client=people[1][0], year=2026, month=3)
    assert (first.required, first.attended) == (Decimal("3.00"), Decimal("3"))
    assert (second.required, second.attended) == (Decimal("3.00"), Decimal("1.5"))
    assert second.shortfall == Decimal("1.50")


def _hired(worker, client, case):
    referral = services.job_referral_create(acting_user=worker, opening=_opening(worker), case=case, client=client)
    return services.placement_create(acting_user=worker, referral=referral, starts_on=date(2026, 3, 16))


def test_a_placement_is_the_employment_activity_of_the_clients_plan_in_force(caseworker):
    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    plan = plan_services.plan_create(acting_user=caseworker, case=case, client=client, kind=Plan.Kind.EMPLOYMENT)
    goal = plan_services.plan_goal_add(acting_user=caseworker, plan=plan, description="Steady work", barrier="other")
    plan_services.plan_step_add(
        acting_user=caseworker, goal=goal, description="Apply for jobs", responsible="client",
        target_on=date(2026, 4, 1),
    )  # fmt: skip
    job = plan_services.plan_activity_add(
        acting_user=caseworker, plan=plan, kind=WorkActivity.Kind.EMPLOYMENT, weekly_hours=Decimal("30")
    )
    plan_services.plan_agree(acting_user=caseworker, plan=plan, agreed_on=date(2026, 3, 12))

    placement = _hired(caseworker, client, case)

    assert placement.activity.work_activity == job
    # The job's 30 hours a week from Monday 16 March: 16 days of March, 30 x 16 / 7 = 68.57 hours.
    assert participation_for(case=case, client=client, year=2026, month=3).required == Decimal("68.57")


def test_a_placement_links_no_activity_of_a_draft_plan_nor_of_another_kind(caseworker):
    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    agreed_plan(worker=caseworker, case=case, client=client)  # a job club only

    placement = _hired(caseworker, client, case)

    assert placement.activity.work_activity is None


def test_a_session_is_scheduled_for_its_hours_on_its_day_as_the_plans_job_club(caseworker):
    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    plan = agreed_plan(worker=caseworker, case=case, client=client)  # a job club of 20 h a week
    session = services.group_session_create(
        acting_user=caseworker, kind="job_club", title="Job club day", held_on=date(2026, 3, 31), hours=Decimal("12")
    )

    entry = services.roster_add(acting_user=caseworker, session=session, case=case, client=client)

    activity = entry.activity
    assert (activity.session_hours, activity.weekly_hours) == (Decimal("12"), None)
    assert activity.starts_on == activity.ends_on == date(2026, 3, 31)
    assert activity.work_activity == plan.work_activities.get(kind=WorkActivity.Kind.JOB_CLUB)
    assert participation_for(case=case, client=client, year=2026, month=3).required == Decimal("12.00")
    assert participation_for(case=case, client=client, year=2026, month=4).required == Decimal("0.00")


def test_a_session_runs_at_most_a_day(caseworker):
    with pytest.raises(ValidationError, match="at most 24"):
        services.group_session_create(
            acting_user=caseworker, kind="training", title="Too long", held_on=date(2026, 3, 10), hours=Decimal("25")
        )


def test_group_attendance_is_all_or_nothing(caseworker):
    session = services.group_session_create(
        acting_user=caseworker, kind="training", title="Forklift", held_on=date(2026, 3, 10), hours=Decimal("4")
    )
    entries = []
    for _ in range(2):
        client = ClientFactory(office=caseworker.office)
        entries.append(
            services.roster_add(
                acting_user=caseworker, session=session, case=case_for(client, caseworker), client=client
            )
        )
    with pytest.raises(ValidationError) as error:
        services.group_attendance_record(
            acting_user=caseworker,
            session=session,
            rows=[
                services.SessionAttendance(entry_id=entries[0].pk, hours_attended=Decimal("4")),
                services.SessionAttendance(entry_id=entries[1].pk, hours_attended=Decimal("30")),
            ],
        )
    assert "A day has 24 hours" in str(error.value)
    assert participation_for(case=entries[0].case, client=entries[0].client, year=2026, month=3).attended == 0
