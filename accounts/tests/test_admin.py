"""The audit trail in the Django admin: administrators read it, nobody edits it there."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(caseworker):
    with time_machine.travel(datetime(2026, 3, 2, 15, tzinfo=UTC), tick=False):
        audit_record(actor=caseworker, action=AuditEvent.Action.CREATE, target=caseworker, reason="Fixing a typo")
    return AuditEvent.objects.get(reason="Fixing a typo")


def test_an_admin_reads_the_trail_in_the_admin(client, admin_user, event):
    client.force_login(admin_user)
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert event.actor_name in response.content.decode()


def test_an_admin_cannot_add_or_change_an_event_in_the_admin(client, admin_user, event):
    client.force_login(admin_user)
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="reason"' not in page.content  # shown read-only
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"reason": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.reason == "Fixing a typo"


def test_a_caseworker_cannot_open_the_trail_in_the_admin(client, caseworker, event):
    client.force_login(caseworker)
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 302  # to the admin sign-in
