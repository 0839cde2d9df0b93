"""Monthly work participation: the arithmetic alone (no database), then the review service and the command.

Worked numbers. A 30 h/week activity all of a 30-day month requires 30 x 30 / 7 = 128.571...
-> 128.57 hours; in a 31-day month 132.857... -> 132.86. Countable hours are those attended
plus the missed hours of an excused absence (6 scheduled, 2 attended, excused: 2 + 4 = 6).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from casework.models import Task
from casework.participation import (
    Day,
    Schedule,
    days_running,
    month_has_ended,
    parse_month,
    participation,
    previous_month,
    required_hours,
)
from casework.services import attendance as services
from casework.services.attendance import AttendanceRow
from casework.tests.plan_helpers import household_case, today

# One frozen moment (10:00 in Chicago on 12 March 2026): plan, schedule and month dates stay put while a test runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)

D = Decimal


def whole(year: int, month: int, hours: str) -> Schedule:
    """An activity running before, through and after the month."""
    return Schedule(weekly_hours=D(hours), starts_on=date(year - 1, 1, 1))


# The arithmetic, alone --------------------------------------------------------------------------


def test_30_hours_a_week_in_a_30_day_month_requires_128_57():
    assert required_hours([whole(2025, 9, "30")], 2025, 9) == D("128.57")


def test_30_hours_a_week_in_a_31_day_month_requires_132_86():
    assert required_hours([whole(2025, 10, "30")], 2025, 10) == D("132.86")


def test_february_of_a_leap_year_has_29_days():
    assert days_running(whole(2024, 2, "30"), 2024, 2) == 29
    assert required_hours([whole(2024, 2, "30")], 2024, 2) == D("124.29")  # 30 x 29 / 7 = 124.2857


def test_an_activity_counts_only_the_days_it_runs_in_the_month():
    starts_mid_month = Schedule(weekly_hours=D("20"), starts_on=date(2025, 9, 16))  # 15 days of September
    ends_early = Schedule(weekly_hours=D("10"), starts_on=date(2025, 8, 1), ends_on=date(2025, 9, 14))  # 14 days
    over = Schedule(weekly_hours=D("30"), starts_on=date(2025, 6, 1), ends_on=date(2025, 8, 31))
    later = Schedule(weekly_hours=D("30"), starts_on=date(2025, 10, 1))

    assert [days_running(s, 2025, 9) for s in (starts_mid_month, ends_early, over, later)] == [15, 14, 0, 0]
    # 20 x 15 / 7 = 42.857 and 10 x 14 / 7 = 20: 62.857... -> 62.86
    assert required_hours([starts_mid_month, ends_early, over, later], 2025, 9) == D("62.86")


def test_a_one_day_activity_runs_one_day():
    assert days_running(Schedule(D("7"), date(2025, 9, 30), date(2025, 9, 30)), 2025, 9) == 1
    assert required_hours([Schedule(D("7"), date(2025, 9, 30), date(2025, 9, 30))], 2025, 9) == D("1.00")


def test_a_one_day_session_requires_its_hours_in_its_own_month_only():
    session = Schedule(None, date(2025, 9, 30), date(2025, 9, 30), session_hours=D("3.5"))
    weekly = whole(2025, 9, "30")

    assert required_hours([session], 2025, 9) == D("3.50")
    assert required_hours([session], 2025, 10) == D("0.00")
    assert required_hours([session, weekly], 2025, 9) == D("132.07")  # 128.571... + 3.5, rounded once


def test_the_sum_is_rounded_once_not_term_by_term():
    """Three 1 h/week activities of one day each: 3 x 1/7 = 0.428... -> 0.43 (rounding each would give 0.42)."""
    one_day = [Schedule(D("1"), date(2025, 9, d), date(2025, 9, d)) for d in (1, 2, 3)]

    assert required_hours(one_day, 2025, 9) == D("0.43")


def test_no_activities_require_nothing():
    assert required_hours([], 2025, 9) == D("0.00")
    assert not participation([], [], 2025, 9).is_short


def test_countable_hours_are_attended_plus_excused_absences():
    days = [
        Day(date(2025, 9, 1), D("6"), D("6")),  # attended in full: 6
        Day(date(2025, 9, 2), D("6"), D("5")),  # one hour missed, not excused: 5
        Day(date(2025, 9, 3), D("6"), D("2"), excused=True),  # 2 attended + 4 excused = 6
        Day(date(2025, 9, 4), D("6"), D("0"), excused=True),  # 6 excused
        Day(date(2025, 9, 5), D("6"), D("8"), excused=True),  # attended more than scheduled: 8, nothing excused
        Day(date(2025, 8, 29), D("6"), D("6")),  # another month: ignored
    ]

    result = participation([whole(2025, 9, "30")], days, 2025, 9)

    assert (result.attended, result.excused, result.countable) == (D("21"), D("10"), D("31"))
    assert result.required == D("128.57")
    assert result.shortfall == D("97.57")
    assert result.is_short and not result.good_cause and result.needs_follow_up


def test_good_cause_on_any_day_of_the_month_means_no_follow_up():
    days = [Day(date(2025, 9, 1), D("6"), D("0")), Day(date(2025, 9, 2), D("6"), D("0"), good_cause="Child was ill")]

    result = participation([whole(2025, 9, "30")], days, 2025, 9)

    assert result.is_short and result.good_cause and not result.needs_follow_up


def test_good_cause_in_another_month_does_not_count():
    days = [Day(date(2025, 8, 31), D("6"), D("0"), good_cause="Car broke down"), Day(date(2025, 9, 1), D("6"), D("0"))]

    assert participation([whole(2025, 9, "30")], days, 2025, 9).needs_follow_up


def test_a_month_that_meets_the_requirement_is_not_short():
    schedule = Schedule(D("7"), date(2025, 9, 1), date(2025, 9, 7))  # 7 x 7/7 = 7 required
    days = [Day(date(2025, 9, d), D("1"), D("1")) for d in range(1, 8)]

    result = participation([schedule], days, 2025, 9)

    assert (result.required, result.countable, result.is_short) == (D("7.00"), D("7"), False)


def test_a_month_has_ended_once_its_last_day_is_past():
    assert not month_has_ended(2025, 9, date(2025, 9, 30))
    assert month_has_ended(2025, 9, date(2025, 10, 1))
    assert month_has_ended(2024, 12, date(2025, 1, 1))


def test_months_are_written_yyyy_mm():
    assert parse_month("2026-03") == (2026, 3)
    assert previous_month(date(2026, 1, 15)) == (2025, 12)
    for bad in ("2026-13", "2026-00", "March", "26-03", "2026/03", ""):
        with pytest.raises(ValueError):
            parse_month(bad)


# The review service ---------------------------------------------------------------------------------

MONTH = (2025, 9)  # September 2025: 30 days, the 1st a Monday, long past


@pytest.fixture
def case(north, caseworker):
    return household_case(office=north, worker=caseworker, first_name="Paloma", last_name="Workwell")


@pytest.fixture
def job_club(case, caseworker):
    """30 h/week all of September 2025: 128.57 hours required."""
    return services.scheduled_activity_create(
        acting_user=caseworker,
        case=case,
        client=case.primary_client,
        name="Job club",
        weekly_hours=D("30"),
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 9, 30),
    )


def attend_first_week(case, worker, activity, *, good_cause: str = "", hours: str = "6"):
    """Mon-Fri of 1-5 September, `hours` each; good cause on the Friday if given."""
    rows = [
        AttendanceRow(
            activity_id=activity.pk,
            day=date(2025, 9, d),
            hours_scheduled=D("6"),
            hours_attended=D(hours),
            good_cause=good_cause if d == 5 else "",
        )
        for d in range(1, 6)
    ]
    services.attendance_week_record(
        acting_user=worker, case=case, client=case.primary_client, monday=date(2025, 9, 1), rows=rows
    )


def test_a_short_month_without_good_cause_makes_one_participation_task_for_the_worker(case, caseworker, job_club):
    attend_first_week(case, caseworker, job_club)  # 30 of 128.57

    first = services.participation_review(case=case, client=case.primary_client, year=2025, month=9)
    second = services.participation_review(case=case, client=case.primary_client, year=2025, month=9)

    task = Task.objects.get()
    assert (first.task, second.task) == (task, task)
    assert (first.task_created, second.task_created) == (True, False)
    assert (task.kind, task.assignee, task.case, task.status) == ("participation", caseworker, case, "open")
    assert task.dedupe_key == f"participation:{case.primary_client_id}:2025-09"
    assert first.participation.required == D("128.57")
    assert first.participation.countable == D("30")
    assert "98.57 short" in task.details


def test_a_short_month_with_good_cause_makes_no_task(case, caseworker, job_club):
    attend_first_week(case, caseworker, job_club, good_cause="Shelter move; documented by letter")

    review = services.participation_review(case=case, client=case.primary_client, year=2025, month=9)

    assert review.participation.is_short
    assert review.task is None
    assert not Task.objects.exists()


def test_a_month_that_meets_the_requirement_makes_no_task(case, caseworker):
    short = services.scheduled_activity_create(
        acting_user=caseworker,
        case=case,
        client=case.primary_client,
        name="Resume workshop",
        weekly_hours=D("7"),
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 9, 5),
    )  # 7 x 5/7 = 5 hours required
    attend_first_week(case, caseworker, short, hours="1")

    review = services.participation_review(case=case, client=case.primary_client, year=2025, month=9)

    assert (review.participation.required, review.participation.countable) == (D("5.00"), D("5"))
    assert review.task is None


def test_a_month_not_yet_over_is_not_reviewed(case):
    this_month = today()

    with pytest.raises(ValidationError, match="has not ended"):
        services.participation_review(
            case=case, client=case.primary_client, year=this_month.year, month=this_month.month
        )


# The command ----------------------------------------------------------------------------------------------


def test_the_command_reviews_everyone_with_activities_that_month_and_running_it_again_changes_nothing(
    north, caseworker, case, job_club
):
    attend_first_week(case, caseworker, job_club)
    with_good_cause = household_case(office=north, worker=caseworker)
    other_club = services.scheduled_activity_create(
        acting_user=caseworker,
        case=with_good_cause,
        client=with_good_cause.primary_client,
        name="Job club",
        weekly_hours=D("30"),
        starts_on=date(2025, 9, 1),
    )
    attend_first_week(with_good_cause, caseworker, other_club, good_cause="Hospital stay")
    elsewhere_in_time = household_case(office=north, worker=caseworker)
    services.scheduled_activity_create(
        acting_user=caseworker,
        case=elsewhere_in_time,
        client=elsewhere_in_time.primary_client,
        name="Training",
        weekly_hours=D("20"),
        starts_on=date(2025, 11, 1),
    )

    out = StringIO()
    call_command("participation_review", "--month", "2025-09", stdout=out)
    call_command("participation_review", "--month", "2025-09", stdout=out)

    task = Task.objects.get()
    assert task.case == case
    runs = out.getvalue().splitlines()
    assert (
        runs[0]
        == "2025-09: reviewed 2 client(s) on their cases; 2 short of the requirement; 1 new participation task(s)."
    )
    assert (
        runs[1]
        == "2025-09: reviewed 2 client(s) on their cases; 2 short of the requirement; 0 new participation task(s)."
    )


def test_the_command_refuses_a_month_not_over_or_badly_written(db):
    this_month = today()
    for month in (f"{this_month:%Y-%m}", f"{this_month + timedelta(days=40):%Y-%m}", "2025-9x", "September"):
        with pytest.raises(CommandError):
            call_command("participation_review", "--month", month, stdout=StringIO())


def test_the_command_defaults_to_last_month(db):
    out = StringIO()

    call_command("participation_review", stdout=out)

    year, month = previous_month(today())
    assert out.getvalue().startswith(f"{year}-{month:02d}: reviewed 0 client(s)")


def test_the_monthly_job_fans_out_one_review_per_client_and_running_it_twice_makes_one_task(
    caseworker, case, job_club, django_capture_on_commit_callbacks, monkeypatch
):
    from casework import tasks

    attend_first_week(case, caseworker, job_club)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2025, 10, 15))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.participation_enqueue_month() == 1

    task = Task.objects.get()
    assert task.kind == "participation" and task.case == case


def test_a_family_is_read_from_its_household_members():
    """The rate's facts the household does not record, derived from its members on the first of the month."""
    from casework.participation import ZERO, family_from_members

    hours = Decimal("10")
    adult, parent = date(1990, 1, 1), True
    # A child turning 6 on 2 November is still under 6 on the 1st: 20 hours a week.
    single = family_from_members([(adult, parent, hours), (date(2019, 11, 2), False, ZERO)], 2025, 11)
    assert (single.two_parent, single.child_under_6, single.weekly_hours_required) == (False, True, Decimal("20"))
    # Two caretakers and a child: a two-parent family, whose hours add up to its 35 a week.
    two = family_from_members(
        [(adult, parent, hours), (adult, parent, Decimal("5")), (date(2010, 1, 1), False, ZERO)], 2025, 11
    )
    assert (two.two_parent, two.hours(), two.weekly_hours_required) == (True, Decimal("15"), Decimal("35"))
    # Two adults and no child are not a two-parent family; a caretaker under 18 is not a work-eligible adult.
    assert not family_from_members([(adult, parent, hours), (adult, parent, hours)], 2025, 11).two_parent
    assert family_from_members([(date(2010, 1, 1), parent, hours)], 2025, 11) is None
