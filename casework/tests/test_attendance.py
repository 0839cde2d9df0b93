"""Attendance: scheduling activities, a week entered on one screen (all or nothing), access and query counts.

The week used is 1-7 September 2025 (Monday to Sunday), long past. Schedules and entries are
made through `casework.services.attendance`.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import AttendanceEntry, ScheduledActivity
from casework.selectors.attendance import week_start
from casework.services import attendance as services
from casework.services.attendance import AttendanceRow
from casework.tests.plan_helpers import add_member, agreed_plan, draft_plan, household_case, today
from tests.factories import ClientFactory

# One frozen moment (10:00 in Chicago on 12 March 2026): plan, schedule and month dates stay put while a test runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)

D = Decimal
MONDAY = date(2025, 9, 1)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]
PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]


@pytest.fixture
def case(north, caseworker):
    return household_case(office=north, worker=caseworker, first_name="Ottoline", last_name="Northcott")


def schedule(case, worker, *, name="Job club", hours="30", starts_on=date(2025, 8, 1), ends_on=None, client=None):
    return services.scheduled_activity_create(
        acting_user=worker,
        case=case,
        client=client or case.primary_client,
        name=name,
        weekly_hours=D(hours),
        starts_on=starts_on,
        ends_on=ends_on,
    )


@pytest.fixture
def job_club(case, caseworker):
    return schedule(case, caseworker)


def week_url(case, client=None, monday=MONDAY) -> str:
    path = reverse("casework:attendance_week", args=[case.pk, (client or case.primary_client).pk])
    return f"{path}?week={monday.isoformat()}"


def week_post(cells: list[tuple]) -> dict:
    """POST data for the week's grid: one (activity, day, scheduled, attended[, excused, good_cause]) per cell."""
    data = {
        "day-TOTAL_FORMS": str(len(cells)),
        "day-INITIAL_FORMS": str(len(cells)),
        "day-MIN_NUM_FORMS": "0",
        "day-MAX_NUM_FORMS": "1000",
    }
    for i, (activity, day, scheduled, attended, *rest) in enumerate(cells):
        excused, good_cause = [*rest, False, ""][:2]
        data[f"day-{i}-cell"] = f"{activity.pk}:{day.isoformat()}"
        data[f"day-{i}-hours_scheduled"] = scheduled
        data[f"day-{i}-hours_attended"] = attended
        if excused:
            data[f"day-{i}-excused"] = "on"
        data[f"day-{i}-good_cause"] = good_cause
    return data


def full_week(activity, attended="6") -> list[tuple]:
    return [(activity, day, "6" if day.weekday() < 5 else "0", attended if day.weekday() < 5 else "0") for day in WEEK]


# A week on one screen ----------------------------------------------------------------------------


def test_the_week_screen_shows_the_7_days_of_each_running_activity_with_labelled_inputs(
    client, case, caseworker, job_club
):
    schedule(case, caseworker, name="GED class", hours="10", starts_on=date(2025, 9, 3))  # from Wednesday
    schedule(case, caseworker, name="Old training", hours="10", starts_on=date(2025, 1, 1), ends_on=date(2025, 8, 31))
    client.force_login(caseworker)

    response = client.get(week_url(case))

    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'name="day-\d+-hours_attended"', html)) == 7 + 5  # job club all week, GED class from Wed
    assert html.count("Not running this day") == 2
    assert "Old training" not in html
    assert 'value="6.00"' in html  # 30 h/week spread over the working days, as a starting point
    for field_id in re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, field_id


def test_a_caseworker_saves_a_week_of_7_days(client, case, caseworker, job_club):
    client.force_login(caseworker)

    response = client.post(week_url(case), week_post(full_week(job_club)))

    assert response.status_code == 302
    assert response.url == week_url(case)
    entries = list(AttendanceEntry.objects.order_by("day"))
    assert [e.day for e in entries] == WEEK
    assert [e.hours_attended for e in entries] == [D("6")] * 5 + [D("0")] * 2
    assert {e.entered_by for e in entries} == {caseworker}
    event = AuditEvent.objects.get(object_type="casework.attendanceentry")
    assert len(event.changes) == 7
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]
    page = client.get(response.url).content.decode()
    assert "Attendance saved" in page


