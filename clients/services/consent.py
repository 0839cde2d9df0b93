"""A client's consent to share their information, recorded and revoked."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.models import (
    Client,
    Consent,
)

Action = AuditEvent.Action


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
