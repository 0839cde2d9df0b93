"""Every change to the client registry: one transaction, one audit event, each."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accounts import access
from accounts.models import BreakGlassGrant, Office
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.facts import person_facts_before_merge
from clients.identifiers import (
    identifier_decrypt,
    identifier_encrypt,
    identifier_format,
    identifier_hash,
    identifier_normalize,
)
from clients.models import (
    Asset,
    Client,
    Consent,
    Document,
    Expense,
    Household,
    HouseholdMembership,
    Income,
    PersonFact,
)
from clients.uploads import content_problem

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
CENT = Decimal("0.01")


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
            _client_changed(client)
    return client


def client_identifier_reveal(*, acting_user, client: Client) -> str:
    """The full identifier, for roles allowed to see it; each reveal is in the trail."""
    if not access.may_reveal_identifier(acting_user):
        raise PermissionDenied("Only supervisors and administrators see full identifiers.")
    if not client.identifier_encrypted:
        return ""
    audit_record(actor=acting_user, action=Action.REVEAL, target=client, client_ids=[client.pk])
    return identifier_format(client.identifier_kind, identifier_decrypt(client.identifier_encrypted))


# Households -----------------------------------------------------------------------------


class MemberError(ValidationError):
    """A member of a household being registered could not be saved; `index` says which."""

    def __init__(self, *, index: int, error: ValidationError):
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.error_list)
        self.index = index


@dataclass
class MemberInput:
    """One member of a household being registered: an existing client, or a new one."""

    relationship: str
    existing: Client | None = None
    new: ClientInput | None = None


def _membership_start(*, acting_user, household: Household, client: Client, relationship: str, day: date):
    current = HouseholdMembership.objects.select_for_update().filter(client=client, end_date__isnull=True).first()
    if current is not None:
        if current.household_id == household.pk:
            return current
        current.end_date = day
        current.save(update_fields=["end_date"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=current,
            client_ids=[client.pk],
            changes={"end_date": [None, day.isoformat()]},
        )
    membership = HouseholdMembership.objects.create(
        household=household, client=client, relationship=relationship, start_date=day
    )
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        target=membership,
        client_ids=[client.pk],
        changes={"household_id": [None, household.pk], "relationship": [None, relationship]},
    )
    _client_changed(client)
    return membership


def household_register(
    *, acting_user, office: Office, members: list[MemberInput], name: str = "", start_date: date | None = None
) -> Household:
    """Register a household and its members in one step; nothing is saved unless all of it is.

    The first member is the head. An existing client who joins leaves their current household
    (their membership there ends today and stays in the history).
    """
    if not members:
        raise ValidationError("A household needs at least one member.")
    heads = [m for m in members if m.relationship == HouseholdMembership.Relationship.HEAD]
    if len(heads) != 1:
        raise ValidationError("A household has exactly one head.")
    day = start_date or timezone.localdate()
    with transaction.atomic():
        clients: list[tuple[Client, str]] = []
        for index, member in enumerate(members):
            try:
                client = member.existing or client_create(acting_user=acting_user, office=office, data=member.new)
            except ValidationError as error:
                raise MemberError(index=index, error=error) from None
            clients.append((client, member.relationship))
        ids = [c.pk for c, _ in clients]
        if len(set(ids)) != len(ids):
            raise ValidationError("The same client is listed twice in this household.")
        head = next(c for c, rel in clients if rel == HouseholdMembership.Relationship.HEAD)
        household = Household.objects.create(office=office, name=name or f"{head.last_name} household")
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=household,
            client_ids=ids,
            changes={"name": [None, household.name], "office_id": [None, office.pk]},
        )
        for client, relationship in clients:
            _membership_start(
                acting_user=acting_user, household=household, client=client, relationship=relationship, day=day
            )
    return household


def household_member_end(*, acting_user, membership: HouseholdMembership, end_date: date) -> HouseholdMembership:
    """A member leaves the household; the membership stays as history."""
    with transaction.atomic():
        membership = HouseholdMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.end_date is not None:
            raise ValidationError("This person has already left the household.")
        if end_date < membership.start_date:
            raise ValidationError({"end_date": "The leaving date cannot be before the joining date."})
        membership.end_date = end_date
        membership.save(update_fields=["end_date"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=membership,
            client_ids=[membership.client_id],
            changes={"end_date": [None, end_date.isoformat()]},
        )
        _client_changed(membership.client)
    return membership


# Income, expenses and assets ------------------------------------------------------------

FINANCE_FIELDS = {
    Income: ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"],
    Expense: ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"],
    Asset: ["kind", "value", "description", "as_of", "disposed_on", "verification"],
}


def _check_finance(record) -> None:
    errors = {}
    amount = record.value if isinstance(record, Asset) else record.amount
    amount_field = "value" if isinstance(record, Asset) else "amount"
    if amount is None or amount < 0:
        errors[amount_field] = "Enter an amount of zero or more."
    elif amount.as_tuple().exponent < -2:
        errors[amount_field] = "Enter the amount in dollars and cents (at most two decimals)."
    start, end = (
        (record.as_of, record.disposed_on) if isinstance(record, Asset) else (record.start_date, record.end_date)
    )
    if end is not None and start is not None and end < start:
        end_field = "disposed_on" if isinstance(record, Asset) else "end_date"
        errors[end_field] = "The end date cannot be before the start date."
    if errors:
        raise ValidationError(errors)


def finance_record_save(*, acting_user, record: Income | Expense | Asset, values: dict[str, Any]):
    """Add or change one income, expense or asset of a client, with old and new values in the trail."""
    fields = FINANCE_FIELDS[type(record)]
    with transaction.atomic():
        adding = record.pk is None
        if not adding:
            record = type(record).objects.select_for_update().get(pk=record.pk)
        before = {} if adding else audit_snapshot(record, fields)
        for name in fields:
            if name in values:
                setattr(record, name, values[name])
        _check_finance(record)
        # Stored with two decimals: "1200" typed over "1200.00" is no change.
        amount_field = "value" if isinstance(record, Asset) else "amount"
        setattr(record, amount_field, getattr(record, amount_field).quantize(CENT))
        changes = audit_diff(before, audit_snapshot(record, fields))
        if not adding and not changes:
            return record
        record.save()
        audit_record(
            actor=acting_user,
            action=Action.CREATE if adding else Action.UPDATE,
            target=record,
            object_repr=f"{record._meta.verbose_name} of {record.client}",
            client_ids=[record.client_id],
            changes=changes,
        )
    return record


# Documents ------------------------------------------------------------------------------


def _check_upload(upload: UploadedFile) -> str:
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    allowed = settings.DOCUMENT_ALLOWED_TYPES
    if extension not in allowed:
        kinds = ", ".join(sorted(e.lstrip(".").upper() for e in allowed))
        raise ValidationError({"file": f"Files of this type cannot be added. Allowed: {kinds}."})
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        limit = filesizeformat(settings.DOCUMENT_MAX_BYTES)
        raise ValidationError({"file": f"The file is larger than the {limit} limit."})
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    problem = content_problem(data, allowed[extension])
    if problem:
        raise ValidationError({"file": problem})
    return allowed[extension]


def document_upload(
    *,
    acting_user,
    client: Client,
    kind: str,
    upload: UploadedFile,
    description: str = "",
    expires_on: date | None = None,
) -> Document:
    """Keep a document on the client's file: only listed types, within the size limit, whose content
    is what the name says (`clients.uploads`)."""
    content_type = _check_upload(upload)
    document = Document(
        client=client,
        kind=kind,
        description=description,
        storage_token=secrets.token_hex(16),
        original_name=(upload.name or "document")[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=acting_user,
        expires_on=expires_on,
    )
    with transaction.atomic():
        document.file.save(document.storage_token, upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=document,
            client_ids=[client.pk],
            changes={
                "kind": [None, kind],
                "original_name": [None, document.original_name],
                "size": [None, upload.size],
            },
        )
    return document


def document_verify(*, acting_user, document: Document) -> Document:
    """Record who verified a document, and when."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.verified_at is not None:
            raise ValidationError("This document is already verified.")
        document.verified_by = acting_user
        document.verified_at = timezone.now()
        document.save(update_fields=["verified_by", "verified_at"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=document,
            client_ids=[document.client_id],
            changes={"verified_by_id": [None, acting_user.pk], "verified_at": [None, document.verified_at.isoformat()]},
        )
    return document


def document_download_record(*, acting_user, document: Document) -> None:
    audit_record(actor=acting_user, action=Action.DOWNLOAD, target=document, client_ids=[document.client_id])


# Consent --------------------------------------------------------------------------------


def consent_record(
    *,
    acting_user,
    client: Client,
    organization: str,
    purpose: str,
    granted_on: date,
    expires_on: date | None = None,
    details: str = "",
) -> Consent:
    """Record the client's consent to share their information with an organization for a purpose."""
    today = timezone.localdate()
    errors = {}
    if granted_on > today:
        errors["granted_on"] = "Consent cannot be recorded as granted in the future."
    if expires_on is not None and expires_on < granted_on:
        errors["expires_on"] = "The expiry date cannot be before the date consent was given."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            client=client,
            organization=organization.strip(),
            purpose=purpose,
            details=details,
            granted_on=granted_on,
            expires_on=expires_on,
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=consent,
            client_ids=[client.pk],
            changes=audit_diff({}, audit_snapshot(consent, ["organization", "purpose", "granted_on", "expires_on"])),
        )
    return consent