def test_saving_the_week_again_replaces_the_entries_it_changes(client, case, caseworker, job_club):
    client.force_login(caseworker)
    client.post(week_url(case), week_post(full_week(job_club)))
    cells = full_week(job_club)
    cells[2] = (job_club, WEEK[2], "6", "2", True, "Clinic appointment")

    response = client.post(week_url(case), week_post(cells))

    assert response.status_code == 302
    assert AttendanceEntry.objects.count() == 7
    wednesday = AttendanceEntry.objects.get(day=WEEK[2])
    assert (wednesday.hours_attended, wednesday.excused, wednesday.good_cause) == (D("2"), True, "Clinic appointment")
    second = AuditEvent.objects.filter(object_type="casework.attendanceentry").order_by("-pk").first()
    assert list(second.changes) == [f"{WEEK[2].isoformat()} Job club (#{job_club.pk})"]


def test_25_hours_in_a_day_is_refused_next_to_the_field_and_nothing_is_saved(client, case, caseworker, job_club):
    client.force_login(caseworker)
    cells = full_week(job_club)
    cells[3] = (job_club, WEEK[3], "6", "25")

    response = client.post(week_url(case), week_post(cells))

    html = response.content.decode()
    assert response.status_code == 400
    assert not AttendanceEntry.objects.exists()
    error = re.search(r'id="id_day-3-hours_attended_errors">([^<]+)<', html)
    assert error and error.group(1) == "A day has 24 hours; enter 24 or less."
    assert re.search(r'<input[^>]*name="day-3-hours_attended"[^>]*aria-invalid="true"', html)
    assert 'value="25"' in html  # what was typed stays, to be corrected


def test_a_refused_week_leaves_the_entries_already_saved_as_they_were(client, case, caseworker, job_club):
    client.force_login(caseworker)
    client.post(week_url(case), week_post(full_week(job_club)))
    before = list(AttendanceEntry.objects.order_by("day").values_list("hours_attended", flat=True))
    cells = full_week(job_club, attended="4")
    cells[0] = (job_club, WEEK[0], "6", "-1")

    response = client.post(week_url(case), week_post(cells))

    assert response.status_code == 400
    assert "Hours cannot be negative." in response.content.decode()
    assert list(AttendanceEntry.objects.order_by("day").values_list("hours_attended", flat=True)) == before


def test_attended_hours_may_exceed_the_scheduled_hours(client, case, caseworker, job_club):
    client.force_login(caseworker)

    response = client.post(week_url(case), week_post([(job_club, WEEK[0], "6", "9.5")]))

    assert response.status_code == 302
    assert AttendanceEntry.objects.get().hours_attended == D("9.5")


def test_days_left_blank_are_not_saved(client, case, caseworker, job_club):
    client.force_login(caseworker)
    cells = [(job_club, day, "6", "6" if day == WEEK[0] else "") for day in WEEK]

    response = client.post(week_url(case), week_post(cells))

    assert response.status_code == 302
    assert list(AttendanceEntry.objects.values_list("day", flat=True)) == [WEEK[0]]


def test_an_excused_day_needs_its_hours_attended(client, case, caseworker, job_club):
    client.force_login(caseworker)

    response = client.post(week_url(case), week_post([(job_club, WEEK[0], "6", "", True, "Sick")]))

    assert response.status_code == 400
    assert "Enter the hours attended (0 if absent)." in response.content.decode()
    assert not AttendanceEntry.objects.exists()


