"""Requests within and beyond a caseworker's authority, approvals, issue, cancel and reverse."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from assistance.models import Account, Issuance, LedgerEntry, LedgerTransaction
from assistance.services import (
    IssuanceRequest,
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reject,
    issuance_request,
    issuance_reverse,
)
from assistance.tests.helpers import DECIDED_AT, client_case, income_support, own_request_within_limit, request, shelter
from tests.factories import UserFactory

# One frozen moment for every test here, so months and rolling 30 days mean the same on any day.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)]
Status = Issuance.Status


def ledger_total(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def test_emergency_funds_up_to_a_thousand_dollars_issue_at_once(caseworker):
    client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1000.00")
    assert issuance.status == Status.ISSUED
    assert issuance.exceeds == []
    assert issuance.reference.startswith("AS-")
    assert [c.to_status for c in issuance.status_changes.all()] == [Status.REQUESTED, Status.APPROVED, Status.ISSUED]
    assert ledger_total(client=client, account=Account.ISSUED) == Decimal("1000.00")
    assert ledger_total(client=client, account=Account.PAYMENTS) == Decimal("-1000.00")
    assert ledger_total() == 0


def test_one_cent_over_the_limit_waits_for_a_supervisor(caseworker):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1000.01")
    assert issuance.status == Status.PENDING
    assert issuance.exceeds[0]["measure"] == "per_issuance"
    assert issuance.exceeds[0]["over_by"] == "0.01"
    assert not LedgerEntry.objects.exists()


def test_four_shelter_nights_issue_and_a_fifth_waits(caseworker):
    _client, case = client_case(caseworker)
    four = shelter(caseworker, case, nights=4, rate="62.50")
    assert four.status == Status.ISSUED
    assert four.amount == Decimal("250.00")
    five = shelter(caseworker, case, nights=5)
    assert five.status == Status.PENDING
    assert five.exceeds[0]["measure"] == "max_units"


def test_supervisor_approves_then_the_caseworker_issues(caseworker, supervisor):
    client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1200.00")
    issuance = issuance_approve(acting_user=supervisor, issuance=issuance, reason="Eviction notice seen")
    assert issuance.status == Status.APPROVED
    assert issuance.decided_by == supervisor
    assert ledger_total(client=client) == 0 and not LedgerEntry.objects.exists()
    issuance = issuance_issue(acting_user=caseworker, issuance=issuance)
    assert issuance.status == Status.ISSUED
    assert ledger_total(client=client, account=Account.ISSUED) == Decimal("1200.00")
    # Issuing again changes nothing: one posting.
    issuance_issue(acting_user=caseworker, issuance=issuance)
    assert LedgerTransaction.objects.filter(issuance=issuance).count() == 1


def test_nobody_approves_their_own_request(supervisor):
    issuance = own_request_within_limit(supervisor)  # within their authority: only the self rule refuses
    with time_machine.travel(DECIDED_AT, tick=False):
        with pytest.raises(ValidationError, match="Nobody approves or rejects their own request"):
            issuance_approve(acting_user=supervisor, issuance=issuance)
        with pytest.raises(ValidationError, match="Nobody approves or rejects their own request"):
            issuance_reject(acting_user=supervisor, issuance=issuance, reason="Changed my mind")
    issuance.refresh_from_db()
    assert (issuance.status, issuance.decided_by) == (Status.PENDING, None)
    assert not LedgerEntry.objects.exists()


def test_the_database_refuses_a_self_approval(caseworker):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="2000.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Issuance.objects.filter(pk=issuance.pk).update(decided_by=caseworker)


def test_a_supervisor_cannot_approve_past_their_own_limit(caseworker, supervisor):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="5000.01")
    with pytest.raises(ValidationError, match="beyond your own authority"):
        issuance_approve(acting_user=supervisor, issuance=issuance)


def test_a_decided_request_cannot_be_decided_again(caseworker, supervisor, north):
    _client, case = client_case(caseworker)
    second = UserFactory(office=north, roles=["supervisor"])
    issuance = request(caseworker, case, amount="1500.00")
    issuance_reject(acting_user=supervisor, issuance=issuance, reason="Landlord already paid")
    with pytest.raises(ValidationError, match="already rejected"):
        issuance_approve(acting_user=second, issuance=issuance)


def test_the_same_key_gives_back_the_first_result(caseworker):
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="250.00", key="k-1")
    again = request(caseworker, case, amount="250.00", key="k-1")
    assert again.pk == first.pk
    assert Issuance.objects.count() == 1
    with pytest.raises(ValidationError, match="other details"):
        request(caseworker, case, amount="260.00", key="k-1")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5.00", "more than zero"),
        ("10.005", "two decimal places"),
        ("abc", "like 1,450.00"),
        ("7,5", "like 1,450.00"),
        ("1e-2", "like 1,450.00"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_error(caseworker, amount, message):
    _client, case = client_case(caseworker)
    with pytest.raises(ValidationError, match=message):
        issuance_request(
            acting_user=caseworker,
            case=case,
            client=case.primary_client,
            program=income_support(),
            request=IssuanceRequest(kind="emergency", amount=amount, payee_name="The client", method="card"),
            idempotency_key=f"bad-{amount}",
        )
    assert not Issuance.objects.exists()


def test_a_cheque_needs_an_address_and_a_closed_case_gets_nothing(caseworker):
    _client, case = client_case(caseworker)
    with pytest.raises(ValidationError) as error:
        request(caseworker, case, method=Issuance.Method.CHEQUE)
    assert "payee_address" in error.value.message_dict
    from casework.services.cases import case_transition

    case_transition(acting_user=caseworker, case=case, to="closed", reason="Moved away", closure_reason="other")
    with pytest.raises(ValidationError) as error:
        request(caseworker, case)
    assert "case" in error.value.message_dict
    assert not Issuance.objects.exists()


def test_reversal_posts_the_opposite_and_keeps_the_original(caseworker, supervisor):
    client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="300.00")
    issuance_reverse(acting_user=supervisor, issuance=issuance, reason="Paid to the wrong account")
    issuance.refresh_from_db()
    assert issuance.status == Status.REVERSED
    assert LedgerTransaction.objects.filter(issuance=issuance).count() == 2
    assert ledger_total(client=client, account=Account.ISSUED) == 0
    with pytest.raises(ValidationError):
        issuance_reverse(acting_user=supervisor, issuance=issuance, reason="Again")


def test_cancel_a_waiting_request(caseworker):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1500.00")
    issuance_cancel(acting_user=caseworker, issuance=issuance, reason="Client found other help")
    issuance.refresh_from_db()
    assert issuance.status == Status.CANCELLED


def test_the_same_amount_written_differently_is_the_same_request(caseworker):
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="100", key="k-2")
    assert request(caseworker, case, amount="100.00", key="k-2").pk == first.pk


def test_a_request_on_a_case_closed_since_cannot_be_approved(caseworker, supervisor):
    from casework.services.cases import case_transition

    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1500.00")
    case_transition(acting_user=caseworker, case=case, to="closed", reason="Moved away", closure_reason="other")
    with pytest.raises(ValidationError, match="reopen it or reject"):
        issuance_approve(acting_user=supervisor, issuance=issuance)
    issuance_reject(acting_user=supervisor, issuance=issuance, reason="Case closed")


def test_nobody_is_given_assistance_on_a_case_they_may_not_work(caseworker, other_caseworker):
    _client, case = client_case(caseworker)
    with pytest.raises(PermissionDenied):
        request(other_caseworker, case, amount="50.00")
    assert not Issuance.objects.filter(case=case).exists()
    assert not LedgerEntry.objects.exists()
