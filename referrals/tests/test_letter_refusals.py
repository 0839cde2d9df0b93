"""The referral letter hands the shared information over: not for a closed referral, not without consent in force."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AuditEvent
from clients.services import consent_revoke
from referrals.models import Referral
from referrals.services import referral_move
from referrals.tests.helpers import consent_for, make_service, refer
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pantry():
    return make_service("Emergency food pantry", organization="Riverton Food Bank")


@pytest.fixture
def person(north, caseworker):
    person = ClientFactory(office=north, first_name="Ottoline", last_name="Northcott")
    case_for(person, caseworker)
    return person


def letter(client, user, referral):
    client.force_login(user)
    return client.get(reverse("referrals:referral_letter", args=[referral.pk]), follow=True)


def refused(response, referral) -> str:
    assert response.redirect_chain[-1][0] == reverse("referrals:referral_detail", args=[referral.pk])
    assert not response["Content-Type"].startswith("application/pdf")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(referral.pk)).exists()
    return " ".join(str(m) for m in get_messages(response.wsgi_request)) + response.content.decode()


@pytest.mark.parametrize("send", [False, True], ids=["draft", "sent"])
def test_no_letter_once_the_clients_consent_is_revoked(client, caseworker, person, pantry, send):
    consent = consent_for(person, caseworker)
    referral = refer(caseworker, person.primary_cases.get(), pantry, shared=["contact"], send=send)
    consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2026, 11, 16))

    page = refused(letter(client, caseworker, referral), referral)

    assert "Northcott has no consent in force today to share their information with Riverton Food Bank" in page


@pytest.mark.parametrize("to", [Referral.Status.WITHDRAWN, Referral.Status.DECLINED])
def test_no_letter_for_a_closed_referral(client, caseworker, person, pantry, to):
    consent_for(person, caseworker)
    referral = refer(caseworker, person.primary_cases.get(), pantry, shared=["contact"])
    referral_move(acting_user=caseworker, referral=referral, to=to, reason="The client found food elsewhere.")

    page = refused(letter(client, caseworker, referral), referral)

    assert f"A referral that is {to.label.lower()} has no letter to print" in page


def test_a_draft_with_consent_in_force_prints_and_is_audited(client, caseworker, person, pantry):
    consent_for(person, caseworker)
    referral = refer(caseworker, person.primary_cases.get(), pantry, shared=["contact"], send=False)

    response = letter(client, caseworker, referral)

    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(referral.pk)).count() == 1


def test_a_referral_sharing_nothing_needs_no_consent_for_its_letter(client, caseworker, person, pantry):
    referral = refer(caseworker, person.primary_cases.get(), pantry, shared=[])

    assert letter(client, caseworker, referral)["Content-Type"] == "application/pdf"