def test_a_day_outside_the_activitys_dates_is_refused_next_to_the_field_and_nothing_is_saved(client, case, caseworker):
    from_wednesday = schedule(case, caseworker, name="GED class", starts_on=WEEK[2])
    client.force_login(caseworker)
    cells = [(from_wednesday, day, "2", "2") for day in WEEK[2:5]] + [(from_wednesday, WEEK[0], "2", "2")]

    response = client.post(week_url(case), week_post(cells))

    html = response.content.decode()
    assert response.status_code == 400
    assert not AttendanceEntry.objects.exists()
    error = re.search(r'id="id_day-3-hours_attended_errors">([^<]+)<', html)
    assert error and "outside its dates" in error.group(1)


def test_the_service_refuses_bad_rows_by_row_and_saves_nothing(case, caseworker, job_club):
    other = schedule(case, caseworker, name="Work site", hours="20")
    stranger = schedule(household_case(office=case.office, worker=caseworker), caseworker, name="Elsewhere")
    rows = [
        AttendanceRow(job_club.pk, WEEK[0], D("6"), D("6")),
        AttendanceRow(job_club.pk, WEEK[1], D("6"), D("14")),  # with the work site: 26 hours that day
        AttendanceRow(other.pk, WEEK[1], D("6"), D("12")),
        AttendanceRow(job_club.pk, date(2025, 9, 8), D("6"), D("6")),  # next week
        AttendanceRow(stranger.pk, WEEK[2], D("6"), D("6")),  # another case's activity
        AttendanceRow(job_club.pk, WEEK[0], D("6"), D("5")),  # Monday again
        AttendanceRow(job_club.pk, WEEK[3], D("-1"), D("30")),
    ]

    with pytest.raises(ValidationError) as refused:
        services.attendance_week_record(
            acting_user=caseworker, case=case, client=case.primary_client, monday=MONDAY, rows=rows
        )

    errors = refused.value.message_dict
    assert "0:" not in errors and "0:hours_attended" not in errors
    assert "across activities" in errors["1:hours_attended"][0] and "across activities" in errors["2:hours_attended"][0]
    assert "not in the week" in errors["3:hours_attended"][0]
    assert "not one of" in errors["4:"][0]
    assert "entered twice" in errors["5:"][0]
    assert errors["6:hours_scheduled"] == ["Hours cannot be negative."]
    assert errors["6:hours_attended"] == ["A day has 24 hours; enter 24 or less."]
    assert not AttendanceEntry.objects.exists()


def test_a_day_still_to_come_is_refused(case, caseworker):
    activity = schedule(case, caseworker, starts_on=today() - timedelta(days=30))
    monday = week_start(today() + timedelta(days=7))

    with pytest.raises(ValidationError) as refused:
        services.attendance_week_record(
            acting_user=caseworker,
            case=case,
            client=case.primary_client,
            monday=monday,
            rows=[AttendanceRow(activity.pk, monday, D("6"), D("6"))],
        )

    assert "has not come yet" in refused.value.message_dict["0:hours_attended"][0]


# Scheduling -------------------------------------------------------------------------------------------------


def test_an_activity_is_scheduled_for_a_client_of_the_case_with_sensible_dates_and_hours(case, caseworker, north):
    outsider = ClientFactory(office=north)

    with pytest.raises(ValidationError) as not_member:
        schedule(case, caseworker, client=outsider)
    with pytest.raises(ValidationError) as backwards:
        schedule(case, caseworker, starts_on=date(2025, 9, 10), ends_on=date(2025, 9, 1))
    with pytest.raises(ValidationError) as too_many:
        schedule(case, caseworker, hours="81")

    assert "client" in not_member.value.message_dict
    assert "ends_on" in backwards.value.message_dict
    assert "weekly_hours" in too_many.value.message_dict
    assert not ScheduledActivity.objects.exists()


