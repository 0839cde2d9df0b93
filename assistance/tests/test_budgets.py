"""Program budgets: issued (from the ledger) and committed (approved, not issued) totals, the
supervisor's warning when an approval would pass the budget, and reversals giving money back."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.models import Account, Budget, Issuance, LedgerTransaction
from assistance.services import (
    Line,
    budget_effect,
    budget_totals,
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reject,
    issuance_reverse,
    ledger_post,
)
from assistance.tests.helpers import client_case, income_support, request
from eligibility.models import Program

# One frozen moment (10:00 in Chicago on 12 March 2026): budget years and "today" stay put while the suite runs.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
Status = Issuance.Status


def budget_of(amount: str, *, program: Program | None = None, warn_at_percent: int = 90) -> Budget:
    """A fiscal year that began 100 days ago, for Income Support unless told otherwise."""
    today = TODAY
    return Budget.objects.create(
        program=program or income_support(),
        fiscal_year="FY-test",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
        amount=Decimal(amount),
        warn_at_percent=warn_at_percent,
    )


def test_issued_comes_from_the_ledger_and_committed_is_approved_not_issued(caseworker, supervisor):
    budget = budget_of("10000.00")
    _client, case = client_case(caseworker)
    assert budget_totals(budget) == (Decimal("0.00"), Decimal("0.00"))

    request(caseworker, case, amount="800.00")  # within authority: issued at once
    waiting = request(caseworker, case, amount="1500.00")
    assert budget_totals(budget) == (Decimal("800.00"), Decimal("0.00")), "a waiting request commits nothing"

    issuance_approve(acting_user=supervisor, issuance=waiting)
    assert budget_totals(budget) == (Decimal("800.00"), Decimal("1500.00"))

    issuance_issue(acting_user=caseworker, issuance=waiting)
    assert budget_totals(budget) == (Decimal("2300.00"), Decimal("0.00"))

    effect = budget_effect(program_id=budget.program_id, amount=Decimal("100.00"))
    assert (effect.issued, effect.committed, effect.remaining) == (
        Decimal("2300.00"),
        Decimal("0.00"),
        Decimal("7700.00"),
    )
    assert not effect.exceeds and not effect.warns and effect.message == ""


def test_rejected_and_cancelled_requests_commit_nothing(caseworker, supervisor):
    budget = budget_of("10000.00")
    _client, case = client_case(caseworker)
    rejected = request(caseworker, case, amount="1500.00")
    issuance_reject(acting_user=supervisor, issuance=rejected, reason="Paid by the church")
    cancelled = request(caseworker, case, amount="1600.00")
    issuance_approve(acting_user=supervisor, issuance=cancelled)
    issuance_cancel(acting_user=caseworker, issuance=cancelled, reason="Client moved")
    assert budget_totals(budget) == (Decimal("0.00"), Decimal("0.00"))


def test_other_programs_and_months_outside_the_year_do_not_count(caseworker):
    budget = budget_of("10000.00")
    snap = Program.objects.get(code="snap")
    client, case = client_case(caseworker)
    request(caseworker, case, amount="300.00", program=snap)
    before_the_year = (budget.starts_on - timedelta(days=40)).replace(day=1)
    common = {"case_id": case.pk, "client_id": client.pk, "program_id": budget.program_id, "period": before_the_year}
    ledger_post(
        kind=LedgerTransaction.Kind.ISSUE,
        lines=[
            Line(account=Account.ISSUED, amount=Decimal("70.00"), **common),
            Line(account=Account.PAYMENTS, amount=Decimal("-70.00"), **common),
        ],
        posted_by=caseworker,
    )
    assert budget_totals(budget) == (Decimal("0.00"), Decimal("0.00"))


def test_an_approval_past_the_budget_is_refused_until_acknowledged(caseworker, supervisor):
    budget = budget_of("2000.00")
    _client, case = client_case(caseworker)
    request(caseworker, case, amount="800.00")
    waiting = request(caseworker, case, amount="1500.00")

    with pytest.raises(ValidationError) as error:
        issuance_approve(acting_user=supervisor, issuance=waiting)
    message = error.value.message_dict["budget_acknowledged"][0]
    assert str(budget) in message and "Income Support FY-test" in message
    assert "past its budget of $2,000.00" in message
    assert "$1,200.00 left" in message
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING and waiting.decided_by is None
    assert budget_totals(budget) == (Decimal("800.00"), Decimal("0.00"))

    issuance_approve(acting_user=supervisor, issuance=waiting, budget_acknowledged=True)
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED and waiting.decided_by == supervisor
    assert budget_totals(budget) == (Decimal("800.00"), Decimal("1500.00"))


def test_an_approval_that_just_fits_the_budget_needs_no_acknowledgement(caseworker, supervisor):
    budget = budget_of("2300.00")
    _client, case = client_case(caseworker)
    request(caseworker, case, amount="800.00")
    waiting = request(caseworker, case, amount="1500.00")
    effect = budget_effect(program_id=budget.program_id, amount=waiting.amount)
    assert not effect.exceeds and effect.warns
    assert effect.message == "After this, Income Support FY-test has $0.00 left of $2,300.00."
    assert issuance_approve(acting_user=supervisor, issuance=waiting).status == Status.APPROVED


def test_committed_amounts_count_against_the_next_approval(caseworker, supervisor):
    budget_of("3000.00")
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="1500.00")
    second = request(caseworker, case, amount="1500.01")
    issuance_approve(acting_user=supervisor, issuance=first)
    with pytest.raises(ValidationError, match="past its budget"):
        issuance_approve(acting_user=supervisor, issuance=second)


def test_a_program_without_a_budget_has_no_effect(caseworker, supervisor):
    assert budget_effect(program_id=income_support().pk, amount=Decimal("1000000.00")) is None
    _client, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="4000.00")
    assert issuance_approve(acting_user=supervisor, issuance=waiting).status == Status.APPROVED


def test_a_reversal_gives_the_money_back_to_the_budget(caseworker, supervisor):
    budget = budget_of("2000.00")
    _client, case = client_case(caseworker)
    paid = request(caseworker, case, amount="900.00")
    request(caseworker, case, amount="700.00")
    assert budget_totals(budget) == (Decimal("1600.00"), Decimal("0.00"))
    waiting = request(caseworker, case, amount="1100.00")
    with pytest.raises(ValidationError, match="past its budget"):
        issuance_approve(acting_user=supervisor, issuance=waiting)

    issuance_reverse(acting_user=supervisor, issuance=paid, reason="Paid twice by mistake")
    assert budget_totals(budget) == (Decimal("700.00"), Decimal("0.00"))
    assert issuance_approve(acting_user=supervisor, issuance=waiting).status == Status.APPROVED
    assert budget_totals(budget) == (Decimal("700.00"), Decimal("1100.00"))


def test_the_queues_bulk_budget_figures_agree_with_the_service(caseworker, supervisor):
    from assistance.selectors.ledger import budget_figures
    from assistance.services import budget_effect, issuance_approve
    from assistance.tests.helpers import client_case, income_support, request

    program = income_support()
    today = TODAY
    Budget.objects.create(
        program=program,
        fiscal_year="test",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        amount=Decimal("5000.00"),
    )
    _client, case = client_case(caseworker)
    request(caseworker, case, amount="700.00")
    issuance_approve(acting_user=supervisor, issuance=request(caseworker, case, amount="1200.00"))
    service = budget_effect(program_id=program.pk, amount=Decimal("900.00"))
    bulk = budget_figures(program_ids=[program.pk])[program.pk].effect(Decimal("900.00"))
    assert (bulk.issued, bulk.committed, bulk.remaining) == (service.issued, service.committed, service.remaining)
    assert (service.issued, service.committed) == (Decimal("700.00"), Decimal("1200.00"))
