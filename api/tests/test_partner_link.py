"""Referrals that close the loop: the receiving organization answers through its signed link."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from api.models import WebhookSubscription
from api.services import partner_register
from audit.models import AuditEvent
from casework.models import Task
from clients.services import consent_revoke
from core.models import OutboxJob
from referrals.models import Referral, Service
from referrals.partners import partner_link_token
from referrals.services import referral_follow_up
from referrals.tests.helpers import consent_for, make_service, refer
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sent(caseworker, north):
    service = make_service()
    client = ClientFactory(office=north, first_name="Ada", last_name="Kerr", phone="555-010-0101")
    case = case_for(client, caseworker)
    consent = consent_for(client, caseworker)
    referral = refer(caseworker, case, service, shared=("contact",))
    return referral, consent


def link(referral) -> str:
    return reverse("referrals:partner_referral", args=[partner_link_token(referral=referral)])


def test_a_referral_accepted_and_reported_served_through_the_link_closes_without_staff(client, sent):
    referral, _consent = sent
    url = link(referral)
    page = client.get(url)
    assert page.status_code == 200
    assert "Ada Kerr" in page.content.decode() and "555-010-0101" in page.content.decode()
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "appointment", "at": "2026-11-20T10:00"}).status_code == 302
    assert client.post(url, {"action": "served"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    assert referral.first_appointment_at is not None
    moves = list(referral.status_changes.order_by("changed_at", "id").values_list("to_status", "changed_by__username"))
    assert [m[0] for m in moves] == ["draft", "sent", "accepted", "completed"]
    assert moves[-1][1].startswith("org-")
    # Each partner action is in the trail under the organization's account, and says how.
    actions = AuditEvent.objects.filter(actor_name=moves[-1][1]).values_list("action", "reason")
    assert any("through its referral link" in reason for _a, reason in actions)
    # Closed: the follow-up job has nothing to ask about, weeks later.
    assert referral_follow_up(referral_id=referral.pk, today=date(2026, 12, 30)) is None
    assert not Task.objects.filter(kind=Task.Kind.FOLLOW_UP).exists()


def test_declining_needs_a_reason_from_the_list(client, sent):
    referral, _ = sent
    response = client.post(link(referral), {"action": "decline", "reason_code": "bored"})
    assert response.status_code == 400
    assert "Choose why the referral is declined." in response.content.decode()
    client.post(link(referral), {"action": "decline", "reason_code": "no_capacity"})
    referral.refresh_from_db()
    assert (referral.status, referral.declined_reason) == ("declined", "no_capacity")


def test_an_expired_link_is_refused(client, sent, settings):
    referral, _ = sent
    url = link(referral)
    with time_machine.travel(NOW + timedelta(days=settings.REFERRAL_PARTNER_LINK_DAYS, minutes=1), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert "Ada" not in response.content.decode()
        client.post(url, {"action": "accept"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_a_link_after_the_consent_is_revoked_shows_and_does_nothing(client, sent, caseworker):
    referral, consent = sent
    consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2026, 11, 16))
    url = link(referral)
    response = client.get(url)
    assert response.status_code == 410
    assert "withdrawn their consent" in response.content.decode()
    assert "Ada" not in response.content.decode()
    assert client.post(url, {"action": "accept"}).status_code == 410
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_a_tampered_link_is_refused(client, sent):
    referral, _ = sent
    token = partner_link_token(referral=referral)
    assert client.get(reverse("referrals:partner_referral", args=[token[:-2] + "xx"])).status_code == 410


def test_the_organization_marks_its_service_full_through_the_link(client, sent):
    referral, _ = sent
    client.post(link(referral), {"action": "intake", "intake": "full"})
    assert Service.objects.get(pk=referral.service_id).intake == Service.Intake.FULL


def test_a_move_queues_a_signed_webhook_for_the_subscribed_office(
    client, sent, north, admin_user, django_capture_on_commit_callbacks
):
    referral, _ = sent
    credentials = partner_register(acting_user=admin_user, name="North 211 line", office=north)
    WebhookSubscription.objects.create(application=credentials.application, url="https://partner.example/hook")
    client.post(link(referral), {"action": "accept"})
    job = OutboxJob.objects.get(task="api.tasks.webhook_deliver")
    assert job.kwargs["event"] == "referral.accepted"
    assert job.kwargs["body"]["referral"]["id"] == referral.pk
    assert "client" not in job.kwargs["body"]["referral"]


def test_the_worker_sees_the_link_to_give_the_organization(client, sent, caseworker):
    referral, _ = sent
    client.force_login(caseworker)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert 'id="partner-link"' in page and "/referrals/for-partner/" in page


def test_the_referral_form_warns_before_sending_to_a_full_service(client, sent, caseworker, admin_user):
    from referrals.partners import service_intake_set

    referral, _ = sent
    service_intake_set(service=referral.service, intake=Service.Intake.FULL, acting_user=admin_user)
    client.force_login(caseworker)
    url = reverse("referrals:referral_new") + f"?case={referral.case_id}&service={referral.service_id}"
    page = client.get(url).content.decode()
    assert "is marked full" in page


def test_the_figures_show_how_the_organization_answered(client, sent, supervisor, caseworker, north):
    referral, _ = sent
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        client.post(link(referral), {"action": "accept"})
        client.post(link(referral), {"action": "served"})
    other = refer(caseworker, referral.case, referral.service, shared=())
    client.post(link(other), {"action": "accept"})
    client.post(link(other), {"action": "not_served", "outcome": "could_not_contact"})
    client.force_login(supervisor)
    page = client.get(reverse("referrals:partner_figures"), {"month": "2026-11"}).content.decode()
    assert "<svg" in page and "<script" not in page.split("<main")[-1]
    # The project's chart: a bar per month and figure, titled and described for a screen reader.
    assert 'id="chart-partner-months"' in page and "Nov 2026, served" in page
    assert "2 referrals were sent, 2 accepted; 1 of 2 with a known outcome were served." in page
    assert "Could not contact the client: 1" in page
    assert "50%" in page  # served
    assert ">1.0<" in page  # median of 2 days and 0 days to respond


def test_the_worker_sees_the_proposed_appointment(client, sent, caseworker):
    referral, _ = sent
    client.post(link(referral), {"action": "accept"})
    client.post(link(referral), {"action": "appointment", "at": "2026-11-20T10:00"})
    client.force_login(caseworker)
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert 'id="first-appointment"' in page and "2026-11-20 10:00" in page


def test_a_decline_keeps_its_reason_and_answer_time_with_the_move_in_one_audited_change(client, sent):
    referral, _ = sent
    assert client.post(link(referral), {"action": "decline", "reason_code": "no_capacity"}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.declined_reason, referral.partner_responded_at) == (
        "declined",
        "no_capacity",
        NOW,
    )
    events = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk), action="update")
    by_organization = [e.changes for e in events if e.actor.username.startswith("org-")]
    assert len(by_organization) == 1
    assert by_organization[0]["status"] == ["sent", "declined"]
    assert by_organization[0]["declined_reason"] == ["", "no_capacity"]
    assert by_organization[0]["partner_responded_at"][0] is None
