"""Merging a duplicate client record into the surviving one."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.facts import person_facts_before_merge
from clients.models import (
    Asset,
    Client,
    Consent,
    Document,
    Expense,
    HouseholdMembership,
    Income,
    PersonFact,
)
from clients.services.hooks import client_changed_notify, merge_hooks_run, merge_move
from clients.services.registry import CLIENT_FIELDS, SECRET_FIELDS

Action = AuditEvent.Action


MOVABLE_RELATIONS = [Income, Expense, Asset, Document, Consent, PersonFact]


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
        moved.update(merge_hooks_run(acting_user=acting_user, survivor=survivor, duplicate=duplicate))
        client_changed_notify(survivor)
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
