"""Appointments: booking without double-booking, reminders two days before in the client's
language, a missed interview's task and notice, rescheduling with history, the calendar pages and
their queries, the iCalendar feed, and the on-call roster with its access.

Personas (conftest.py): `caseworker` (the assigned worker of `case`) and `supervisor` (their
team's), both North; `other_caseworker` (South); `admin` and `auditor`.
"""

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.access import client_scope
from accounts.services import on_call_shift_add, on_call_shift_cancel
from audit.models import AuditEvent
from casework import tasks as casework_tasks
from casework.models import Appointment, Task
from casework.services import appointments as services
from casework.services.tasks import task_complete
from casework.tests.counting import assert_constant
from clients.models import Client
from correspondence.models import Correspondence
from correspondence.services import letter_template_save
from tests.factories import ClientFactory, UserFactory, case_for

_serial = count(1)
# 10:00 in Chicago (daylight time) on Thursday 12 March 2026.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local (Chicago) moment in March 2026."""
    return timezone.make_aware(datetime(2026, 3, day, hour, minute))


@pytest.fixture
def spanish_client(north):
    return ClientFactory(office=north, first_name="Lucía", last_name="Ferrández", language="Spanish")


@pytest.fixture
def case(spanish_client, caseworker):
    return case_for(spanish_client, caseworker)


def book(case, worker, *, start, minutes=60, kind=Appointment.Kind.APPLICATION_INTERVIEW, by=None, **extra):
    return services.appointment_book(
        acting_user=by or worker,
        case=case,
        client=case.primary_client,
        worker=worker,
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        **extra,
    )


