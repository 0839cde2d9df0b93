"""Outgoing webhooks: a referral or appointment event goes to each subscribed partner system, signed,
through the job outbox (core.jobs), so a move commits with its delivery job and a broker outage only delays it.

Each delivery carries `X-Casework-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with
the subscription's secret, and `X-Casework-Event`. The payload names the referral (or the
appointment) and its new status, never the client: the partner reads the rest through the API,
with its scopes. An appointment's events (booked, rescheduled, cancelled) go to systems bound to
its case's office.
"""

import hashlib
import hmac
import json

from django.db import transaction
from django.utils import timezone

from api.models import PartnerBinding, WebhookSubscription
from audit.models import AuditEvent
from audit.services import audit_record
from casework.events import appointment_listeners_register
from casework.models import Appointment
from core.jobs import job_enqueue
from referrals.events import referral_listeners_register
from referrals.models import Referral

SIGNATURE_HEADER = "X-Casework-Signature"
EVENT_HEADER = "X-Casework-Event"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_subscribe(*, application, url: str, events: list[str]) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.create(application=application, url=url, events=list(events))
    audit_record(
        actor=application.user,
        action=AuditEvent.Action.CREATE,
        target=subscription,
        changes={"url": [None, url], "events": [None, list(events)]},
    )
    return subscription


def webhook_unsubscribe(*, application, subscription: WebhookSubscription) -> WebhookSubscription:
    """A partner system stops a subscription of its own: it is deactivated, not deleted, so the
    audit trail keeps naming what it received and until when."""
    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update()
            .filter(pk=subscription.pk, application=application, active=True)
            .first()
        )
        if subscription is None:
            raise WebhookSubscription.DoesNotExist("No such subscription of this partner system.")
        subscription.active = False
        subscription.save(update_fields=["active"])
        audit_record(
            actor=application.user,
            action=AuditEvent.Action.UPDATE,
            target=subscription,
            changes={"active": [True, False]},
            reason="Unsubscribed by the partner system",
        )
    return subscription


def subscriptions_for(referral: Referral) -> list[WebhookSubscription]:
    """Who hears of a referral: systems bound to its case's office, and to its receiving organization."""
    bindings = PartnerBinding.objects.filter(office_id=referral.case.office_id) | PartnerBinding.objects.filter(
        organization_id=referral.organization_id
    )
    return list(
        WebhookSubscription.objects.filter(active=True, application_id__in=bindings.values("application_id")).order_by(
            "id"
        )
    )


def payload(*, referral: Referral, event: str) -> dict:
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "service": referral.service.hsds_id,
            "organization": referral.organization.hsds_id,
            "first_appointment_at": referral.first_appointment_at.isoformat()
            if referral.first_appointment_at
            else None,
        },
    }


def on_referral_event(*, referral: Referral, event: str) -> None:
    body = payload(referral=referral, event=event)
    for subscription in subscriptions_for(referral):
        if subscription.wants(event):
            job_enqueue("api.tasks.webhook_deliver", subscription_id=subscription.pk, event=event, body=body)


def appointment_subscriptions_for(appointment: Appointment) -> list[WebhookSubscription]:
    """Who hears of an appointment: systems bound to its case's office (they read it by the access rule)."""
    bindings = PartnerBinding.objects.filter(office_id=appointment.case.office_id)
    return list(
        WebhookSubscription.objects.filter(active=True, application_id__in=bindings.values("application_id")).order_by(
            "id"
        )
    )


def appointment_payload(*, appointment: Appointment, event: str) -> dict:
    earlier = Appointment.objects.filter(rescheduled_to=appointment).values_list("pk", flat=True).first()
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "appointment": {
            "id": appointment.pk,
            "case": appointment.case_id,
            "status": appointment.status,
            "kind": appointment.kind,
            "starts_at": appointment.starts_at.isoformat(),
            "ends_at": appointment.ends_at.isoformat(),
            "rescheduled_from": earlier,
        },
    }


def on_appointment_event(*, appointment: Appointment, event: str) -> None:
    subscriptions = [s for s in appointment_subscriptions_for(appointment) if s.wants(event)]
    if not subscriptions:
        return
    body = appointment_payload(appointment=appointment, event=event)
    for subscription in subscriptions:
        job_enqueue("api.tasks.webhook_deliver", subscription_id=subscription.pk, event=event, body=body)


def register_listener() -> None:
    referral_listeners_register(on_referral_event)
    appointment_listeners_register(on_appointment_event)


def encode(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
