"""The client registry: registering and correcting a person, their identifier, moving clients
between offices, break-glass access to a restricted file, and the reads worth recording."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import BreakGlassGrant, Office
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.identifiers import (
    identifier_decrypt,
    identifier_encrypt,
    identifier_format,
    identifier_hash,
    identifier_normalize,
)
from clients.models import (
    Client,
    Household,
    HouseholdMembership,
)
from clients.services.hooks import client_changed_notify

Action = AuditEvent.Action

CLIENT_FIELDS = [
    "office_id",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "address_confidential",
    "identifier_kind",
    "identifier_hash",
    "restricted",
    "merged_into_id",
]
SECRET_FIELDS = ["identifier_hash"]
# The identifier's kind changes only with the identifier itself (`_apply_identifier`).
EDITABLE_CLIENT_FIELDS = [
    name for name in CLIENT_FIELDS if name not in ("identifier_kind", "identifier_hash", "merged_into_id")
]
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass
class ClientInput:
    """What a form gives to create or change a client. `identifier` is as typed; blank keeps it."""

    first_name: str
    last_name: str
    date_of_birth: date
    middle_name: str = ""
    preferred_name: str = ""
    sex: str = Client.Sex.UNKNOWN
    gender: str = ""
    language: str = "English"
    interpreter_needed: bool = False
    phone: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    address_confidential: bool = False
    identifier_kind: str = ""
    identifier: str = ""
    restricted: bool = False

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ClientInput":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known and v is not None})


def _check_client_input(data: ClientInput, *, today: date) -> None:
    errors: dict[str, str] = {}
    if data.date_of_birth > today:
        errors["date_of_birth"] = "The date of birth cannot be in the future."
    elif data.date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = "Check the date of birth: it is before 1900."
    if data.identifier and not data.identifier_kind:
        errors["identifier_kind"] = "Choose whether this is a US SSN or a Canadian SIN."
    if errors:
        raise ValidationError(errors)


def _apply_identifier(client: Client, data: ClientInput) -> None:
    if not data.identifier:
        return
    try:
        digits = identifier_normalize(data.identifier_kind, data.identifier)
    except ValidationError as error:
        raise ValidationError({"identifier": error.messages}) from None
    hashed = identifier_hash(data.identifier_kind, digits)
    taken = Client.objects.filter(identifier_hash=hashed, merged_into__isnull=True).exclude(pk=client.pk)
    if taken.exists():
        # Say that it is taken, not by whom: the other client may be one this user may not see.
        message = "This identifier is already recorded for another client. Search for them or ask a supervisor."
        raise ValidationError({"identifier": message})
    client.identifier_kind = data.identifier_kind
    client.identifier_hash = hashed
    client.identifier_encrypted = identifier_encrypt(digits)
    client.identifier_last4 = digits[-4:]


def _save_client(client: Client, **kwargs) -> None:
    try:
        with transaction.atomic():
            client.save(**kwargs)
    except IntegrityError as error:
        if "identifier" in str(error):
            raise ValidationError({"identifier": "This identifier is already recorded for another client."}) from None
        raise


def client_create(*, acting_user, office: Office, data: ClientInput) -> Client:
    """Register one person. Refuses a future birth date and an identifier another client has."""
    _check_client_input(data, today=timezone.localdate())
    client = Client(office=office)
    for name in EDITABLE_CLIENT_FIELDS:
        if name != "office_id":
            setattr(client, name, getattr(data, name))
    with transaction.atomic():
        _apply_identifier(client, data)
        client.refresh_search_fields()
        _save_client(client)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=client,
            client_ids=[client.pk],
            changes=audit_diff({}, audit_snapshot(client, CLIENT_FIELDS), secret=SECRET_FIELDS),
        )
    return client


def client_update(*, acting_user, client: Client, data: ClientInput) -> Client:
    """Change a client's details; the trail keeps old and new values (the identifier only as 'changed')."""
    _check_client_input(data, today=timezone.localdate())
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        before = audit_snapshot(client, CLIENT_FIELDS)
        for name in EDITABLE_CLIENT_FIELDS:
            if name != "office_id":
                setattr(client, name, getattr(data, name))
        _apply_identifier(client, data)
        client.refresh_search_fields()
        changes = audit_diff(before, audit_snapshot(client, CLIENT_FIELDS), secret=SECRET_FIELDS)
        if not changes:
            return client
        client.updated_at = timezone.now()
        _save_client(client)
        audit_record(actor=acting_user, action=Action.UPDATE, target=client, client_ids=[client.pk], changes=changes)
        if "restricted" in changes:
            client_changed_notify(client)
    return client