def consent_revoke(*, acting_user, consent: Consent, revoked_on: date) -> Consent:
    """The client withdraws consent from a date; the record stays."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.revoked_on is not None:
            raise ValidationError("This consent was already revoked.")
        if revoked_on < consent.granted_on:
            raise ValidationError({"revoked_on": "Consent cannot be revoked before it was given."})
        if revoked_on > timezone.localdate():
            raise ValidationError({"revoked_on": "Record a revocation on or after the day it happens."})
        consent.revoked_on = revoked_on
        consent.save(update_fields=["revoked_on"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=consent,
            client_ids=[consent.client_id],
            changes={"revoked_on": [None, revoked_on.isoformat()]},
        )
    return consent


# Merging duplicates ---------------------------------------------------------------------

MOVABLE_RELATIONS = [Income, Expense, Asset, Document, Consent, PersonFact]

# Apps above the registry (casework's cases, assistance's ledger, referrals...) hand in what must
# follow a merged client: each moves its own rows.
_merge_hooks: list[Callable[..., dict[str, list[int]] | None]] = []


def merge_hooks_register(hook: Callable[..., dict[str, list[int]] | None]) -> None:
    """`hook(acting_user=..., survivor=..., duplicate=...)` runs inside every merge's transaction.

    It returns what it moved, `{model name: [ids]}`, for the merge's audit event (or None).
    """
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)


def merge_move(model, *, survivor: Client, duplicate: Client, field: str = "client") -> list[int]:
    """Point the rows of `model` that belong to the duplicate at the survivor; returns their ids."""
    ids = list(model.objects.select_for_update().filter(**{field: duplicate}).values_list("pk", flat=True))
    if ids:
        model.objects.filter(pk__in=ids).update(**{field: survivor})
    return ids


# ...and what must follow a change to who a client lives with or whether they are restricted
# (casework rewrites the access rows of the client's cases).
_change_hooks: list[Callable[..., None]] = []


def change_hooks_register(hook: Callable[..., None]) -> None:
    """`hook(client=...)` runs inside the transaction of a change to a client's restriction or household."""
    if hook not in _change_hooks:
        _change_hooks.append(hook)