def run_reminders(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return casework_tasks.appointment_reminders_enqueue()


# Booking ----------------------------------------------------------------------------------


def test_a_worker_cannot_be_double_booked(case, caseworker):
    book(case, caseworker, start=at(16, 10))
    with pytest.raises(ValidationError) as refused:
        book(case, caseworker, start=at(16, 10, 30), kind=Appointment.Kind.OFFICE_VISIT)
    assert "already has an appointment from 2026-03-16 10:00 to 11:00" in str(refused.value)
    # Back to back is fine, and a cancelled appointment frees its time.
    book(case, caseworker, start=at(16, 11))
    services.appointment_mark(
        acting_user=caseworker,
        appointment=Appointment.objects.get(starts_at=at(16, 10)),
        to=Appointment.Status.CANCELLED,
        reason="Client asked",
    )
    book(case, caseworker, start=at(16, 10, 0), minutes=30)
    assert Appointment.objects.filter(status=Appointment.Status.SCHEDULED).count() == 2


def test_the_booking_page_shows_the_double_booking_refusal_and_keeps_what_was_typed(client, case, caseworker):
    book(case, caseworker, start=at(16, 10))
    client.force_login(caseworker)
    response = client.post(
        reverse("casework:appointment_book", args=[case.pk]),
        {
            "kind": "renewal_interview",
            "client": case.primary_client_id,
            "worker": caseworker.pk,
            "day": "2026-03-16",
            "start": "10:15",
            "minutes": "30",
            "place": "Room 4",
            "required": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has an appointment from 2026-03-16 10:00 to 11:00" in page
    assert 'value="Room 4"' in page
    assert Appointment.objects.count() == 1


def test_an_appointment_is_booked_for_a_worker_of_the_cases_office_and_a_time_to_come(
    case, caseworker, other_caseworker
):
    with pytest.raises(ValidationError) as refused:
        book(case, other_caseworker, start=at(16, 10), by=caseworker)
    assert "is not a worker of North Office" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        book(case, caseworker, start=at(11, 10))
    assert "a time still to come" in str(refused.value)


def test_rescheduling_keeps_the_old_appointment_pointing_to_the_new(case, caseworker):
    first = book(case, caseworker, start=at(16, 10))
    moved = services.appointment_reschedule(
        acting_user=caseworker, appointment=first, starts_at=at(16, 10, 30), ends_at=at(16, 11, 30), reason="Bus strike"
    )
    first.refresh_from_db()
    assert first.status == Appointment.Status.RESCHEDULED
    assert first.rescheduled_to == moved
    assert moved.status == Appointment.Status.SCHEDULED
    assert [c.to_status for c in first.status_changes.all()] == ["scheduled", "rescheduled"]
    assert first.status_changes.last().reason == "Bus strike"


# Reminders ---------------------------------------------------------------------------------


def test_a_reminder_goes_out_two_days_before_an_interview_in_the_clients_language(
    case, caseworker, django_capture_on_commit_callbacks
):
    interview = book(case, caseworker, start=at(16, 10), place="North Office, room 4")
    with time_machine.travel(at(13, 7), tick=False):  # three days before: not yet
        assert run_reminders(django_capture_on_commit_callbacks) == 0
    assert not Correspondence.objects.exists()
    with time_machine.travel(at(14, 7), tick=False):  # two days before
        assert run_reminders(django_capture_on_commit_callbacks) == 1
        assert run_reminders(django_capture_on_commit_callbacks) == 0  # the next run finds nothing left
        casework_tasks.appointment_remind(appointment_id=interview.pk)  # a duplicate message changes nothing
    reminder = Correspondence.objects.get()
    assert reminder.client == case.primary_client
    assert reminder.case == case
    assert reminder.template_code == "appointment_reminder"
    assert reminder.language == "es"
    assert reminder.subject.startswith("Recordatorio: su cita el")
    assert "North Office, room 4" in reminder.body
    interview.refresh_from_db()
    assert interview.reminder_sent_at == at(14, 7)


def test_a_client_with_no_safe_channel_gets_no_reminder_and_the_worker_sees_why(
    client, north, caseworker, django_capture_on_commit_callbacks
):
    hidden = ClientFactory(office=north, address_line1="", city="")
    case = case_for(hidden, caseworker)
    interview = book(case, caseworker, start=at(14, 10))
    run_reminders(django_capture_on_commit_callbacks)
    interview.refresh_from_db()
    assert interview.reminder_sent_at is None
    assert interview.reminder_problem
    assert not Correspondence.objects.exists()
    client.force_login(caseworker)
    page = client.get(reverse("casework:case_appointments", args=[case.pk])).content.decode()
    assert "Not sent:" in page


# Missed appointments ------------------------------------------------------------------------


def test_a_missed_interview_gives_a_task_and_a_notice_of_missed_interview(case, caseworker):
    interview = book(case, caseworker, start=at(12, 11))
    with pytest.raises(ValidationError, match="once it has started"):
        services.appointment_mark(acting_user=caseworker, appointment=interview, to=Appointment.Status.MISSED)
    with time_machine.travel(at(12, 12, 15), tick=False):
        services.appointment_mark(acting_user=caseworker, appointment=interview, to=Appointment.Status.MISSED)
    task = Task.objects.get(case=case)
    assert task.assignee == caseworker
    assert task.title.startswith("Missed application interview")
    assert "A notice of missed interview was sent" in task.details
    notice = Correspondence.objects.get()
    assert notice.template_code == "missed_interview_notice"
    assert notice.kind == Correspondence.Kind.NOTICE
    assert notice.language == "es"
    assert notice.subject == "Aviso de entrevista perdida"
    assert notice.sent_by == caseworker
    interview.refresh_from_db()
    assert interview.missed_notice_sent_at is not None


def test_a_missed_office_visit_gives_a_task_and_no_notice(case, caseworker):
    visit = book(case, caseworker, start=at(12, 11), kind=Appointment.Kind.OFFICE_VISIT)
    with time_machine.travel(at(12, 12, 15), tick=False):
        services.appointment_mark(acting_user=caseworker, appointment=visit, to=Appointment.Status.MISSED)
    assert Task.objects.filter(case=case).count() == 1
    assert not Correspondence.objects.exists()


def test_the_daily_job_tasks_each_unmarked_appointment_once(case, caseworker, django_capture_on_commit_callbacks):
    book(case, caseworker, start=at(12, 11))
    with time_machine.travel(at(13, 6, 45), tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                casework_tasks.appointments_flag_unmarked_enqueue()
    task = Task.objects.get(case=case)
    assert task.title.startswith(f"Mark whether {case.primary_client} came")


def test_a_case_conferences_agreed_action_becomes_a_task(case, caseworker, supervisor):
    conference = book(
        case,
        caseworker,
        start=at(16, 14),
        kind=Appointment.Kind.CASE_CONFERENCE,
        agenda="Housing plan",
        colleagues=[supervisor],
        outside_participants=[("Dana Roe", "Riverton Shelter")],
    )
    assert [str(p) for p in conference.participants.all()] == [str(supervisor), "Dana Roe (Riverton Shelter)"]
    task = services.appointment_action_add(
        acting_user=caseworker,
        appointment=conference,
        title="Call the landlord",
        due_on=at(20, 9).date(),
        assignee=supervisor,
    )
    assert task.assignee == supervisor
    assert "case conference of 2026-03-16 14:00" in task.details
    task_complete(acting_user=supervisor, task=task)


# Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 200), ("supervisor", 200), ("other_caseworker", 404), ("auditor", 404), ("admin", 404)],
)
def test_who_may_open_an_appointment(client, personas, case, caseworker, persona, status):
    appointment = book(case, caseworker, start=at(16, 10))
    client.force_login(personas[persona])
    assert client.get(reverse("casework:appointment_detail", args=[appointment.pk])).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 403), ("supervisor", 200), ("other_caseworker", 403), ("auditor", 403), ("admin", 403)],
)
def test_only_a_supervisor_opens_the_team_calendar(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("casework:team_calendar")).status_code == status


