"""A page makes as many SQL queries for 50 rows as for 5: no query per row.

Each test fills a page with SMALL rows, loads it once to warm caches, counts the queries
of a second load, adds rows up to LARGE, and counts again. The two counts must be equal,
and each stays under a fixed ceiling (the count measured on SQLite and PostgreSQL). The
trigram search on PostgreSQL sets its word-similarity threshold (one extra query), and when
the strict pass finds less than a full page it takes one looser pass (two more): a fixed
bound, so there its count may drop as rows are added but must never grow.

A user sees a client through a case, so every client shown has one (`case_for`); where the
rows are clients, each case has a worker of its own, so that the access rule's join through
the worker (and the supervisor's team) would show if it ran per row.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from clients import services
from clients.models import Asset, Document, Expense, PersonFact
from tests.documents import pdf_bytes
from tests.factories import (
    ClientFactory,
    ConsentFactory,
    HouseholdFactory,
    IncomeFactory,
    MembershipFactory,
    OfficeFactory,
    UserFactory,
    case_for,
)

SMALL, LARGE = 5, 50
# One frozen moment (10:00 in Chicago on 12 March 2026): the rows counted are dated the same day on every run.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = pytest.mark.time_machine(NOW, tick=False)

# Queries per page load, whatever the number of rows. On PostgreSQL a name search adds one to three.
# The list and search are read by a supervisor, whose office the navigation bar names (one query).
MAX_QUERIES = {
    # The overview made 15 queries before it listed the person's facts; listing them costs none more.
    "overview": 15,
    "list": 15,
    "search": 14,
    "household": 16,
    "finances": 17,
    "documents": 15,
    "consents": 15,
    "history": 15,
    "trail": 12,
}

_serial = count(1)


def new_worker(office, team=None):
    """A different user for each row, so that a per-row user lookup would show."""
    return UserFactory(username=f"worker{next(_serial)}", office=office, team=team, roles=["caseworker"])


def load(client, path: str, params: dict, ceiling: int, django_assert_max_num_queries):
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def assert_constant(client, page: str, path: str, add_rows, django_assert_max_num_queries, params=None) -> str:
    """Load `path` with SMALL rows and with LARGE rows (`add_rows(n)` adds n); the counts must match.

    Returns the HTML of the LARGE load, for the caller to check that the rows were really shown.
    """
    params = params or {}
    two_pass_search = page == "search" and connection.vendor == "postgresql"
    ceiling = MAX_QUERIES[page] + (3 if two_pass_search else 0)
    add_rows(SMALL)
    client.get(path, params)  # warm up: content types, permissions, session
    small, _ = load(client, path, params, ceiling, django_assert_max_num_queries)
    add_rows(LARGE - SMALL)
    large, html = load(client, path, params, ceiling, django_assert_max_num_queries)
    if two_pass_search:
        assert large <= small, f"{page}: {small} queries for {SMALL} rows but {large} for {LARGE}"
    else:
        assert small == large, f"{page}: {small} queries for {SMALL} rows but {large} for {LARGE}"
    return html


@pytest.fixture
def offices(north, south):
    return [north, south, OfficeFactory(code="east", name="East Office")]


def test_client_list_queries_do_not_grow_with_clients(
    client, supervisor, north, offices, django_assert_max_num_queries
):
    # Clients registered in three offices, each on a case of a worker of the supervisor's team.
    def add_rows(n):
        for i in range(n):
            listed = ClientFactory(office=offices[i % len(offices)], first_name="Listed", identifier_last4=f"{i:04d}")
            case_for(listed, new_worker(north, supervisor.team))

    client.force_login(supervisor)
    html = assert_constant(client, "list", reverse("clients:list"), add_rows, django_assert_max_num_queries)
    assert html.count(">Listed ") == 25  # one page
    assert all(office.name in html for office in offices)


def test_client_search_queries_do_not_grow_with_matches(
    client, supervisor, north, offices, django_assert_max_num_queries
):
    def add_rows(n):
        for i in range(n):
            found = ClientFactory(office=offices[i % len(offices)], last_name="Quixote")
            case_for(found, new_worker(north, supervisor.team))

    client.force_login(supervisor)
    html = assert_constant(
        client, "search", reverse("clients:list"), add_rows, django_assert_max_num_queries, params={"q": "Quixote"}
    )
    assert html.count(" Quixote</a>") == LARGE


def test_household_tab_queries_do_not_grow_with_members(
    client, caseworker, supervisor, north, django_assert_max_num_queries
):
    head = ClientFactory(office=north)
    household = HouseholdFactory(office=north)
    MembershipFactory(client=head, household=household, relationship="head")
    # A past household too, so the tab lists more than one membership.
    MembershipFactory(
        client=head, household=HouseholdFactory(office=north), start_date=date(2020, 1, 1), end_date=date(2024, 12, 31)
    )
    case_for(head, caseworker)

    def add_rows(n):
        for i in range(n):
            # Each member came from a case of a worker of the supervisor's team, half of them restricted:
            # the supervisor sees them all, and the access rule joins through each one's worker.
            member = ClientFactory(office=north, restricted=i % 2 == 0)
            case_for(member, new_worker(north, supervisor.team))
            today = TODAY
            member.memberships.update(end_date=today)
            MembershipFactory(client=member, household=household, relationship="child", start_date=today)

    client.force_login(supervisor)
    path = reverse("clients:household", args=[head.pk])
    html = assert_constant(client, "household", path, add_rows, django_assert_max_num_queries)
    assert html.count("<td>Child</td>") == LARGE
    assert html.count(">Record leaving</a>") == 1  # only on the viewed client's own row


def test_finances_tab_queries_do_not_grow_with_incomes_expenses_and_assets(
    client, caseworker, north, django_assert_max_num_queries
):
    someone = ClientFactory(office=north)
    case_for(someone, caseworker)

    def add_rows(n):
        for i in range(n):
            start = date(2024, 1, 1) + timedelta(days=i)
            IncomeFactory(client=someone, start_date=start, amount=Decimal(100 + i))
            Expense.objects.create(client=someone, kind="rent", amount=Decimal(50 + i), start_date=start)
            Asset.objects.create(client=someone, kind="cash", value=Decimal(10 + i), as_of=start)

    client.force_login(caseworker)
    path = reverse("clients:finances", args=[someone.pk])
    html = assert_constant(client, "finances", path, add_rows, django_assert_max_num_queries)
    assert html.count(">Change</a>") == 3 * LARGE


def test_documents_tab_queries_do_not_grow_with_documents(
    client, caseworker, supervisor, north, django_assert_max_num_queries
):
    someone = ClientFactory(office=north)
    case_for(someone, caseworker)

    def add_rows(n):
        for i in range(n):
            upload = SimpleUploadedFile(f"statement-{i}.pdf", pdf_bytes(), content_type="application/pdf")
            document = services.document_upload(
                acting_user=new_worker(north), client=someone, kind="bank_statement", upload=upload
            )
            if i % 2:
                services.document_verify(acting_user=supervisor, document=document)

    client.force_login(caseworker)
    path = reverse("clients:documents", args=[someone.pk])
    html = assert_constant(client, "documents", path, add_rows, django_assert_max_num_queries)
    assert html.count(">statement-") == LARGE
    unverified = Document.objects.filter(client=someone, verified_at__isnull=True).count()
    assert 0 < unverified < LARGE
    assert html.count(">Mark verified</button>") == unverified


def test_overview_queries_do_not_grow_with_facts(client, caseworker, north, django_assert_max_num_queries):
    someone = ClientFactory(office=north, date_of_birth=date(1960, 1, 1))
    case_for(someone, caseworker)
    added = count(0)

    def add_rows(n):
        # Ended facts, each recorded and verified by a different worker, a year apart.
        for _ in range(n):
            year = 1980 + next(added)
            PersonFact.objects.create(
                client=someone,
                kind="student",
                start_date=date(year, 9, 1),
                end_date=date(year + 1, 5, 31),
                verification="verified",
                verified_by=new_worker(north),
                verified_at=NOW,
                recorded_by=new_worker(north),
            )

    client.force_login(caseworker)
    path = reverse("clients:detail", args=[someone.pk])
    html = assert_constant(client, "overview", path, add_rows, django_assert_max_num_queries)
    assert html.count("<td>Student in higher education") == LARGE


def test_consents_tab_queries_do_not_grow_with_consents(client, caseworker, north, django_assert_max_num_queries):
    someone = ClientFactory(office=north)
    case_for(someone, caseworker)

    def add_rows(n):
        for i in range(n):
            ConsentFactory(
                client=someone,
                organization=f"Agency {i}",
                recorded_by=new_worker(north),
                revoked_on=date(2025, 7, 1) if i % 2 else None,
            )

    client.force_login(caseworker)
    path = reverse("clients:consents", args=[someone.pk])
    html = assert_constant(client, "consents", path, add_rows, django_assert_max_num_queries)
    assert html.count("<td>Agency ") == LARGE


def test_history_tab_queries_do_not_grow_with_events(client, caseworker, north, django_assert_max_num_queries):
    someone = ClientFactory(office=north)
    case_for(someone, caseworker)

    def add_rows(n):
        for i in range(n):
            audit_record(
                actor=new_worker(north),
                action=AuditEvent.Action.UPDATE,
                target=someone,
                client_ids=[someone.pk],
                changes={"phone": [f"555-000-{i:04d}", f"555-111-{i:04d}"]},
                reason="corrected" if i % 3 == 0 else "",
            )

    client.force_login(caseworker)
    path = reverse("clients:history", args=[someone.pk])
    html = assert_constant(client, "history", path, add_rows, django_assert_max_num_queries)
    assert html.count("555-111-") == LARGE


def test_audit_trail_queries_do_not_grow_with_events(client, auditor, north, django_assert_max_num_queries):
    clients = [ClientFactory(office=north) for _ in range(3)]

    def add_rows(n):
        for i in range(n):
            audit_record(
                actor=new_worker(north),
                action=AuditEvent.Action.SEARCH,
                object_type="clients.client",
                object_repr="client search",
                client_ids=[c.pk for c in clients[: 1 + i % 3]],
                changes={"criteria": {"q": f"name {i}"}, "results": 1 + i % 3},
            )

    client.force_login(auditor)
    html = assert_constant(client, "trail", reverse("audit:trail"), add_rows, django_assert_max_num_queries)
    assert html.count("<td>Searched</td>") == LARGE