def client_identifier_reveal(*, acting_user, client: Client) -> str:
    """The full identifier, for roles allowed to see it; each reveal is in the trail."""
    if not access.may_reveal_identifier(acting_user):
        raise PermissionDenied("Only supervisors and administrators see full identifiers.")
    if not client.identifier_encrypted:
        return ""
    audit_record(actor=acting_user, action=Action.REVEAL, target=client, client_ids=[client.pk])
    return identifier_format(client.identifier_kind, identifier_decrypt(client.identifier_encrypted))


def clients_office_move(
    *, acting_user, client_ids: set[int], household_ids: set[int], from_office_id: int, to_office_id: int, reason: str
) -> None:
    """Move these clients and households, where still registered at `from_office_id`, to another office.

    In the caller's transaction (the office transfer's acceptance); each move is audited, and
    each moved client's change hooks run, so the access rows of all their cases follow.
    """
    now = timezone.now()
    moved = list(Client.objects.select_for_update().filter(pk__in=client_ids, office_id=from_office_id))
    for client in moved:
        Client.objects.filter(pk=client.pk).update(office_id=to_office_id, updated_at=now)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            target=client,
            client_ids=[client.pk],
            changes={"office_id": [from_office_id, to_office_id]},
            reason=reason,
        )
    for household in Household.objects.select_for_update().filter(pk__in=household_ids, office_id=from_office_id):
        Household.objects.filter(pk=household.pk).update(office_id=to_office_id)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            target=household,
            client_ids=list(
                HouseholdMembership.objects.filter(household=household).values_list("client_id", flat=True)
            ),
            changes={"office_id": [from_office_id, to_office_id]},
            reason=reason,
        )
    for client in moved:
        client.office_id = to_office_id
        client_changed_notify(client)


def break_glass_open(*, acting_user, client: Client, reason: str) -> BreakGlassGrant:
    """An administrator opens a restricted client's file for a few hours, with a written reason."""
    if not access.may_break_glass(acting_user):
        raise PermissionDenied("Only administrators can use break-glass access.")
    if len(reason.strip()) < 15:
        raise ValidationError({"reason": "Write the reason in full (at least 15 characters): it goes in the trail."})
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=acting_user,
            client_id=client.pk,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + settings.BREAK_GLASS_DURATION,
        )
        audit_record(
            actor=acting_user,
            action=Action.BREAK_GLASS,
            target=client,
            client_ids=[client.pk],
            changes={"expires_at": [None, grant.expires_at.isoformat()]},
            reason=grant.reason,
        )
    return grant


def client_view_record(*, acting_user, client: Client, page: str) -> None:
    """A page of a client's file was shown."""
    audit_record(actor=acting_user, action=Action.VIEW, target=client, client_ids=[client.pk], changes={"page": page})


def client_search_record(*, acting_user, criteria: dict[str, Any], client_ids: list[int]) -> None:
    """A search or list of clients was shown: what was asked, and whom it showed."""
    audit_record(
        actor=acting_user,
        action=Action.SEARCH,
        object_type="clients.client",
        object_repr="client search",
        client_ids=client_ids,
        changes={"criteria": {k: v for k, v in criteria.items() if v}, "results": len(client_ids)},
    )