def test_a_caseworker_cannot_open_a_colleagues_calendar(client, caseworker, supervisor):
    client.force_login(caseworker)
    assert client.get(reverse("casework:calendar"), {"worker": supervisor.pk}).status_code == 404


# Measured on SQLite and PostgreSQL. The pages' own reads are one query (the week) and two (the
# team: its members, then their appointments); the rest is signing in, roles, permissions for the
# menu, and the read event naming the clients shown.
MAX_QUERIES = {"week": 14, "team": 15}


def _add_appointments(worker, supervisor, north):
    def add(n):
        for _ in range(n):
            i = next(_serial)
            someone = ClientFactory(office=north, last_name=f"Rowclient{i}")
            case = case_for(someone, worker, restricted=i % 4 == 0)
            day, slot = 16 + i % 5, i // 5
            start = at(day, 8) + timedelta(minutes=10 * slot)
            book(case, worker, start=start, minutes=10, kind=Appointment.Kind.OFFICE_VISIT)

    return add


def test_the_week_calendar_costs_the_same_queries_for_few_and_many_appointments(
    client, north, caseworker, supervisor, django_assert_max_num_queries
):
    north.maximum_caseload = north.recommended_caseload = 500
    north.save()
    client.force_login(caseworker)
    page = assert_constant(
        client,
        "week calendar",
        reverse("casework:calendar"),
        _add_appointments(caseworker, supervisor, north),
        MAX_QUERIES["week"],
        django_assert_max_num_queries,
        params={"day": "2026-03-16"},
    )
    assert page.count("Office visit with") == 50
    event = AuditEvent.objects.filter(object_repr="calendar").latest("id")
    assert event.subjects.count() == 50


def test_the_team_calendar_costs_the_same_queries_for_few_and_many_appointments(
    client, north, caseworker, supervisor, django_assert_max_num_queries
):
    north.maximum_caseload = north.recommended_caseload = 500
    north.save()
    client.force_login(supervisor)
    page = assert_constant(
        client,
        "team calendar",
        reverse("casework:team_calendar"),
        _add_appointments(caseworker, supervisor, north),
        MAX_QUERIES["team"],
        django_assert_max_num_queries,
        params={"day": "2026-03-16"},
    )
    assert page.count("Office visit with") == 10


# The calendar feed ---------------------------------------------------------------------------