def test_a_schedule_links_only_to_an_activity_of_the_clients_agreed_employment_plan(client, case, caseworker):
    draft = draft_plan(worker=caseworker, case=case)
    with pytest.raises(ValidationError) as refused:
        services.scheduled_activity_create(
            acting_user=caseworker,
            case=case,
            client=case.primary_client,
            name="Job club",
            weekly_hours=D("20"),
            starts_on=today(),
            work_activity=draft.work_activities.get(),
        )
    assert "as agreed" in str(refused.value)
    agreed = agreed_plan(worker=caseworker, case=case, kind="employment", client=add_member(case, office=case.office))
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:attendance_activity_add", args=[case.pk]),
        {
            "client": agreed.client_id,
            "work_activity": agreed.work_activities.get().pk,
            "name": "Job club at the Riverton center",
            "weekly_hours": "20",
            "starts_on": today().isoformat(),
        },
    )

    assert response.status_code == 302
    assert ScheduledActivity.objects.get().work_activity == agreed.work_activities.get()


def test_an_activity_cannot_end_before_attendance_already_recorded(client, case, caseworker, job_club):
    client.force_login(caseworker)
    client.post(week_url(case), week_post(full_week(job_club)))
    path = reverse("casework:attendance_activity_end", args=[case.pk, job_club.pk])

    refused = client.post(path, {"ends_on": "2025-09-03"})
    done = client.post(path, {"ends_on": "2025-09-07"})

    assert refused.status_code == 400
    assert "Attendance is recorded up to 2025-09-07." in refused.content.decode()
    assert done.status_code == 302
    job_club.refresh_from_db()
    assert job_club.ends_on == date(2025, 9, 7)


def test_the_attendance_tab_shows_the_months_hours_against_the_requirement(client, case, caseworker):
    club = schedule(case, caseworker, starts_on=date(2025, 9, 1), ends_on=date(2025, 9, 30))
    services.attendance_week_record(
        acting_user=caseworker,
        case=case,
        client=case.primary_client,
        monday=MONDAY,
        rows=[AttendanceRow(club.pk, day, D("6"), D("6")) for day in WEEK[:5]],
    )
    client.force_login(caseworker)

    html = client.get(reverse("casework:case_attendance", args=[case.pk]), {"month": "2025-09"}).content.decode()

    assert "30.00 of 128.57 hours" in html
    assert "Short by 98.57 h" in html


# Access ------------------------------------------------------------------------------------------------------


@dataclass
class AttendanceFile:
    case: object
    activity: ScheduledActivity


@pytest.fixture
def attendance_file(case, caseworker, job_club) -> AttendanceFile:
    return AttendanceFile(case=case, activity=job_club)


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: object
    method: str = "get"

    def path(self, f) -> str:
        return reverse(f"casework:{self.name}", kwargs=self.kwargs(f))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def statuses(caseworker, supervisor, other_caseworker, admin, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, (caseworker, supervisor, other_caseworker, admin, auditor), strict=True))


def _case(f):
    return {"pk": f.case.pk}


def _week(f):
    return {"pk": f.case.pk, "client_pk": f.case.primary_client_id}


def _activity(f):
    return {"pk": f.case.pk, "activity_pk": f.activity.pk}


READ = statuses(200, 200, 404, 404, 404)
WRITE_PAGE = statuses(200, 200, 404, 403, 403)
BAD_POST = statuses(400, 400, 404, 403, 403)

TABLE = [
    (Url("case_attendance", _case), READ),
    (Url("attendance_activity_add", _case), WRITE_PAGE),
    (Url("attendance_activity_add", _case, "post"), BAD_POST),
    (Url("attendance_activity_end", _activity), WRITE_PAGE),
    (Url("attendance_activity_end", _activity, "post"), BAD_POST),
    (Url("attendance_week", _week), WRITE_PAGE),
    (Url("attendance_week", _week, "post"), BAD_POST),
]


