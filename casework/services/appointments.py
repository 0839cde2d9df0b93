"""Appointments: booking without double-booking the worker, marking kept or missed, rescheduling,
the client's reminder, the notice of a missed interview, and a case conference's actions."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from casework import events
from casework.events import appointment_event
from casework.models import Appointment, AppointmentParticipant, CalendarFeed, Case, Task
from casework.services.cases import case_client_ids
from casework.services.tasks import task_add, task_create
from clients.models import Client
from core.status import status_begin, status_check, status_move
from correspondence.services import correspondence_send

Action = AuditEvent.Action
Status = Appointment.Status

#: Appointments that hold the worker's time: a new one may not overlap them.
BUSY = (Status.SCHEDULED, Status.KEPT)

REMINDER_TEMPLATE = "appointment_reminder"
MISSED_INTERVIEW_TEMPLATE = "missed_interview_notice"
REMINDER_JOB = "appointment reminders"


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _check_worker_free(
    *, worker: User, starts_at: datetime, ends_at: datetime, ignore: int | None = None, field: str = "starts_at"
) -> None:
    """Refuse a time that overlaps another appointment the worker keeps, as its worker or as a
    colleague at a case conference. The caller holds the worker's row lock, so two bookings for
    the same worker are checked one after the other."""
    clash = (
        Appointment.objects.filter(Q(worker=worker) | Q(participants__user=worker))
        .filter(status__in=BUSY, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=ignore)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                field: f"{worker} already has an appointment from {_local(clash.starts_at)} "
                f"to {timezone.localtime(clash.ends_at):%H:%M}; choose another time or another worker."
            }
        )


def appointment_book(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    worker: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    phone: str = "",
    required: bool | None = None,
    agenda: str = "",
    colleagues: Iterable[User] = (),
    outside_participants: Iterable[tuple[str, str]] = (),
) -> Appointment:
    """Book an appointment with a client of the case, for a worker of its office (`_book`'s rules),
    and announce it to listeners (partner systems' webhooks)."""
    with transaction.atomic():
        appointment = _book(
            acting_user=acting_user, case=case, client=client, worker=worker, kind=kind, starts_at=starts_at,
            ends_at=ends_at, place=place, phone=phone, required=required, agenda=agenda, colleagues=colleagues,
            outside_participants=outside_participants,
        )  # fmt: skip
        appointment_event(appointment=appointment, event=events.BOOKED)
    return appointment


def _book(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    worker: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    phone: str = "",
    required: bool | None = None,
    agenda: str = "",
    colleagues: Iterable[User] = (),
    outside_participants: Iterable[tuple[str, str]] = (),
) -> Appointment:
    """Book an appointment with a client of the case, for a worker of its office.

    The worker is never double-booked: under a lock on the worker, a time overlapping one of their
    scheduled or kept appointments is refused. An interview is required unless said otherwise.
    A case conference may name colleagues and people outside the agency (name, organization).
    """
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors book appointments."))
    errors: dict[str, str] = {}
    if kind not in Appointment.Kind.values:
        errors["kind"] = "Choose a kind of appointment."
    if ends_at <= starts_at:
        errors["ends_at"] = "The appointment must end after it starts."
    elif starts_at < timezone.now():
        errors["starts_at"] = "An appointment is booked for a time still to come."
    if kind == Appointment.Kind.PHONE and not phone.strip():
        errors["phone"] = "Give the number to call."
    if kind == Appointment.Kind.HOME_VISIT and case.restricted and not place.strip():
        errors["place"] = "Say where the visit is; a restricted client's address is not printed for it."
    if case.status == Case.Status.CLOSED:
        errors["__all__"] = f"Case {case.number} is closed; reopen it before booking."
    if not worker.is_active or not access.may_work_cases(worker) or worker.office_id != case.office_id:
        errors["worker"] = f"{worker} is not a worker of {case.office}."
    if client.pk not in case_client_ids(case.pk):
        errors["client"] = f"{client} is not a client of case {case.number}."
    if errors:
        raise ValidationError(errors)
    if required is None:
        required = kind in Appointment.INTERVIEWS
    colleagues = [colleague for colleague in colleagues if colleague.pk != worker.pk]
    with transaction.atomic():
        # Everyone at it is locked, in one order (no deadlock between two bookings), and must be free.
        list(User.objects.select_for_update().filter(pk__in=[worker.pk, *(c.pk for c in colleagues)]).order_by("pk"))
        _check_worker_free(worker=worker, starts_at=starts_at, ends_at=ends_at)
        for colleague in colleagues:
            _check_worker_free(worker=colleague, starts_at=starts_at, ends_at=ends_at, field="colleagues")
        appointment = Appointment.objects.create(
            case=case,
            client=client,
            worker=worker,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place.strip(),
            phone=phone.strip(),
            required=required,
            agenda=agenda.strip(),
            created_by=acting_user,
        )
        AppointmentParticipant.objects.bulk_create(
            [AppointmentParticipant(appointment=appointment, user=colleague) for colleague in colleagues]
            + [
                AppointmentParticipant(appointment=appointment, name=name.strip(), organization=organization.strip())
                for name, organization in outside_participants
                if name.strip()
            ]
        )
        status_begin(appointment, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=appointment,
            client_ids=[appointment.client_id],
            changes={"status": [None, Status.SCHEDULED]},
        )
    return appointment


def _lock(appointment: Appointment, to: str) -> Appointment:
    """The appointment locked (its row only), refusing at once a move its TRANSITIONS do not allow."""
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case", "client", "worker")
        .get(pk=appointment.pk)
    )
    status_check(locked, to)
    return locked


def appointment_mark(*, acting_user: User, appointment: Appointment, to: str, reason: str = "") -> Appointment:
    """Mark an appointment kept, missed or cancelled.

    Kept and missed are for an appointment that has started. A missed one puts a follow-up task
    on the worker's list and, for a required interview, sends the client a notice of missed
    interview (for SNAP, 7 CFR 273.2(g)(3): the household that misses its interview is told it
    is responsible for rescheduling it).
    """
    if not access.may_work_cases(acting_user):
        raise PermissionDenied(_("Only caseworkers and supervisors mark appointments."))
    if to not in (Status.KEPT, Status.MISSED, Status.CANCELLED):
        raise ValidationError(_("An appointment is marked kept, missed or cancelled."))
    with transaction.atomic():
        appointment = _lock(appointment, to)
        if to in (Status.KEPT, Status.MISSED) and appointment.starts_at > timezone.now():
            raise ValidationError(_("An appointment is marked kept or missed once it has started."))
        if to == Status.CANCELLED and not reason.strip():
            raise ValidationError({"reason": _("Say why the appointment is cancelled.")})
        status_move(
            appointment, to=to, acting_user=acting_user, client_ids=[appointment.client_id], reason=reason.strip()
        )
        if to == Status.MISSED:
            _after_missed(appointment, acting_user=acting_user)
        if to == Status.CANCELLED:
            appointment_event(appointment=appointment, event=events.CANCELLED)
    return appointment


def _after_missed(appointment: Appointment, *, acting_user: User | None) -> None:
    """The follow-up task, and the notice of missed interview for a required interview (once each)."""
    problem = ""
    if appointment.required and appointment.is_interview and appointment.missed_notice_sent_at is None:
        try:
            with transaction.atomic():
                notice = correspondence_send(
                    client=appointment.client,
                    template=MISSED_INTERVIEW_TEMPLATE,
                    context=_letter_fields(appointment),
                    case=appointment.case,
                    sent_by=acting_user,
                    job="" if acting_user else REMINDER_JOB,
                )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            appointment.missed_notice_sent_at = timezone.now()
            appointment.missed_notice = notice
            appointment.save(update_fields=["missed_notice_sent_at", "missed_notice"])
    details = f"{appointment.get_kind_display()} on {_local(appointment.starts_at)} was missed."
    if appointment.missed_notice_sent_at:
        details += " A notice of missed interview was sent to the client."
    if problem:
        details += f" The notice of missed interview could not be sent: {problem} Reach the client another way."
    task_create(
        case=appointment.case,
        kind=Task.Kind.CALL_BACK,
        title=f"Missed {appointment.get_kind_display().lower()}: contact {appointment.client} to reschedule",
        details=details,
        due_on=timezone.localdate() + timedelta(days=2),
        assignee=appointment.worker,
        created_by=acting_user,
        dedupe_key=f"appointment-missed:{appointment.pk}",
    )


def appointment_reschedule(
    *,
    acting_user: User,
    appointment: Appointment,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    worker: User | None = None,
    place: str | None = None,
) -> Appointment:
    """Move an appointment to another time: a new appointment is booked and the old one is kept,
    marked rescheduled and pointing to it, so the history shows both."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the appointment moves.")})
    with transaction.atomic():
        old = _lock(appointment, Status.RESCHEDULED)
        # The old slot is freed first, so the worker may move an appointment to an overlapping time.
        status_move(
            old, to=Status.RESCHEDULED, acting_user=acting_user, client_ids=[old.client_id], reason=reason.strip()
        )
        new = _book(
            acting_user=acting_user,
            case=old.case,
            client=old.client,
            worker=worker or old.worker,
            kind=old.kind,
            starts_at=starts_at,
            ends_at=ends_at,
            place=old.place if place is None else place,
            phone=old.phone,
            required=old.required,
            agenda=old.agenda,
            colleagues=[p.user for p in old.participants.filter(user__isnull=False).select_related("user")],
            outside_participants=[(p.name, p.organization) for p in old.participants.filter(user__isnull=True)],
        )
        old.rescheduled_to = new
        old.save(update_fields=["rescheduled_to"])
        appointment_event(appointment=new, event=events.RESCHEDULED)
    return new


def appointment_action_add(
    *, acting_user: User, appointment: Appointment, title: str, due_on: date, assignee: User | None = None
) -> Task:
    """An action agreed at a case conference becomes a task on the case."""
    if appointment.kind != Appointment.Kind.CASE_CONFERENCE:
        raise ValidationError(_("Actions are agreed at case conferences."))
    return task_add(
        acting_user=acting_user,
        case=appointment.case,
        kind=Task.Kind.FOLLOW_UP,
        title=title,
        due_on=due_on,
        assignee=assignee,
        details=f"Agreed at the case conference of {_local(appointment.starts_at)}.",
    )


def _letter_fields(appointment: Appointment) -> dict:
    where = appointment.phone if appointment.kind == Appointment.Kind.PHONE else appointment.place
    return {
        # The label itself, untranslated until the letter is written: it then takes the letter's
        # language (as dates do), not the language of whoever happens to be sending it.
        "appointment_kind": Appointment.Kind(appointment.kind).label,
        "appointment_at": appointment.starts_at,
        "appointment_place": where,
        "appointment_worker": str(appointment.worker),
    }


def reminder_days() -> int:
    """How many days before an appointment the client is reminded (CASEWORK_APPOINTMENT_REMINDER_DAYS)."""
    return settings.APPOINTMENT_REMINDER_DAYS


def appointment_remind(*, appointment: Appointment) -> bool:
    """Send the client a reminder of a scheduled appointment, by their channel and in their language.

    Once: the appointment is locked and its `reminder_sent_at` set in the same transaction as the
    letter is recorded, so a job that runs twice sends one reminder. When no safe channel is known
    the reason is kept on the appointment for the worker, and the job does not try again.
    Returns whether a reminder was recorded now.
    """
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("case", "client", "worker")
            .get(pk=appointment.pk)
        )
        if (
            appointment.status != Status.SCHEDULED
            or appointment.reminder_sent_at is not None
            or appointment.reminder_problem
            or appointment.starts_at <= timezone.now()
        ):
            return False
        try:
            with transaction.atomic():
                reminder = correspondence_send(
                    client=appointment.client,
                    template=REMINDER_TEMPLATE,
                    context=_letter_fields(appointment),
                    case=appointment.case,
                    job=REMINDER_JOB,
                )
        except ValidationError as error:
            appointment.reminder_problem = " ".join(error.messages)[:1000]
            appointment.save(update_fields=["reminder_problem"])
            return False
        appointment.reminder_sent_at = timezone.now()
        appointment.reminder = reminder
        appointment.save(update_fields=["reminder_sent_at", "reminder"])
    return True


def appointment_flag_unmarked(*, appointment: Appointment) -> Task | None:
    """An appointment past its end that nobody marked kept or missed: a task for its worker, once."""
    appointment = Appointment.objects.select_related("case", "client", "worker").get(pk=appointment.pk)
    if appointment.status != Status.SCHEDULED or appointment.ends_at > timezone.now():
        return None
    return task_create(
        case=appointment.case,
        kind=Task.Kind.FOLLOW_UP,
        title=f"Mark whether {appointment.client} came to the {appointment.get_kind_display().lower()}",
        details=f"{appointment.get_kind_display()} on {_local(appointment.starts_at)} is still marked scheduled.",
        due_on=timezone.localdate(),
        assignee=appointment.worker,
        dedupe_key=f"appointment-unmarked:{appointment.pk}",
    )


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Give the worker a new secret calendar address; the old one stops working at once."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
        audit_record(
            actor=user,
            action=Action.UPDATE if not created else Action.CREATE,
            target=feed,
            changes={"token": ["(hidden)", "(hidden)"]},
        )
    return feed