def test_the_calendar_feed_names_no_client(client, case, caseworker):
    book(case, caseworker, start=at(16, 10), place="Lucía Ferrández's kitchen", phone="555-123-9876")
    client.force_login(caseworker)
    client.post(reverse("casework:calendar_feed_settings"))
    client.logout()
    token = caseworker.calendar_feed.token
    response = client.get(reverse("casework:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert f"SUMMARY:Application interview · case {case.number}\r\n" in body
    assert "DTSTART:20260316T150000Z" in body
    for private in ("Lucía", "Ferrández", "kitchen", "555-123-9876"):
        assert private not in body
    # A new address: the old one stops working.
    client.force_login(caseworker)
    client.post(reverse("casework:calendar_feed_settings"))
    client.logout()
    assert client.get(reverse("casework:calendar_feed", args=[token])).status_code == 404


# On call ---------------------------------------------------------------------------------------


@pytest.fixture
def not_shared(north):
    north.share_cases_in_office = False
    north.save(update_fields=["share_cases_in_office"])
    return north


@pytest.fixture
def colleague(north, supervisor):
    return UserFactory(username="north_colleague", office=north, team=supervisor.team, roles=["caseworker"])


def test_the_on_call_worker_finds_the_offices_unrestricted_clients_only_while_on_call(
    not_shared, caseworker, colleague, supervisor, south
):
    theirs = ClientFactory(office=not_shared, last_name="Colleagueclient")
    hidden = ClientFactory(office=not_shared, last_name="Hiddenclient")
    case_for(theirs, colleague)
    case_for(hidden, colleague, restricted=True)
    elsewhere = ClientFactory(office=south, last_name="Southclient")

    def visible():
        return set(Client.objects.filter(client_scope(caseworker)).values_list("last_name", flat=True))

    assert visible() == set()
    on_call_shift_add(
        acting_user=supervisor, office=not_shared, user=caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
    )
    assert visible() == set()  # not yet
    with time_machine.travel(at(12, 22), tick=False):
        assert visible() == {"Colleagueclient"}
        assert elsewhere.last_name not in visible()
    with time_machine.travel(at(13, 8), tick=False):
        assert visible() == set()  # the shift is over


def test_what_the_on_call_worker_reads_is_audited_as_on_call_access(
    client, not_shared, caseworker, colleague, supervisor
):
    theirs = ClientFactory(office=not_shared)
    case_for(theirs, colleague)
    on_call_shift_add(
        acting_user=supervisor, office=not_shared, user=caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
    )
    with time_machine.travel(at(12, 22), tick=False):
        client.force_login(caseworker)
        assert client.get(reverse("clients:detail", args=[theirs.pk])).status_code == 200
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, subjects__client_id=theirs.pk).latest("id")
    assert event.reason.startswith("On-call access: on call for North Office until 2026-03-13 08:00")


def test_reading_ones_own_client_during_a_shift_is_not_on_call_access(
    client, not_shared, caseworker, colleague, supervisor
):
    mine = ClientFactory(office=not_shared, last_name="Mineclient")
    theirs = ClientFactory(office=not_shared, last_name="Theirsclient")
    case_for(mine, caseworker)
    case_for(theirs, colleague)
    on_call_shift_add(
        acting_user=supervisor, office=not_shared, user=caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
    )

    def read(someone) -> AuditEvent:
        assert client.get(reverse("clients:detail", args=[someone.pk])).status_code == 200
        return AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, subjects__client_id=someone.pk).latest("id")

    with time_machine.travel(at(12, 22), tick=False):
        client.force_login(caseworker)
        assert read(mine).reason == ""
        assert read(theirs).reason.startswith("On-call access: on call for North Office")
        # A list naming both: the other worker's client makes it on-call access.
        assert client.get(reverse("clients:list")).status_code == 200
        listed = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).latest("id")
        assert set(listed.subjects.values_list("client_id", flat=True)) == {mine.pk, theirs.pk}
        assert listed.reason.startswith("On-call access")


def test_a_cancelled_shift_ends_on_call_access(not_shared, caseworker, colleague, supervisor):
    case_for(ClientFactory(office=not_shared), colleague)
    shift = on_call_shift_add(
        acting_user=supervisor, office=not_shared, user=caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
    )
    assert Client.objects.filter(client_scope(caseworker)).count() == 1
    on_call_shift_cancel(acting_user=supervisor, shift=shift)
    assert Client.objects.filter(client_scope(caseworker)).count() == 0


def test_the_roster_is_kept_by_the_offices_supervisors(north, caseworker, colleague, supervisor, other_caseworker):
    with pytest.raises(PermissionDenied):
        on_call_shift_add(acting_user=caseworker, office=north, user=colleague, starts_at=at(12, 17), ends_at=at(13, 8))
    with pytest.raises(ValidationError, match="not a caseworker or supervisor of North Office"):
        on_call_shift_add(
            acting_user=supervisor, office=north, user=other_caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
        )
    on_call_shift_add(acting_user=supervisor, office=north, user=colleague, starts_at=at(12, 17), ends_at=at(13, 8))
    with pytest.raises(ValidationError, match="already on call"):
        on_call_shift_add(acting_user=supervisor, office=north, user=colleague, starts_at=at(13, 7), ends_at=at(13, 20))


