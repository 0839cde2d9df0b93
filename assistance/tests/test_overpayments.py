"""Overpayments by hand: established after an investigation, the reason corrected, written off with
another supervisor's approval, repaid under an agreement. The balance always follows the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.models import Account, LedgerTransaction, Overpayment, RepaymentAgreement
from assistance.services.overpayments import (
    overpayment_establish,
    overpayment_reason_change,
    overpayment_write_off_decide,
    overpayment_write_off_request,
    repayment_agreement_end,
    repayment_agreement_make,
    repayment_record,
)
from assistance.tests.test_settlements import (
    FEB,
    JAN,
    active_enrollment,
    assert_balances_follow_the_ledger,
    pay,
    total,
)
from audit.models import AuditEvent
from tests.factories import UserFactory

# One frozen moment for every test here, so rolling windows and ages mean the same on any day.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)]
Status = Overpayment.Status
Reason = Overpayment.Reason


def investigated(worker, periods=((JAN, "20.00"), (FEB, "50.00")), **fields) -> Overpayment:
    """A case paid $50 in January and February, and an overpayment found by an investigation."""
    enrollment = fields.pop("enrollment", None)
    if enrollment is None:
        enrollment = active_enrollment(worker)
        for month in (JAN, FEB):
            pay(enrollment, month)
    case = enrollment.case
    details = {
        "reason": Reason.INTENTIONAL,
        "allegation": "Earnings from a second job not reported.",
        "findings": "Pay stubs from the employer confirm $400 a month since January.",
        "outcome": "Overpayment established; the household admits the violation.",
        **fields,
    }
    return overpayment_establish(
        acting_user=worker,
        case=case,
        client=case.primary_client,
        program=enrollment.program,
        periods=list(periods),
        **details,
    )


@pytest.fixture
def second_supervisor(north):
    return UserFactory(username="sup2", office=north, roles=["supervisor"])


def test_an_investigation_establishes_an_overpayment_through_the_ledger(caseworker):
    overpayment = investigated(caseworker)

    assert (overpayment.amount, overpayment.balance, overpayment.status) == (
        Decimal("70.00"),
        Decimal("70.00"),
        Status.ESTABLISHED,
    )
    assert (overpayment.source, overpayment.reason) == (Overpayment.Source.INVESTIGATION, Reason.INTENTIONAL)
    assert overpayment.enrollment is not None and overpayment.established_by == caseworker
    assert "second job" in overpayment.allegation and "Pay stubs" in overpayment.findings
    assert [(p.period, p.paid, p.due, p.amount) for p in overpayment.periods.all()] == [
        (JAN, Decimal("50.00"), Decimal("30.00"), Decimal("20.00")),
        (FEB, Decimal("50.00"), Decimal("0.00"), Decimal("50.00")),
    ]
    posting = LedgerTransaction.objects.get(overpayment=overpayment, kind=LedgerTransaction.Kind.OVERPAYMENT)
    assert sorted((e.account, e.period, e.amount) for e in posting.entries.all()) == [
        ("issued", JAN, Decimal("-20.00")),
        ("issued", FEB, Decimal("-50.00")),
        ("receivable", JAN, Decimal("20.00")),
        ("receivable", FEB, Decimal("50.00")),
    ]
    assert_balances_follow_the_ledger()
    event = AuditEvent.objects.get(object_type="assistance.overpayment", object_id=str(overpayment.pk))
    assert event.action == "create" and event.actor == caseworker
    assert event.changes["amount"] == [None, "70.00"]
    assert [c.to_status for c in overpayment.status_changes.all()] == [Status.ESTABLISHED]


@pytest.mark.parametrize(
    ("periods", "fields", "field", "message"),
    [
        (((JAN, "20.00"),), {"reason": ""}, "reason", "Choose the reason"),
        (((JAN, "20.00"),), {"findings": "  "}, "findings", "what the investigation found"),
        ((), {}, "periods", "at least one month"),
        (((JAN, "20.00"), (date(2026, 1, 15), "5.00")), {}, "periods", "January 2026 is entered twice"),
        (((JAN, "10.005"),), {}, "periods", "January 2026: Enter at most two decimal places"),
        (((JAN, "-3"),), {}, "periods", "January 2026: The amount must be more than zero"),
        (((JAN, "50.01"),), {}, "periods", "the ledger shows $50.00"),
        (((date(2025, 11, 1), "5.00"),), {}, "periods", "the ledger shows nothing"),
    ],
)
def test_bad_investigation_input_is_refused_and_nothing_is_saved(caseworker, periods, fields, field, message):
    with pytest.raises(ValidationError) as caught:
        investigated(caseworker, periods=periods, **fields)
    assert any(message in text for text in caught.value.message_dict[field])
    assert not Overpayment.objects.exists()
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.OVERPAYMENT).exists()


def test_a_month_not_begun_is_refused(caseworker):
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    with pytest.raises(ValidationError, match="has not begun"):
        investigated(caseworker, periods=[(next_month, "5.00")])


def test_a_month_already_claimed_cannot_be_claimed_past_what_was_paid(caseworker):
    first = investigated(caseworker)
    with pytest.raises(ValidationError, match=r"January 2026: the ledger shows \$30.00"):
        investigated(caseworker, enrollment=first.enrollment, periods=[(JAN, "30.01")])


def test_an_auditor_cannot_establish_an_overpayment(caseworker, auditor):
    enrollment = active_enrollment(caseworker)
    with pytest.raises(ValidationError, match="Only caseworkers and supervisors"):
        overpayment_establish(
            acting_user=auditor,
            case=enrollment.case,
            client=enrollment.case.primary_client,
            program=enrollment.program,
            reason=Reason.CLIENT_ERROR,
            allegation="a",
            findings="b",
            outcome="c",
            periods=[(JAN, "1.00")],
        )


def test_the_reason_can_change_until_recovery_starts(caseworker):
    overpayment = investigated(caseworker)
    overpayment = overpayment_reason_change(
        acting_user=caseworker, overpayment=overpayment, reason=Reason.CLIENT_ERROR, note="No hearing was held."
    )
    assert overpayment.reason == Reason.CLIENT_ERROR
    assert AuditEvent.objects.filter(changes__reason=["intentional", "client_error"]).exists()

    repayment_record(acting_user=caseworker, overpayment=overpayment, amount="5.00", received_on=timezone.localdate())
    with pytest.raises(ValidationError, match="Recovery of this overpayment has started"):
        overpayment_reason_change(
            acting_user=caseworker, overpayment=overpayment, reason=Reason.AGENCY_ERROR, note="Changed my mind"
        )
    overpayment.refresh_from_db()
    assert overpayment.reason == Reason.CLIENT_ERROR


def test_write_off_approved_by_another_supervisor_zeroes_the_balance_through_the_ledger(caseworker, supervisor):
    overpayment = investigated(caseworker)
    repayment_record(acting_user=caseworker, overpayment=overpayment, amount="15.00", received_on=timezone.localdate())

    overpayment = overpayment_write_off_request(
        acting_user=caseworker, overpayment=overpayment, reason="The household has no income and no assets."
    )
    assert overpayment.status == Status.WRITE_OFF_PENDING
    overpayment = overpayment_write_off_decide(acting_user=supervisor, overpayment=overpayment, approve=True)

    assert (overpayment.status, overpayment.balance) == (Status.WRITTEN_OFF, Decimal("0.00"))
    assert overpayment.write_off_decided_by == supervisor and overpayment.write_off_decided_at is not None
    assert total(account=Account.WRITTEN_OFF) == Decimal("55.00")
    assert total(account=Account.RECEIVABLE, overpayment=overpayment) == 0
    assert_balances_follow_the_ledger()
    assert [c.to_status for c in overpayment.status_changes.all()] == [
        Status.ESTABLISHED,
        Status.RECOVERING,
        Status.WRITE_OFF_PENDING,
        Status.WRITTEN_OFF,
    ]


def test_nobody_decides_their_own_write_off_request(caseworker, supervisor):
    overpayment = investigated(caseworker)
    overpayment_write_off_request(acting_user=supervisor, overpayment=overpayment, reason="Client deceased.")
    with pytest.raises(ValidationError, match="own write-off request"):
        overpayment_write_off_decide(acting_user=supervisor, overpayment=overpayment, approve=True)
    overpayment.refresh_from_db()
    assert (overpayment.status, overpayment.balance) == (Status.WRITE_OFF_PENDING, Decimal("70.00"))
    assert total(account=Account.WRITTEN_OFF) == 0


def test_the_database_refuses_a_write_off_decided_by_its_requester(caseworker, supervisor):
    overpayment = investigated(caseworker)
    overpayment_write_off_request(acting_user=supervisor, overpayment=overpayment, reason="Client deceased.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Overpayment.objects.filter(pk=overpayment.pk).update(write_off_decided_by=supervisor)


def test_a_caseworker_cannot_decide_a_write_off(caseworker, supervisor):
    overpayment = investigated(caseworker)
    overpayment_write_off_request(acting_user=supervisor, overpayment=overpayment, reason="Client deceased.")
    with pytest.raises(ValidationError, match="Only a supervisor"):
        overpayment_write_off_decide(acting_user=caseworker, overpayment=overpayment, approve=True)


def test_a_refused_write_off_goes_back_to_where_it_was(caseworker, supervisor):
    untouched = investigated(caseworker)
    overpayment_write_off_request(acting_user=caseworker, overpayment=untouched, reason="Small amount")
    with pytest.raises(ValidationError, match="why the write-off is refused"):
        overpayment_write_off_decide(acting_user=supervisor, overpayment=untouched, approve=False, reason=" ")
    untouched = overpayment_write_off_decide(
        acting_user=supervisor, overpayment=untouched, approve=False, reason="The household can repay."
    )
    assert untouched.status == Status.ESTABLISHED

    started = investigated(caseworker)
    repayment_record(acting_user=caseworker, overpayment=started, amount="1.00", received_on=timezone.localdate())
    overpayment_write_off_request(acting_user=caseworker, overpayment=started, reason="Small amount")
    started = overpayment_write_off_decide(
        acting_user=supervisor, overpayment=started, approve=False, reason="The household can repay."
    )
    assert (started.status, started.balance) == (Status.RECOVERING, Decimal("69.00"))
    assert total(account=Account.WRITTEN_OFF) == 0


def test_a_decided_write_off_cannot_be_decided_again(caseworker, supervisor, second_supervisor):
    overpayment = investigated(caseworker)
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    overpayment_write_off_decide(acting_user=supervisor, overpayment=overpayment, approve=True)
    with pytest.raises(ValidationError, match="already decided"):
        overpayment_write_off_decide(acting_user=second_supervisor, overpayment=overpayment, approve=False, reason="x")
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.WRITE_OFF).count() == 1
    assert overpayment.status_changes.last().to_status == Status.WRITTEN_OFF


def test_a_written_off_overpayment_has_nothing_left_to_write_off(caseworker, supervisor):
    overpayment = investigated(caseworker)
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    overpayment_write_off_decide(acting_user=supervisor, overpayment=overpayment, approve=True)
    moves = overpayment.status_changes.count()
    with pytest.raises(ValidationError, match="This overpayment is written off; there is nothing to write off"):
        overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Again")
    overpayment.refresh_from_db()
    assert (overpayment.status, overpayment.status_changes.count()) == (Status.WRITTEN_OFF, moves)


def test_repayments_under_an_agreement_lower_the_balance_and_finish_it(caseworker):
    overpayment = investigated(caseworker)
    today = timezone.localdate()
    agreement = repayment_agreement_make(
        acting_user=caseworker, overpayment=overpayment, instalment="25.00", first_due_on=today, note="Signed today"
    )
    overpayment.refresh_from_db()
    assert overpayment.recovery == Overpayment.Recovery.AGREEMENT and agreement.status == "active"
    with pytest.raises(ValidationError, match="already has an active repayment agreement"):
        repayment_agreement_make(acting_user=caseworker, overpayment=overpayment, instalment="5", first_due_on=today)

    overpayment = repayment_record(acting_user=caseworker, overpayment=overpayment, amount="25.00", received_on=today)
    assert (overpayment.status, overpayment.balance) == (Status.RECOVERING, Decimal("45.00"))
    with pytest.raises(ValidationError, match=r"The balance is \$45.00"):
        repayment_record(acting_user=caseworker, overpayment=overpayment, amount="45.01", received_on=today)
    overpayment = repayment_record(acting_user=caseworker, overpayment=overpayment, amount="45.00", received_on=today)

    assert (overpayment.status, overpayment.balance) == (Status.RECOVERED, Decimal("0.00"))
    agreement.refresh_from_db()
    assert agreement.status == RepaymentAgreement.Status.COMPLETED
    assert total(account=Account.PAYMENTS, overpayment__isnull=True, transaction__kind="repayment") == Decimal("70.00")
    assert_balances_follow_the_ledger()
    with pytest.raises(ValidationError, match="recovered; nothing is owed"):
        repayment_record(acting_user=caseworker, overpayment=overpayment, amount="1.00", received_on=today)


def test_ending_an_agreement_brings_back_deductions(caseworker):
    overpayment = investigated(caseworker)
    repayment_agreement_make(
        acting_user=caseworker, overpayment=overpayment, instalment="10.00", first_due_on=timezone.localdate()
    )
    agreement = repayment_agreement_end(acting_user=caseworker, overpayment=overpayment, reason="Two missed payments")
    overpayment.refresh_from_db()
    assert agreement.status == RepaymentAgreement.Status.ENDED
    assert overpayment.recovery == Overpayment.Recovery.DEDUCTION
    with pytest.raises(ValidationError, match="no active repayment agreement"):
        repayment_agreement_end(acting_user=caseworker, overpayment=overpayment, reason="Again")


@pytest.mark.parametrize(
    ("instalment", "first_due_on", "field", "message"),
    [
        ("0", None, "instalment", "more than zero"),
        ("70.01", None, "instalment", "more than the $70.00 still owed"),
        ("10", date(2020, 1, 1), "first_due_on", "before the overpayment"),
        ("10", date(2040, 1, 1), "first_due_on", "within a year"),
    ],
)
def test_a_bad_agreement_is_refused(caseworker, instalment, first_due_on, field, message):
    overpayment = investigated(caseworker)
    with pytest.raises(ValidationError) as caught:
        repayment_agreement_make(
            acting_user=caseworker,
            overpayment=overpayment,
            instalment=instalment,
            first_due_on=first_due_on or timezone.localdate(),
        )
    assert message in caught.value.message_dict[field][0]
    assert not RepaymentAgreement.objects.exists()


def test_no_repayment_while_a_write_off_waits_and_none_in_the_future(caseworker):
    overpayment = investigated(caseworker)
    with pytest.raises(ValidationError, match="in the future"):
        repayment_record(
            acting_user=caseworker,
            overpayment=overpayment,
            amount="5.00",
            received_on=timezone.localdate() + timedelta(days=1),
        )
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    with pytest.raises(ValidationError, match="waits for a supervisor"):
        repayment_record(
            acting_user=caseworker, overpayment=overpayment, amount="5.00", received_on=timezone.localdate()
        )
    assert_balances_follow_the_ledger()


def test_a_written_off_overpayment_ends_its_agreement(caseworker, supervisor):
    overpayment = investigated(caseworker)
    agreement = repayment_agreement_make(
        acting_user=caseworker, overpayment=overpayment, instalment="10.00", first_due_on=timezone.localdate()
    )
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Moved away")
    overpayment_write_off_decide(acting_user=supervisor, overpayment=overpayment, approve=True, reason="Agreed")
    agreement.refresh_from_db()
    assert agreement.status == RepaymentAgreement.Status.ENDED
