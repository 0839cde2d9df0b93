"""Every main page costs at most 10 SQL queries, with 5 rows and with 50, as production serves
it: a warm cache of roles, permissions and session (tests/page_queries.py)."""

import re
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from django.urls import reverse

from accounts.access_cache import access_cache_clear
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import OfficeTransfer
from casework.services.cases import case_access_sync, case_assign
from casework.services.transfers import office_transfer_decline, office_transfer_request
from clients.models import HouseholdMembership, PersonFact, Verification
from tests.factories import ClientFactory, MembershipFactory, PersonFactFactory, UserFactory, case_for
from tests.page_queries import assert_page_queries, page_queries

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False), pytest.mark.usefixtures("warm_cache")]
_serial = count(1)


def colleague(worker):
    """Another worker of the same team: rows on several workers' cases show a per-row user lookup."""
    return UserFactory(
        username=f"colleague{next(_serial)}", office=worker.office, team=worker.team, roles=["caseworker"]
    )


def cases_of(worker, *, colleagues: bool = False):
    def add_rows(n):
        for _ in range(n):
            case_for(
                ClientFactory(office=worker.office, last_name=f"Listed{next(_serial)}"),
                colleague(worker) if colleagues else worker,
            )

    return add_rows


def test_caseworker_home(client, caseworker):
    client.force_login(caseworker)
    assert_page_queries(client, "caseworker home", reverse("home"), cases_of(caseworker))


def test_supervisor_home(client, supervisor, caseworker):
    client.force_login(supervisor)
    assert_page_queries(client, "supervisor home", reverse("home"), cases_of(caseworker, colleagues=True))


def test_caseload(client, caseworker):
    client.force_login(caseworker)
    html = assert_page_queries(client, "caseload", reverse("casework:case_list"), cases_of(caseworker))
    assert html.count("Listed") >= 25


def test_office_cases(client, caseworker):
    client.force_login(caseworker)
    assert_page_queries(
        client,
        "office cases",
        reverse("casework:case_list"),
        cases_of(caseworker, colleagues=True),
        {"scope": "office"},
    )


def test_client_list_and_search(client, supervisor, caseworker):
    client.force_login(supervisor)
    html = assert_page_queries(client, "client list", reverse("clients:list"), cases_of(caseworker, colleagues=True))
    assert html.count("Listed") >= 25


def test_client_record(client, caseworker):
    someone, _case = client_case(caseworker)

    def add_rows(n):
        # Ended facts (history), each recorded and verified by another colleague.
        for _ in range(n):
            i = next(_serial)
            start = date(2000, 1, 1) + timedelta(days=10 * i)
            PersonFactFactory(
                client=someone,
                kind=PersonFact.Kind.STUDENT,
                basis="",
                start_date=start,
                end_date=start + timedelta(days=5),
                note=f"Fact{i}",
                recorded_by=colleague(caseworker),
                verification=Verification.VERIFIED,
                verified_by=colleague(caseworker),
                verified_at=NOW,
            )

    client.force_login(caseworker)
    html = assert_page_queries(client, "client record", reverse("clients:detail", args=[someone.pk]), add_rows)
    assert len(re.findall(r">Fact\d+<", html)) == 50


def test_case_page(client, caseworker, supervisor):
    _someone, case = client_case(caseworker)

    def add_rows(n):
        # Household members, and the case handed from colleague to colleague by their supervisor.
        for _ in range(n):
            MembershipFactory(
                household=case.household,
                client=ClientFactory(office=caseworker.office, last_name=f"Member{next(_serial)}"),
                relationship=HouseholdMembership.Relationship.CHILD,
            )
            case_assign(acting_user=supervisor, case=case, to_worker=colleague(caseworker), reason="Cover")
        case_access_sync(case=case)

    client.force_login(caseworker)
    html = assert_page_queries(client, "case page", reverse("casework:case_detail", args=[case.pk]), add_rows)
    assert html.count("Member") >= 50
    assert html.count(": Cover)") == 50


def test_approval_queue(client, caseworker, supervisor):
    def add_rows(n):
        for _ in range(n):
            _someone, case = client_case(colleague(caseworker))
            request(case.assigned_worker, case, amount="1500.00")

    client.force_login(supervisor)
    html = assert_page_queries(client, "approval queue", reverse("assistance:queue"), add_rows)
    assert html.count('id="request-') == 50


def test_transfers(client, supervisor, caseworker, other_caseworker):
    south_supervisor = other_caseworker.team.supervisor

    def add_rows(n):
        # Asked of this office, asked by it, and declined: the page's three lists.
        for i in range(n):
            if i % 3 == 0:
                someone, _case = client_case(other_caseworker, last_name=f"Moving{next(_serial)}")
                office_transfer_request(
                    acting_user=south_supervisor, client=someone, to_office=supervisor.office, reason="Moved"
                )
                continue
            someone, _case = client_case(caseworker, last_name=f"Moving{next(_serial)}")
            transfer = office_transfer_request(
                acting_user=supervisor, client=someone, to_office=other_caseworker.office, reason="Moved"
            )
            if i % 3 == 2:
                office_transfer_decline(acting_user=south_supervisor, transfer=transfer, note="No room")

    client.force_login(supervisor)
    html = assert_page_queries(client, "transfers", reverse("casework:transfer_list"), add_rows)
    # Every transfer: those waiting, and the 16 decided (fewer than the 20 latest the page shows).
    assert OfficeTransfer.objects.exclude(status=OfficeTransfer.Status.REQUESTED).count() == 16
    assert html.count("Moving") == 50


def test_audit_trail(client, auditor, caseworker):
    def add_rows(n):
        # Events by several people, each naming a client: the page shows the latest 50.
        for _ in range(n):
            audit_record(
                actor=colleague(caseworker),
                action=AuditEvent.Action.VIEW,
                object_repr=f"Shown{next(_serial)}",
                client_ids=[ClientFactory(office=caseworker.office).pk],
            )

    client.force_login(auditor)
    html = assert_page_queries(client, "audit trail", reverse("audit:trail"), add_rows)
    assert html.count("Shown") == 50
    assert html.count("colleague") == 50


def test_a_cold_cache_costs_the_roles_and_permissions_once(client, caseworker):
    """The first page after a change of roles reads them (and the permissions) again; the next does not."""
    someone, _case = client_case(caseworker)
    client.force_login(caseworker)
    path = reverse("clients:detail", args=[someone.pk])
    page_queries(client, path)
    access_cache_clear()  # as any change of a role or a permission does
    cold, _ = page_queries(client, path)
    warm, _ = page_queries(client, path)
    # The user (with their office), their roles, and their permissions: two queries, their own and their groups'.
    assert len(cold) - len(warm) == 4, [s[:80] for s in cold]