def _client_changed(client: Client) -> None:
    for hook in _change_hooks:
        hook(client=client)


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
        _client_changed(client)


def client_merge(*, acting_user, survivor: Client, duplicate: Client, reason: str) -> Client:
    """Fold a duplicate record into the surviving one. Every related record moves; nothing is deleted.

    This app moves finances, documents, consents and household history; each app above moves its
    own rows through its merge hook (cases, plans, attendance, inquiries, referrals, issuances,
    overpayments, and the ledger by a balanced transfer), all in this one transaction.

    The duplicate stays, marked as merged into the survivor, so old references and the trail
    still lead somewhere. Only a supervisor merges, with a reason.
    """
    if not access.may_merge_clients(acting_user):
        raise PermissionDenied("Only a supervisor can merge clients.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why these records are the same person."})
    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different clients.")
    moved: dict[str, list[int]] = {}
    with transaction.atomic():
        locked = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if survivor.is_merged or duplicate.is_merged:
            raise ValidationError("One of these clients has already been merged.")
        person_facts_before_merge(acting_user=acting_user, survivor=survivor, duplicate=duplicate)
        for model in MOVABLE_RELATIONS:
            ids = merge_move(model, survivor=survivor, duplicate=duplicate)
            if ids:
                moved[model._meta.model_name] = ids
        # Household history moves too; if both have a current household, the duplicate's ends today.
        survivor_current = HouseholdMembership.objects.filter(client=survivor, end_date__isnull=True).exists()
        today = timezone.localdate()
        if survivor_current:
            HouseholdMembership.objects.filter(client=duplicate, end_date__isnull=True).update(end_date=today)
        memberships = list(HouseholdMembership.objects.filter(client=duplicate).values_list("pk", flat=True))
        if memberships:
            HouseholdMembership.objects.filter(pk__in=memberships).update(client=survivor)
            moved["householdmembership"] = memberships
        before_survivor = audit_snapshot(survivor, CLIENT_FIELDS)
        if not survivor.identifier_hash and duplicate.identifier_hash:
            survivor.identifier_kind = duplicate.identifier_kind
            survivor.identifier_encrypted = duplicate.identifier_encrypted
            survivor.identifier_last4 = duplicate.identifier_last4
            identifier = duplicate.identifier_hash
            duplicate.identifier_hash = None
            duplicate.merged_into = survivor
            duplicate.save(update_fields=["identifier_hash", "merged_into"])
            survivor.identifier_hash = identifier
        else:
            duplicate.merged_into = survivor
            duplicate.save(update_fields=["merged_into"])
        survivor.restricted = survivor.restricted or duplicate.restricted
        survivor.updated_at = timezone.now()
        survivor.save()
        for hook in _merge_hooks:
            for name, ids in (hook(acting_user=acting_user, survivor=survivor, duplicate=duplicate) or {}).items():
                if ids:
                    moved[name] = ids
        _client_changed(survivor)
        audit_record(
            actor=acting_user,
            action=Action.MERGE,
            target=survivor,
            client_ids=[survivor.pk, duplicate.pk],
            changes={
                "merged_client_id": [None, duplicate.pk],
                "moved": moved,
                **audit_diff(before_survivor, audit_snapshot(survivor, CLIENT_FIELDS), secret=SECRET_FIELDS),
            },
            reason=reason,
        )
    return survivor


# Break glass ----------------------------------------------------------------------------


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


# Reads worth recording ------------------------------------------------------------------


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
