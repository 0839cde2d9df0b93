"""Moving a client between offices through the supervisors' pages: the North supervisor asks, the
South supervisor accepts or declines. Personas (conftest.py): `caseworker` and `supervisor` work
at North; `other_caseworker` at South, whose team's supervisor is `south_supervisor` here."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import CaseAccess
from audit.models import AuditEvent
from casework.models import Case, CaseAssignment, OfficeTransfer
from tests.factories import ClientFactory, HouseholdFactory, MembershipFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 16, 10, 0))
Status = OfficeTransfer.Status
REASON = "Moved to Southport with her children; the South office is closer."


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def south_supervisor(other_caseworker):
    return other_caseworker.team.supervisor


@pytest.fixture
def south_colleague(other_caseworker, south):
    """Another South caseworker of the same team: sees the office's unrestricted cases."""
    return UserFactory(username="south_peer", office=south, team=other_caseworker.team, roles=["caseworker"])


def family(caseworker, *, restricted: bool = False, client_restricted: bool = False):
    """Rosa and her son, of the North office, with an open case worked by `caseworker`."""
    household = HouseholdFactory(office=caseworker.office, name="Quispe household")
    rosa = ClientFactory(office=caseworker.office, first_name="Rosa", last_name="Quispe", restricted=client_restricted)
    son = ClientFactory(office=caseworker.office, first_name="Mateo", last_name="Quispe")
    MembershipFactory(client=rosa, household=household, relationship="head")
    MembershipFactory(client=son, household=household, relationship="child")
    case = case_for(rosa, caseworker, restricted=restricted)
    return rosa, son, case


def ask(client, supervisor, rosa, office) -> OfficeTransfer:
    client.force_login(supervisor)
    response = client.post(
        reverse("casework:transfer_request", args=[rosa.pk]), {"to_office": office.pk, "reason": REASON}
    )
    transfer = OfficeTransfer.objects.get(client=rosa)
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:transfer_detail", args=[transfer.pk])
    return transfer


def accept(client, south_supervisor, transfer, worker):
    client.force_login(south_supervisor)
    return client.post(
        reverse("casework:transfer_accept", args=[transfer.pk]), {"to_worker": worker.pk, "note": "Welcome"}
    )


def sees(client, user, rosa) -> bool:
    client.force_login(user)
    return client.get(reverse("clients:detail", args=[rosa.pk])).status_code == 200


def test_the_whole_client_moves_once_both_supervisors_agree(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south_colleague, north, south
):
    rosa, son, case = family(caseworker)

    transfer = ask(client, supervisor, rosa, south)

    assert transfer.status == Status.REQUESTED
    assert list(transfer.cases.all()) == [case]
    # Before acceptance nothing has moved, and South sees nothing of the client.
    for user in (other_caseworker, south_colleague, south_supervisor):
        assert not sees(client, user, rosa)
    assert sees(client, caseworker, rosa)

    response = accept(client, south_supervisor, transfer, other_caseworker)

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[rosa.pk])
    case.refresh_from_db()
    rosa.refresh_from_db()
    son.refresh_from_db()
    assert (case.office, case.assigned_worker) == (south, other_caseworker)
    assert rosa.office == south and son.office == south
    assert case.household.office == south
    assert set(CaseAccess.objects.filter(case_id=case.pk).values_list("client_id", "office_id", "worker_id")) == {
        (rosa.pk, south.pk, other_caseworker.pk),
        (son.pk, south.pk, other_caseworker.pk),
    }
    assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).worker == other_caseworker
    # South now sees her; North's caseworker, whose case it was, no longer does.
    for user in (other_caseworker, south_colleague, south_supervisor):
        assert sees(client, user, rosa)
    assert not sees(client, caseworker, rosa)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by, transfer.to_worker) == (
        Status.ACCEPTED,
        south_supervisor,
        other_caseworker,
    )
    changed = AuditEvent.objects.filter(actor=south_supervisor, action=AuditEvent.Action.UPDATE)
    assert changed.filter(object_type="casework.case", changes__office_id=[north.pk, south.pk]).exists()
    assert changed.filter(object_type="clients.client", object_id=str(rosa.pk)).exists()
    assert changed.filter(object_type="casework.officetransfer").exists()


