"""Webhook deliveries: signed with the subscription's secret, retried when the partner does not answer."""

import hashlib
import hmac
import json
import urllib.error
from types import SimpleNamespace

import pytest
from django.urls import reverse

from api import tasks
from api.models import WebhookSubscription
from api.services import partner_register
from api.tests.test_api import token_for
from api.webhooks import encode
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


class Answer:
    status = 204

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def subscription(north, admin_user):
    credentials = partner_register(acting_user=admin_user, name="North 211 line", office=north)
    return WebhookSubscription.objects.create(application=credentials.application, url="https://partner.example/hook")


def test_a_delivery_is_signed_with_hmac_sha256_of_its_body(subscription, monkeypatch):
    sent = {}

    def urlopen(request, timeout):
        sent["request"] = request
        return Answer()

    monkeypatch.setattr(tasks.urllib.request, "urlopen", urlopen)
    body = {"event": "referral.accepted", "referral": {"id": 7, "status": "accepted"}}
    assert tasks.webhook_deliver.run(subscription_id=subscription.pk, event="referral.accepted", body=body) == 204
    request = sent["request"]
    expected = hmac.new(subscription.secret.encode(), request.data, hashlib.sha256).hexdigest()
    assert request.get_header("X-casework-signature") == f"sha256={expected}"
    assert request.get_header("X-casework-event") == "referral.accepted"
    assert json.loads(request.data) == body
    assert request.data == encode(body)


def test_a_partner_that_does_not_answer_is_tried_again(subscription, monkeypatch):
    def urlopen(request, timeout):
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(tasks.urllib.request, "urlopen", urlopen)
    with pytest.raises(tasks.DeliveryFailed):
        tasks.webhook_deliver.run(subscription_id=subscription.pk, event="referral.sent", body={})
    assert tasks.webhook_deliver.autoretry_for == (tasks.DeliveryFailed,)


def test_a_cancelled_subscription_gets_nothing(subscription, monkeypatch):
    subscription.active = False
    subscription.save(update_fields=["active"])
    monkeypatch.setattr(tasks.urllib.request, "urlopen", lambda *a, **k: pytest.fail("sent"))
    assert tasks.webhook_deliver.run(subscription_id=subscription.pk, event="referral.sent", body={}) is None


def test_a_partner_that_unsubscribes_gets_no_more_events_and_the_trail_says_so(subscription):
    api = token_for(SimpleNamespace(application=subscription.application))
    url = reverse("v1:webhook-detail", args=[subscription.pk])
    assert api.delete(url).status_code == 204
    subscription.refresh_from_db()
    assert subscription.active is False  # kept, so the trail still names what it received
    assert api.get(reverse("v1:webhook-list")).json()["results"] == []
    event = AuditEvent.objects.get(
        object_type="api.webhooksubscription", object_id=str(subscription.pk), action="update"
    )
    assert event.actor == subscription.application.user
    assert event.changes["active"] == [True, False]
    assert api.delete(url).status_code == 404


def test_a_partner_cannot_unsubscribe_another_partners_hook(subscription, north, admin_user):
    other = partner_register(acting_user=admin_user, name="North state system", office=north)
    assert token_for(other).delete(reverse("v1:webhook-detail", args=[subscription.pk])).status_code == 404
    subscription.refresh_from_db()
    assert subscription.active is True
