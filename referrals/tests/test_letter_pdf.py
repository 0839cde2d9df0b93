"""The referral letter leaves the agency as a tagged PDF a screen reader can read."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from referrals.tests.helpers import consent_for, make_service, refer
from tests.factories import ClientFactory, case_for
from tests.pdf import assert_tagged_pdf_ua

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_referral_letter_is_a_tagged_pdf_ua(client, north, caseworker):
    pantry = make_service("Emergency food pantry", organization="Riverton Food Bank")
    person = ClientFactory(office=north, first_name="Ottoline", last_name="Northcott")
    case = case_for(person, caseworker)
    consent_for(person, caseworker)
    referral = refer(caseworker, case, pantry, shared=["contact", "household"])
    client.force_login(caseworker)

    response = client.get(reverse("referrals:referral_letter", args=[referral.pk]))

    assert response.status_code == 200
    assert_tagged_pdf_ua(response.content, title=f"Referral {referral.pk} to Emergency food pantry")
