"""Webhook deliveries: signed with the subscription's secret, retried when the partner does not answer."""

import hashlib
import hmac
import json
import urllib.error

import pytest

from api import tasks
from api.models import WebhookSubscription
from api.services import partner_register
from api.webhooks import encode

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
