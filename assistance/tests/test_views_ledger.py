"""The ledger pages: a client's entries with running balances, and the programs' monthly totals
and budgets; who may open each, and a fixed number of queries however many rows."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import Account, Budget, LedgerTransaction
from assistance.selectors.ledger import add_months
from assistance.services import Line, issuance_approve, ledger_post
from assistance.tests.helpers import client_case, income_support, request
from audit.models import AuditEvent
from eligibility.models import Program

# One frozen moment (10:00 in Chicago on 12 March 2026) so "this month" and the fiscal year never move under a test.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
PROGRAM_LEDGER = reverse("assistance:program_ledger")
THIS_MONTH = TODAY.replace(day=1)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_month(worker, case, period: date, *, issued: str, owed: str = "0", program: Program | None = None) -> None:
    """A month's issue (all paid out) and, when `owed`, an overpayment found for it, posted as the services do."""
    program = program or income_support()
    common = {"case_id": case.pk, "client_id": case.primary_client_id, "program_id": program.pk, "period": period}
    ledger_post(
        kind=LedgerTransaction.Kind.ISSUE,
        lines=[
            Line(account=Account.ISSUED, amount=Decimal(issued), **common),
            Line(account=Account.PAYMENTS, amount=-Decimal(issued), **common),
        ],
        posted_by=worker,
    )
    if Decimal(owed):
        ledger_post(
            kind=LedgerTransaction.Kind.OVERPAYMENT,
            lines=[
                Line(account=Account.RECEIVABLE, amount=Decimal(owed), **common),
                Line(account=Account.ISSUED, amount=-Decimal(owed), **common),
            ],
            posted_by=worker,
        )


# A client's ledger ------------------------------------------------------------------------------------


def test_who_may_open_a_clients_ledger(client, personas):
    ana, case = client_case(personas["caseworker"])
    request(personas["caseworker"], case, amount="100.00")
    url = reverse("assistance:client_ledger", args=[ana.pk])
    for persona, status in {
        "caseworker": 200,
        "supervisor": 200,
        "other_caseworker": 404,
        "admin": 404,
        "auditor": 404,
    }.items():
        client.force_login(personas[persona])
        response = client.get(url)
        assert response.status_code == status, persona
        if status == 404:
            assert ana.last_name not in response.content.decode()
    assert AuditEvent.objects.filter(
        actor=personas["caseworker"], action=AuditEvent.Action.VIEW, changes__page="ledger"
    ).exists()


def test_a_clients_ledger_shows_balances_entries_and_running_totals(client, caseworker):
    ana, case = client_case(caseworker, first_name="Ana", last_name="Okafor")
    two_back, last = add_months(THIS_MONTH, -2), add_months(THIS_MONTH, -1)
    post_month(caseworker, case, two_back, issued="500.00", owed="50.00")
    post_month(caseworker, case, last, issued="400.00")
    snap = Program.objects.get(code="snap")
    post_month(caseworker, case, last, issued="120.00", program=snap)
    issued = request(caseworker, case, amount="300.00")
    client.force_login(caseworker)

    response = client.get(reverse("assistance:client_ledger", args=[ana.pk]))

    page = text(response)
    # Income Support: 500 - 50 + 400 + 300 issued; 1,200 paid; 50 owed.
    assert "Income Support $1,150.00 $1,200.00 $50.00 $0.00" in page
    assert "SNAP $120.00 $120.00 $0.00 $0.00" in page
    assert "All programs $1,270.00 $1,320.00 $50.00 $0.00" in page
    assert issued.reference in page
    months = page.split("Month by month")[1]
    assert f"{THIS_MONTH:%Y-%m} $300.00 $300.00 $50.00" in months
    assert f"{two_back:%Y-%m} $450.00 $500.00 $50.00" in months
    # The assistance account's running balance after the last entry: 1,270.
    assert re.search(r"Assistance issued \$300\.00 \$1,270\.00", page)


def test_filter_by_program_and_month_with_balances_carried_on(client, caseworker):
    ana, case = client_case(caseworker)
    two_back, last = add_months(THIS_MONTH, -2), add_months(THIS_MONTH, -1)
    post_month(caseworker, case, two_back, issued="500.00", owed="50.00")
    post_month(caseworker, case, last, issued="400.00")
    post_month(caseworker, case, last, issued="120.00", program=Program.objects.get(code="snap"))
    client.force_login(caseworker)
    url = reverse("assistance:client_ledger", args=[ana.pk])

    response = client.get(url, {"program": income_support().pk, "month": f"{last:%Y-%m}"})

    page = text(response)
    entries = page.split("Entries for")[1].split("Month by month")[0]
    assert "SNAP" not in entries
    assert re.search(r"Assistance issued \$400\.00 \$850\.00", entries)  # 450 before, 400 in the month
    assert re.search(r"Payments to payees \$400\.00 -\$900\.00", entries)
    assert "Income Support $850.00 $900.00 $50.00" in page
    assert "SNAP $120.00" not in page

    nonsense = client.get(url, {"program": "999", "month": "1999-01"})
    assert nonsense.status_code == 200 and "All programs $970.00" in text(nonsense)  # unknown filters are ignored


