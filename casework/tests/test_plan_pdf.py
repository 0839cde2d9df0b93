"""The printable plan is also a tagged PDF to hand over: same content, no address, readable aloud."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from casework.tests.plan_helpers import agreed_plan, household_case
from tests.pdf import assert_tagged_pdf_ua, pdf_objects

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_plan_pdf_is_tagged_pdf_ua_and_its_download_is_recorded(client, north, caseworker):
    case = household_case(office=north, worker=caseworker, first_name="Marisol", last_name="Quintanilla")
    plan = agreed_plan(worker=caseworker, case=case)
    client.force_login(caseworker)

    response = client.get(reverse("casework:plan_print", args=[case.pk, plan.pk]), {"format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_tagged_pdf_ua(response.content, title="Employment plan · Marisol Quintanilla")
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk), changes__page="plans").exists()


def test_the_plan_pdf_never_carries_an_address(client, north, caseworker):
    case = household_case(office=north, worker=caseworker, address_line1="742 Evergreen Terrace")
    plan = agreed_plan(worker=caseworker, case=case)
    client.force_login(caseworker)

    response = client.get(reverse("casework:plan_print", args=[case.pk, plan.pk]), {"format": "pdf"})

    assert b"Evergreen" not in pdf_objects(response.content)


def test_the_plan_pdf_follows_the_case_rule(client, north, caseworker, other_caseworker):
    case = household_case(office=north, worker=caseworker)
    plan = agreed_plan(worker=caseworker, case=case)
    client.force_login(other_caseworker)

    response = client.get(reverse("casework:plan_print", args=[case.pk, plan.pk]), {"format": "pdf"})

    assert response.status_code == 404