def test_the_table_covers_every_attendance_url():
    names = {p.name for p in casework_urls.urlpatterns if "attendance" in p.name}
    assert {url.name for url, _ in TABLE} == names


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives(client, personas, attendance_file, url, expected, persona):
    client.force_login(personas[persona])

    response = getattr(client, url.method)(url.path(attendance_file))

    assert response.status_code == expected[persona]
    if response.status_code in (403, 404):
        assert "Northcott" not in response.content.decode()
    if response.status_code == 200:
        assert "Ottoline Northcott" in response.content.decode()
    assert not AttendanceEntry.objects.exists()


@pytest.mark.parametrize("url", [url for url, _ in TABLE], ids=str)
def test_anonymous_visitor_is_sent_to_sign_in(client, attendance_file, url):
    response = getattr(client, url.method)(url.path(attendance_file))

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_a_client_not_on_the_case_has_no_week_page(client, case, caseworker, north):
    other_case = household_case(office=north, worker=caseworker)
    client.force_login(caseworker)

    response = client.get(reverse("casework:attendance_week", args=[case.pk, other_case.primary_client_id]))

    assert response.status_code == 404


def test_attendance_of_a_restricted_case_is_for_its_worker_and_their_supervisor(client, north, caseworker, supervisor):
    from tests.factories import UserFactory

    peer = UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])
    case = household_case(office=north, worker=caseworker, restricted=True)
    schedule(case, caseworker)
    for user, expected in ((caseworker, 200), (supervisor, 200), (peer, 404)):
        client.force_login(user)
        assert client.get(reverse("casework:case_attendance", args=[case.pk])).status_code == expected
        assert client.get(week_url(case)).status_code == expected


# Query counts ----------------------------------------------------------------------------------------------

SMALL, LARGE = 5, 50
MAX_QUERIES = {"attendance": 17, "week": 18}  # measured on SQLite and PostgreSQL


def load(client, path, params, ceiling, django_assert_max_num_queries) -> tuple[int, str]:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def assert_constant(client, page, path, add_rows, django_assert_max_num_queries, params=None) -> str:
    params = params or {}
    add_rows(SMALL)
    client.get(path, params)  # warm up
    small, _ = load(client, path, params, MAX_QUERIES[page], django_assert_max_num_queries)
    add_rows(LARGE - SMALL)
    large, html = load(client, path, params, MAX_QUERIES[page], django_assert_max_num_queries)
    assert small == large, f"{page}: {small} queries for {SMALL} rows but {large} for {LARGE}"
    return html


def test_attendance_tab_queries_do_not_grow_with_activities(client, north, caseworker, django_assert_max_num_queries):
    case = household_case(office=north, worker=caseworker)
    members = [case.primary_client, add_member(case, office=north), add_member(case, office=north)]
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            activity = schedule(case, caseworker, name=f"Activity {i}", hours="10", client=members[i % 3])
            services.attendance_week_record(
                acting_user=caseworker,
                case=case,
                client=activity.client,
                monday=MONDAY,
                rows=[AttendanceRow(activity.pk, day, D("2"), D("1"), excused=True) for day in WEEK[:5]],
            )

    client.force_login(caseworker)
    html = assert_constant(
        client,
        "attendance",
        reverse("casework:case_attendance", args=[case.pk]),
        add_rows,
        django_assert_max_num_queries,
        params={"month": "2025-09"},
    )
    assert html.count("<td>Activity ") == LARGE


def test_week_page_queries_do_not_grow_with_activities(client, north, caseworker, django_assert_max_num_queries):
    case = household_case(office=north, worker=caseworker)
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            activity = schedule(case, caseworker, name=f"Activity {next(counter)}", hours="1")
            services.attendance_week_record(
                acting_user=caseworker,
                case=case,
                client=case.primary_client,
                monday=MONDAY,
                rows=[AttendanceRow(activity.pk, WEEK[0], D("0.1"), D("0.1"))],
            )

    client.force_login(caseworker)
    html = assert_constant(client, "week", week_url(case), add_rows, django_assert_max_num_queries)
    assert len(re.findall(r'name="day-\d+-hours_attended"', html)) == LARGE * 7