def test_a_restricted_case_stays_restricted_at_the_new_office(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south_colleague, south
):
    rosa, _son, case = family(caseworker, restricted=True)

    accept(client, south_supervisor, ask(client, supervisor, rosa, south), other_caseworker)

    assert set(CaseAccess.objects.filter(case_id=case.pk).values_list("restricted", flat=True)) == {True}
    assert Case.objects.get(pk=case.pk).restricted
    assert sees(client, other_caseworker, rosa)
    assert sees(client, south_supervisor, rosa)
    assert not sees(client, south_colleague, rosa)


def test_a_restricted_client_stays_restricted_at_the_new_office(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south_colleague, south
):
    rosa, son, _case = family(caseworker, client_restricted=True)

    accept(client, south_supervisor, ask(client, supervisor, rosa, south), other_caseworker)

    assert sees(client, other_caseworker, rosa)
    assert not sees(client, south_colleague, rosa)
    assert not sees(client, south_colleague, son)


def test_each_supervisor_sees_the_transfer_on_their_list(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south
):
    rosa, _son, _case = family(caseworker)
    ask(client, supervisor, rosa, south)
    lists = reverse("casework:transfer_list")

    client.force_login(south_supervisor)
    incoming = text(client.get(lists)).split("Asked by your office")[0]
    client.force_login(supervisor)
    outgoing = text(client.get(lists)).split("Asked by your office")[1].split("Decided lately")[0]

    assert "Rosa Quispe" in incoming and "North Office → South Office" in incoming
    assert "Rosa Quispe" in outgoing
    assert AuditEvent.objects.filter(
        actor=south_supervisor, action=AuditEvent.Action.VIEW, changes__page="office transfers"
    ).exists()


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "auditor", "admin"])
def test_only_supervisors_open_the_transfer_pages(client, personas, south, persona):
    rosa, _son, _case = family(personas["caseworker"])
    client.force_login(personas["supervisor"])
    client.post(reverse("casework:transfer_request", args=[rosa.pk]), {"to_office": south.pk, "reason": REASON})
    transfer = OfficeTransfer.objects.get()

    client.force_login(personas[persona])
    for url in (
        reverse("casework:transfer_list"),
        reverse("casework:transfer_detail", args=[transfer.pk]),
        reverse("casework:transfer_request", args=[rosa.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_caseworker_cannot_accept(client, caseworker, supervisor, other_caseworker, south):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)

    response = accept(client, other_caseworker, transfer, other_caseworker)

    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == Status.REQUESTED
    assert Case.objects.get(pk=case.pk).office_id == caseworker.office_id


def test_the_sending_supervisor_cannot_accept_their_own_request(client, caseworker, supervisor, south):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)

    response = accept(client, supervisor, transfer, caseworker)

    assert response.status_code == 403
    assert OfficeTransfer.objects.get().status == Status.REQUESTED
    assert Case.objects.get(pk=case.pk).office_id == caseworker.office_id


def test_a_requester_who_moved_to_the_receiving_office_still_cannot_decide_their_own_request(
    client, caseworker, supervisor, other_caseworker, south
):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)
    supervisor.office = south
    supervisor.save()

    response = accept(client, supervisor, transfer, other_caseworker)

    assert response.status_code == 400
    assert "Nobody decides their own request." in text(response)
    assert OfficeTransfer.objects.get().status == Status.REQUESTED
    assert Case.objects.get(pk=case.pk).office_id == caseworker.office_id


def test_a_supervisor_of_a_third_office_sees_nothing(client, caseworker, supervisor, south):
    rosa, _son, _case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)
    west_supervisor = UserFactory(username="west_sup", office=HouseholdFactory().office, roles=["supervisor"])

    client.force_login(west_supervisor)

    assert client.get(reverse("casework:transfer_detail", args=[transfer.pk])).status_code == 404
    assert "Rosa" not in text(client.get(reverse("casework:transfer_list")))


def test_the_receiving_supervisor_names_a_worker_of_their_own_office(
    client, caseworker, supervisor, south_supervisor, south
):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)

    response = accept(client, south_supervisor, transfer, caseworker)

    assert response.status_code == 400
    assert "Choose a worker of your office who can take cases." in text(response)
    assert Case.objects.get(pk=case.pk).assigned_worker == caseworker


