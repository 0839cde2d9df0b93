"""Every main page costs at most 10 SQL queries, with 5 rows and with 50, as production serves
it: a warm cache of roles, permissions and session (tests/page_queries.py)."""

from datetime import UTC, datetime
from itertools import count

import pytest
from django.urls import reverse

from accounts.access_cache import access_cache_clear
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from tests.factories import ClientFactory, UserFactory, case_for
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


def test_client_record_and_case_page(client, caseworker):
    someone, case = client_case(caseworker)
    client.force_login(caseworker)
    assert_page_queries(
        client, "client record", reverse("clients:detail", args=[someone.pk]), cases_of(caseworker, colleagues=True)
    )
    assert_page_queries(client, "case page", reverse("casework:case_detail", args=[case.pk]), lambda n: None)


def test_approval_queue(client, caseworker, supervisor):
    def add_rows(n):
        for _ in range(n):
            _someone, case = client_case(colleague(caseworker))
            request(case.assigned_worker, case, amount="1500.00")

    client.force_login(supervisor)
    html = assert_page_queries(client, "approval queue", reverse("assistance:queue"), add_rows)
    assert html.count('id="request-') == 50


def test_transfers(client, supervisor, caseworker):
    client.force_login(supervisor)
    assert_page_queries(client, "transfers", reverse("casework:transfer_list"), cases_of(caseworker))


def test_audit_trail(client, auditor, caseworker):
    def add_rows(n):
        cases_of(caseworker)(n)

    client.force_login(auditor)
    html = assert_page_queries(client, "audit trail", reverse("audit:trail"), add_rows)
    assert AuditEvent.objects.exists() and html


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
