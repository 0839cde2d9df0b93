"""Households: registering one with its members, and a member leaving."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Office
from audit.models import AuditEvent
from audit.services import audit_record
from clients.models import (
    Client,
    Household,
    HouseholdMembership,
)
from clients.services.hooks import client_changed_notify
from clients.services.registry import ClientInput, client_create

Action = AuditEvent.Action


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
    client_changed_notify(client)
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
        client_changed_notify(membership.client)
    return membership