def test_a_clients_ledger_costs_the_same_queries_with_few_and_many_entries(
    client, caseworker, django_assert_max_num_queries
):
    ana, case = client_case(caseworker)
    url = reverse("assistance:client_ledger", args=[ana.pk])
    client.force_login(caseworker)
    counts = []
    for months in (1, 40):  # 2 entries, then 80 (two pages)
        for m in range(len(counts) and 1, months):
            post_month(caseworker, case, add_months(THIS_MONTH, -m), issued="10.00", owed="1.00" if m % 5 == 0 else "0")
        if not counts:
            post_month(caseworker, case, THIS_MONTH, issued="10.00")
        for params in ({}, {"program": income_support().pk, "month": f"{THIS_MONTH:%Y-%m}"}):
            client.get(url, params)
            with django_assert_max_num_queries(20) as captured:
                response = client.get(url, params)
            assert response.status_code == 200
            counts.append(len(captured))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert "Page 1 of 2" in text(client.get(url))


# Programs' figures and budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 403), ("other_caseworker", 403), ("supervisor", 200), ("auditor", 200), ("admin", 200)],
)
def test_who_may_see_the_programs_figures(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(PROGRAM_LEDGER).status_code == status


def test_supervisors_see_totals_of_cases_they_may_see_and_auditors_the_agencys(
    client, caseworker, supervisor, other_caseworker, auditor
):
    _a, north_case = client_case(caseworker)
    _b, south_case = client_case(other_caseworker)
    last = add_months(THIS_MONTH, -1)
    post_month(caseworker, north_case, last, issued="700.00", owed="70.00")
    post_month(other_caseworker, south_case, last, issued="5000.00")
    request(caseworker, north_case, amount="250.00")

    client.force_login(supervisor)
    page = text(client.get(PROGRAM_LEDGER))
    assert f"{THIS_MONTH:%Y-%m} Income Support $250.00 $250.00 $0.00 $0.00" in page
    assert f"{last:%Y-%m} Income Support $630.00 $700.00 $70.00 $0.00" in page
    assert "$5,000.00" not in page

    client.force_login(auditor)
    page = text(client.get(PROGRAM_LEDGER))
    assert f"{last:%Y-%m} Income Support $5,630.00 $5,700.00 $70.00 $0.00" in page
    page = text(client.get(PROGRAM_LEDGER, {"office": other_caseworker.office_id}))
    assert f"{last:%Y-%m} Income Support $5,000.00 $5,000.00 $0.00 $0.00" in page
    assert caseworker.last_name not in page


def test_budgets_show_issued_committed_and_remaining(client, caseworker, supervisor):
    _a, case = client_case(caseworker)
    today = TODAY
    Budget.objects.create(
        program=income_support(),
        fiscal_year=f"FY{today.year}",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        amount=Decimal("3000.00"),
        warn_at_percent=80,
    )
    request(caseworker, case, amount="900.00")
    waiting = request(caseworker, case, amount="1600.00")
    issuance_approve(acting_user=supervisor, issuance=waiting)  # committed, not yet issued
    client.force_login(supervisor)

    page = text(client.get(PROGRAM_LEDGER))

    assert re.search(
        rf"Income Support FY{today.year} .*? \$3,000\.00 \$900\.00 \$1,600\.00 \$500\.00 83% Past 80%", page
    )


def test_the_programs_figures_cost_the_same_queries_with_few_and_many_rows(
    client, caseworker, supervisor, django_assert_max_num_queries
):
    _a, case = client_case(caseworker)
    programs = list(Program.objects.order_by("code"))
    for program in programs:
        Budget.objects.create(
            program=program,
            fiscal_year="now",
            starts_on=add_months(THIS_MONTH, -6),
            ends_on=add_months(THIS_MONTH, 6),
            amount=Decimal("100000.00"),
        )
    client.force_login(supervisor)
    counts = []
    for months in (1, 24):
        for m in range(len(counts) and 1, months):
            for program in programs:
                post_month(caseworker, case, add_months(THIS_MONTH, -m), issued="25.00", program=program)
        if not counts:
            post_month(caseworker, case, THIS_MONTH, issued="25.00")
        params = {"from": f"{add_months(THIS_MONTH, -30):%Y-%m}", "to": f"{THIS_MONTH:%Y-%m}"}
        client.get(PROGRAM_LEDGER, params)
        with django_assert_max_num_queries(16) as captured:
            response = client.get(PROGRAM_LEDGER, params)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert "Page 1 of 2" in text(response)  # 24 months of 3 programs: 70 rows, 60 a page
