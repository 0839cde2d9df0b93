"""Inquiries and complaints: recording one, responding to it, closing it.

From whoever they come (a client, a representative, an elected official's office, another
agency, the public), an inquiry is the office's: any caseworker or supervisor of the office
may handle it. A response is due by a date, ten working days after receipt unless set.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.access import case_scope, client_scope
from accounts.models import CaseAccess, User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, Inquiry
from clients.models import Client
from core.status import status_check, status_move

Action = AuditEvent.Action
Status = Inquiry.Status

RESPONSE_WORKING_DAYS = 10


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`.

    There is no holiday calendar in the system yet, so public holidays count as working days.
    """
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def inquiry_default_due_on(received_at: datetime) -> date:
    return add_working_days(timezone.localdate(received_at), RESPONSE_WORKING_DAYS)


def _check_may_handle(user: User, office_id: int) -> None:
    if not access.may_work_cases(user) or user.office_id is None or user.office_id != office_id:
        raise PermissionDenied("Only caseworkers and supervisors of the office handle its inquiries.")


def _choice(errors: dict, field: str, value: str, choices: type) -> None:
    if value not in choices.values:
        errors[field] = "Choose one of the options."


def inquiry_record(
    *,
    acting_user: User,
    kind: str,
    channel: str,
    source: str,
    subject: str,
    description: str,
    handled_by: User | None = None,
    requester_name: str = "",
    requester_contact: str = "",
    client_number: int | None = None,
    case_number: str = "",
    received_at: datetime | None = None,
    response_due_on: date | None = None,
) -> Inquiry:
    """Record an inquiry or complaint received by the acting user's office.

    The client and case are linked only if the acting user may see them (the access rule
    of `accounts.access`); a number they may not see is refused like one that does not
    exist. When both are given the client must be on the case. The response is due
    ten working days after receipt unless another date, not before receipt, is given.
    """
    office_id = acting_user.office_id
    if office_id is None:
        raise PermissionDenied("You need an office before you can record inquiries.")
    _check_may_handle(acting_user, office_id)
    handled_by = handled_by or acting_user
    received_at = received_at or timezone.now()
    errors: dict[str, str] = {}
    _choice(errors, "kind", kind, Inquiry.Kind)
    _choice(errors, "channel", channel, Inquiry.Channel)
    _choice(errors, "source", source, Inquiry.Source)
    _choice(errors, "subject", subject, Inquiry.Subject)
    if not description.strip():
        errors["description"] = "Say what the inquiry or complaint is about."
    if received_at > timezone.now() + timedelta(minutes=5):
        errors["received_at"] = "An inquiry cannot be received in the future."
    received_on = timezone.localdate(received_at)
    if response_due_on is None:
        response_due_on = inquiry_default_due_on(received_at)
    elif response_due_on < received_on:
        errors["response_due_on"] = "The response cannot be due before the inquiry was received."
    if not handled_by.is_active or not access.may_work_cases(handled_by) or handled_by.office_id != office_id:
        errors["handled_by"] = f"{handled_by} is not a caseworker or supervisor of this office."
    client = case = None
    if client_number is not None:
        client = Client.objects.filter(client_scope(acting_user), pk=client_number).first()
        if client is None:
            errors["client"] = f"There is no client numbered {client_number} that you may see."
    if case_number.strip():
        case = Case.objects.filter(case_scope(acting_user), number=case_number.strip()).first()
        if case is None:
            errors["case"] = f"There is no case {case_number.strip()} that you may see."
    if client and case and not CaseAccess.objects.filter(case_id=case.pk, client_id=client.pk).exists():
        errors["client"] = f"{client} is not on case {case.number}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            office_id=office_id,
            kind=kind,
            channel=channel,
            source=source,
            requester_name=requester_name.strip(),
            requester_contact=requester_contact.strip(),
            subject=subject,
            description=description.strip(),
            client=client,
            case=case,
            received_at=received_at,
            response_due_on=response_due_on,
            handled_by=handled_by,
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=inquiry,
            client_ids=[client.pk] if client else [],
            changes={
                "kind": [None, kind],
                "channel": [None, channel],
                "source": [None, source],
                "subject": [None, subject],
                "client_id": [None, client.pk if client else None],
                "case_id": [None, case.pk if case else None],
                "received_at": [None, received_at.isoformat()],
                "response_due_on": [None, response_due_on.isoformat()],
                "handled_by_id": [None, handled_by.pk],
            },
        )
    return inquiry


def inquiry_respond(*, acting_user: User, inquiry: Inquiry, response: str) -> Inquiry:
    """Record the response to an open inquiry: it becomes responded. A response needs its text."""
    _check_may_handle(acting_user, inquiry.office_id)
    with transaction.atomic():
        inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        status_check(inquiry, Status.RESPONDED)
        if not response.strip():
            raise ValidationError({"response": "Write the response before marking the inquiry responded."})
        status_move(
            inquiry,
            to=Status.RESPONDED,
            acting_user=acting_user,
            client_ids=[inquiry.client_id] if inquiry.client_id else [],
            also={"response": response.strip(), "responded_at": timezone.now()},
        )
    return inquiry


def inquiry_close(*, acting_user: User, inquiry: Inquiry) -> Inquiry:
    """Close an inquiry that has been responded to."""
    _check_may_handle(acting_user, inquiry.office_id)
    with transaction.atomic():
        status_move(
            inquiry,
            to=Status.CLOSED,
            acting_user=acting_user,
            client_ids=[inquiry.client_id] if inquiry.client_id else [],
        )
    return inquiry


def inquiry_view_record(*, acting_user: User, inquiry: Inquiry, client_visible: bool) -> None:
    """An inquiry linked to a client was shown: a read of that client's file, if the page named them."""
    if inquiry.client_id and client_visible:
        audit_record(
            actor=acting_user,
            action=Action.VIEW,
            target=inquiry,
            client_ids=[inquiry.client_id],
            changes={"page": "inquiry"},
        )
