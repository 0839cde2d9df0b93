"""Deciding several waiting requests at once from the approval queue: each is checked and audited
as if decided alone, and the ones the supervisor may not decide are named back."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from assistance.models import Issuance
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from tests.factories import UserFactory

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
Status = Issuance.Status
QUEUE = reverse("assistance:queue")
DECIDE = reverse("assistance:queue_decide")


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def statuses(*issuances: Issuance) -> list[str]:
    return [Issuance.objects.get(pk=i.pk).status for i in issuances]


def status_events(issuance: Issuance, actor) -> list:
    return list(
        AuditEvent.objects.filter(actor=actor, object_type="assistance.issuance", object_id=str(issuance.pk))
        .exclude(action=AuditEvent.Action.VIEW)
        .values_list("changes__status", flat=True)
    )


def test_a_supervisor_approves_the_ticked_requests_and_is_told_which_are_beyond_their_authority(
    client, caseworker, supervisor
):
    _a, case_a = client_case(caseworker, last_name="Okafor")
    _b, case_b = client_case(caseworker, last_name="Mbeki")
    _c, case_c = client_case(caseworker, first_name="Rosa", last_name="Lindqvist")
    first = request(caseworker, case_a, amount="1500.00")
    second = request(caseworker, case_b, amount="1200.00")
    too_much = request(caseworker, case_c, amount="6000.00")  # past a supervisor's $5,000.00
    untouched = request(caseworker, case_a, amount="1100.00")
    client.force_login(supervisor)
    assert 'form="bulk-decide"' in client.get(QUEUE).content.decode()

    response = client.post(
        DECIDE,
        {"issuances": [first.pk, second.pk, too_much.pk], "decision": "approve", "reason": "Eviction notices"},
        follow=True,
    )

    page = text(response)
    assert response.redirect_chain[-1][0] == QUEUE
    assert f"Approved 2 requests: {first.reference}, {second.reference}." in page
    assert f"Not approved: {too_much.reference} for Rosa Lindqvist. This is beyond your own authority" in page
    assert "it needs an approver with a higher limit." in page
    assert statuses(first, second, too_much, untouched) == [
        Status.APPROVED,
        Status.APPROVED,
        Status.PENDING,
        Status.PENDING,
    ]
    assert Issuance.objects.get(pk=first.pk).decision_reason == "Eviction notices"
    assert status_events(first, supervisor) == [[Status.PENDING, Status.APPROVED]]
    assert status_events(too_much, supervisor) == []


def test_rejecting_without_a_reason_decides_nothing_and_keeps_the_ticks(client, caseworker, supervisor):
    _a, case = client_case(caseworker)
    first = request(caseworker, case, amount="1500.00")
    second = request(caseworker, case, amount="1600.00")
    client.force_login(supervisor)

    response = client.post(DECIDE, {"issuances": [first.pk, second.pk], "decision": "reject", "reason": " "})

    assert response.status_code == 400
    assert "Say why the request is rejected; the caseworker will read it." in text(response)
    assert f'value="{first.pk}" form="bulk-decide" id="tick-{first.pk}" checked' in response.content.decode()
    assert statuses(first, second) == [Status.PENDING, Status.PENDING]

    response = client.post(
        DECIDE, {"issuances": [first.pk, second.pk], "decision": "reject", "reason": "Paid by the church fund"}
    )
    assert response.status_code == 302
    assert statuses(first, second) == [Status.REJECTED, Status.REJECTED]
    assert Issuance.objects.get(pk=second.pk).decision_reason == "Paid by the church fund"


def test_nothing_ticked_is_a_clear_error(client, caseworker, supervisor):
    _a, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="1500.00")
    client.force_login(supervisor)

    response = client.post(DECIDE, {"decision": "approve", "reason": "ok"})

    assert response.status_code == 400
    assert "Tick the requests to decide first." in text(response)
    assert waiting.reference in text(response)
    assert statuses(waiting) == [Status.PENDING]


def test_their_own_request_and_one_already_decided_are_named_the_rest_proceed(client, caseworker, supervisor, north):
    _a, case = client_case(caseworker, first_name="Ana", last_name="Okafor")
    _o, own_case = client_case(supervisor, first_name="Ben", last_name="Self")
    waiting = request(caseworker, case, amount="1500.00")
    own = request(supervisor, own_case, amount="6000.00")
    decided = request(caseworker, case, amount="1300.00")
    colleague = UserFactory(office=north, roles=["supervisor"])
    client.force_login(colleague)
    client.post(DECIDE, {"issuances": [decided.pk], "decision": "reject", "reason": "Duplicate"})
    client.force_login(supervisor)

    response = client.post(
        DECIDE, {"issuances": [waiting.pk, own.pk, decided.pk], "decision": "reject", "reason": "No"}, follow=True
    )

    page = text(response)
    assert f"Rejected 1 request: {waiting.reference}." in page
    assert f"Not rejected: {own.reference} for Ben Self. Nobody approves or rejects their own request" in page
    assert f"Not rejected: {decided.reference} for Ana Okafor. This request was already rejected by" in page
    assert statuses(waiting, own, decided) == [Status.REJECTED, Status.PENDING, Status.REJECTED]


def test_a_request_the_supervisor_may_not_see_cannot_be_ticked(client, caseworker, supervisor, other_caseworker):
    _a, case = client_case(caseworker)
    _s, south_case = client_case(other_caseworker, last_name="Southwick")
    waiting = request(caseworker, case, amount="1500.00")
    elsewhere = request(other_caseworker, south_case, amount="1500.00")
    client.force_login(supervisor)

    response = client.post(DECIDE, {"issuances": [waiting.pk, elsewhere.pk], "decision": "approve"})

    assert response.status_code == 400
    assert "Southwick" not in text(response)
    assert statuses(waiting, elsewhere) == [Status.PENDING, Status.PENDING]


@pytest.mark.parametrize("persona", ["caseworker", "auditor", "admin"])
def test_only_supervisors_decide_from_the_queue(client, personas, persona, caseworker):
    _a, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="1500.00")
    client.force_login(personas[persona])

    response = client.post(DECIDE, {"issuances": [waiting.pk], "decision": "approve"})

    assert response.status_code == 403
    assert statuses(waiting) == [Status.PENDING]


def test_a_spanish_speaking_supervisor_decides_several_in_spanish(client, caseworker, supervisor):
    _a, case_a = client_case(caseworker, last_name="Okafor")
    _c, case_c = client_case(caseworker, first_name="Rosa", last_name="Lindqvist")
    first = request(caseworker, case_a, amount="1500.00")
    too_much = request(caseworker, case_c, amount="6000.00")
    supervisor.language = "es"
    supervisor.save(update_fields=["language"])
    client.force_login(supervisor)

    page = text(client.get(QUEUE))
    assert "Decidir varias a la vez" in page and "Aprobar las marcadas" in page
    assert f"Marcar {first.reference}" in page

    response = client.post(
        DECIDE, {"issuances": [first.pk, too_much.pk], "decision": "approve", "reason": "Desalojo"}, follow=True
    )

    page = text(response)
    assert f"Se aprobó 1 solicitud: {first.reference}." in page
    assert f"No aprobada: {too_much.reference} para Rosa Lindqvist." in page
    assert statuses(first, too_much) == [Status.APPROVED, Status.PENDING]