def test_a_declined_transfer_moves_nothing_and_tells_why(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south
):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)
    client.force_login(south_supervisor)

    response = client.post(reverse("casework:transfer_decline", args=[transfer.pk]), {"note": "Not our area."})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).office_id == caseworker.office_id
    assert not sees(client, other_caseworker, rosa)
    client.force_login(supervisor)
    page = text(client.get(reverse("casework:transfer_detail", args=[transfer.pk])))
    assert "Not our area." in page and "Declined" in page
    # The decline names who decided and why, and no receiving worker: there is none.
    event = AuditEvent.objects.filter(object_type="casework.officetransfer", action="update").get()
    assert event.changes == {
        "status": ["requested", "declined"],
        "decided_by_id": [None, south_supervisor.pk],
        "decided_at": [None, "2026-03-16T15:00:00+00:00"],
        "decision_note": ["", "Not our area."],
    }


def test_a_withdrawn_transfer_cannot_be_accepted_after(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south
):
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)
    client.post(reverse("casework:transfer_cancel", args=[transfer.pk]))
    assert OfficeTransfer.objects.get(pk=transfer.pk).status == Status.CANCELLED

    response = accept(client, south_supervisor, transfer, other_caseworker)

    assert response["Location"] == reverse("casework:transfer_detail", args=[transfer.pk])
    page = text(client.get(response["Location"]))
    assert "An office transfer that is cancelled cannot become accepted." in page
    assert Case.objects.get(pk=case.pk).assigned_worker == caseworker
    assert OfficeTransfer.objects.get(pk=transfer.pk).decided_by is None


def test_a_second_waiting_transfer_of_the_same_client_is_refused(client, caseworker, supervisor, south):
    rosa, _son, _case = family(caseworker)
    ask(client, supervisor, rosa, south)

    response = client.post(
        reverse("casework:transfer_request", args=[rosa.pk]), {"to_office": south.pk, "reason": REASON}
    )

    assert response.status_code == 200
    assert "already waiting" in text(response)
    assert OfficeTransfer.objects.count() == 1


# Measured: 2 read the transfers and their cases; the rest is every page's (3 sign-in, 3 session
# upkeep, 2 permissions and the office for the menu, 4 the read event).
LIST_QUERIES = 15


def test_the_list_costs_the_same_whatever_its_rows(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            rosa, _son, _case = family(caseworker)
            transfer = ask(client, supervisor, rosa, south)
            if i % 2:
                accept(client, south_supervisor, transfer, other_caseworker)

    counts = []
    for n in (2, 8):
        add(n)
        client.force_login(south_supervisor)
        client.get(reverse("casework:transfer_list"))
        with django_assert_max_num_queries(LIST_QUERIES) as queries:
            response = client.get(reverse("casework:transfer_list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert text(response).count("Rosa Quispe") == 10


def test_past_the_workers_maximum_caseload_the_supervisor_gives_a_reason(
    client, caseworker, supervisor, other_caseworker, south_supervisor, south
):
    south.recommended_caseload = south.maximum_caseload = 0
    south.save(update_fields=["recommended_caseload", "maximum_caseload"])
    rosa, _son, case = family(caseworker)
    transfer = ask(client, supervisor, rosa, south)
    client.force_login(south_supervisor)
    url = reverse("casework:transfer_accept", args=[transfer.pk])

    refused = client.post(url, {"to_worker": other_caseworker.pk, "note": ""})
    accepted = client.post(url, {"to_worker": other_caseworker.pk, "note": "Her worker knows the family."})

    assert refused.status_code == 400
    assert "over the office&#x27;s maximum of 0" in text(refused)
    assert accepted.status_code == 302
    assert Case.objects.get(pk=case.pk).assigned_worker == other_caseworker


def test_the_clients_page_offers_the_move_to_its_offices_supervisor_only(client, caseworker, supervisor):
    rosa, _son, _case = family(caseworker)
    url = reverse("casework:transfer_request", args=[rosa.pk])

    client.force_login(supervisor)
    for_supervisor = client.get(reverse("clients:detail", args=[rosa.pk])).content.decode()
    client.force_login(caseworker)
    for_caseworker = client.get(reverse("clients:detail", args=[rosa.pk])).content.decode()

    assert url in for_supervisor
    assert url not in for_caseworker