def test_the_home_page_shows_who_is_on_call(client, north, caseworker, colleague, supervisor):
    on_call_shift_add(acting_user=supervisor, office=north, user=colleague, starts_at=at(12, 8), ends_at=at(12, 20))
    client.force_login(caseworker)
    page = client.get(reverse("home")).content.decode()
    assert "On call now" in page
    assert f"{colleague} until 2026-03-12 20:00" in page


def test_a_supervisor_adds_a_shift_on_the_roster_page(client, north, colleague, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("casework:on_call_roster"),
        {"user": colleague.pk, "starts_at": "2026-03-12T17:00", "ends_at": "2026-03-13T08:00"},
    )
    assert response.status_code == 302
    page = client.get(reverse("casework:on_call_roster")).content.decode()
    assert str(colleague) in page


@pytest.mark.postgres
def test_the_database_refuses_overlapping_appointments_of_a_worker(case, caseworker):
    from django.db import IntegrityError, transaction

    first = book(case, caseworker, start=at(16, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            case=case,
            client=case.primary_client,
            worker=caseworker,
            kind=Appointment.Kind.OFFICE_VISIT,
            starts_at=first.starts_at + timedelta(minutes=30),
            ends_at=first.ends_at + timedelta(minutes=30),
            created_by=caseworker,
        )


def test_each_appointment_move_is_in_its_history_and_the_audit_trail_and_a_finished_one_stays(case, caseworker):
    visit = book(case, caseworker, start=at(16, 10), kind=Appointment.Kind.OFFICE_VISIT)
    services.appointment_mark(
        acting_user=caseworker, appointment=visit, to=Appointment.Status.CANCELLED, reason="Client moved away"
    )
    with pytest.raises(ValidationError, match="An appointment that is cancelled cannot become kept"):
        services.appointment_mark(acting_user=caseworker, appointment=visit, to=Appointment.Status.KEPT)

    booked, cancelled = visit.status_changes.all()
    assert (booked.from_status, booked.to_status, booked.changed_by) == ("", "scheduled", caseworker)
    assert (cancelled.from_status, cancelled.to_status, cancelled.reason) == (
        "scheduled",
        "cancelled",
        "Client moved away",
    )
    moves = AuditEvent.objects.filter(object_type="casework.appointment", object_id=str(visit.pk), action="update")
    assert [(e.changes["status"], e.reason) for e in moves] == [(["scheduled", "cancelled"], "Client moved away")]


def test_a_spanish_notice_names_the_appointment_in_spanish_whatever_the_workers_language(case, caseworker, admin_user):
    letter_template_save(
        acting_user=admin_user, code="missed_interview_notice", language="es",
        subject="Aviso de entrevista perdida", body="No asistió a su {{ appointment_kind }} del {{ appointment_at }}.",
    )  # fmt: skip
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    interview = book(case, caseworker, start=at(12, 11))
    with time_machine.travel(at(12, 12, 15), tick=False), translation.override("en"):
        services.appointment_mark(acting_user=caseworker, appointment=interview, to=Appointment.Status.MISSED)

    notice = Correspondence.objects.get()
    assert notice.language == "es"
    assert notice.body.startswith("No asistió a su Entrevista de solicitud del 12 de marzo de 2026")


def test_a_colleague_invited_to_a_case_conference_is_not_double_booked(case, caseworker, supervisor):
    book(case, supervisor, start=at(16, 14), kind=Appointment.Kind.OFFICE_VISIT)
    with pytest.raises(ValidationError) as refused:
        book(case, caseworker, start=at(16, 14, 30), kind=Appointment.Kind.CASE_CONFERENCE, colleagues=[supervisor])
    assert refused.value.message_dict == {
        "colleagues": [f"{supervisor} already has an appointment from 2026-03-16 14:00 to 15:00; "
                       "choose another time or another worker."]
    }  # fmt: skip
    assert not Appointment.objects.filter(kind=Appointment.Kind.CASE_CONFERENCE).exists()

    # Once at a conference, the colleague's time is taken for their own bookings too.
    book(case, caseworker, start=at(16, 16), kind=Appointment.Kind.CASE_CONFERENCE, colleagues=[supervisor])
    with pytest.raises(ValidationError, match="already has an appointment from 2026-03-16 16:00 to 17:00"):
        book(case, supervisor, start=at(16, 16, 30), kind=Appointment.Kind.OFFICE_VISIT)
