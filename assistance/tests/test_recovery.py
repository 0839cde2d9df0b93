"""Recovery deductions as a pure rule (7 CFR 273.18(g)(1) for SNAP), and the caps read from program parameters."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import Overpayment, OverpaymentStatusChange
from assistance.services.overpayments import (
    overpayment_write_off_request,
    repayment_agreement_end,
    repayment_agreement_make,
)
from assistance.services.recovery import (
    Caps,
    Claim,
    Recorded,
    deductions,
    open_claims,
    recoveries_record,
    recovery_caps,
)
from assistance.tests.test_payment_run import establish
from assistance.tests.test_settlements import active_enrollment
from eligibility.models import ParameterValue, Program
from eligibility.rules.parameters import ParameterError

SNAP = Caps(
    percent=Decimal("10"),
    minimum=Decimal("10.00"),
    intentional_percent=Decimal("20"),
    intentional_minimum=Decimal("20.00"),
)


def d(value: str) -> Decimal:
    return Decimal(value)


@pytest.mark.parametrize(
    ("benefit", "intentional", "withheld"),
    [
        ("50.00", False, "10.00"),  # the greater of $5 or $10
        ("99.00", False, "10.00"),  # $9.90 -> $10
        ("100.00", False, "10.00"),  # exactly both
        ("101.00", False, "10.10"),
        ("200.00", False, "20.00"),
        ("200.00", True, "40.00"),
        ("50.00", True, "20.00"),  # the greater of $10 or $20
        ("55.55", False, "10.00"),
        ("155.55", False, "15.55"),  # 15.555 rounded down: never more than the percentage
    ],
)
def test_the_cap_is_the_greater_of_the_share_or_the_minimum(benefit, intentional, withheld):
    claims = [Claim(overpayment_id=1, balance=d("1000.00"), intentional=intentional)]
    assert deductions(d(benefit), claims, SNAP) == [(1, d(withheld))]


def test_never_more_than_the_balance():
    assert deductions(d("200.00"), [Claim(1, d("7.50"))], SNAP) == [(1, d("7.50"))]


def test_never_more_than_the_benefit():
    assert deductions(d("8.00"), [Claim(1, d("100.00"))], SNAP) == [(1, d("8.00"))]
    assert deductions(d("15.00"), [Claim(1, d("100.00"), intentional=True)], SNAP) == [(1, d("15.00"))]


def test_claims_are_taken_oldest_first_within_one_cap():
    claims = [Claim(1, d("12.00")), Claim(2, d("100.00")), Claim(3, d("100.00"))]
    assert deductions(d("300.00"), claims, SNAP) == [(1, d("12.00")), (2, d("18.00"))]


def test_with_an_intentional_claim_the_household_total_stays_within_the_higher_cap():
    # An inadvertent claim first takes its 10 %, the violation brings the month up to 20 %.
    assert deductions(d("300.00"), [Claim(1, d("100.00")), Claim(2, d("100.00"), intentional=True)], SNAP) == [
        (1, d("30.00")),
        (2, d("30.00")),
    ]
    # The violation first takes the whole 20 %: nothing is left under the inadvertent claim's 10 %.
    assert deductions(d("300.00"), [Claim(2, d("100.00"), intentional=True), Claim(1, d("100.00"))], SNAP) == [
        (2, d("60.00"))
    ]


def test_nothing_is_withheld_without_caps_in_force_or_without_a_benefit():
    assert deductions(d("200.00"), [Claim(1, d("100.00"))], None) == []
    assert deductions(d("0.00"), [Claim(1, d("100.00"))], SNAP) == []
    assert deductions(d("200.00"), [], SNAP) == []


@pytest.mark.django_db
def test_the_caps_come_from_the_parameters_in_force_on_the_month():
    snap = Program.objects.get(code="snap")
    income_support = Program.objects.get(code="income_support")
    drugs = Program.objects.get(code="drug_assistance")
    march = date(2026, 3, 1)
    caps = recovery_caps(program_ids=[snap.pk, income_support.pk, drugs.pk], period=march)
    assert caps[snap.pk] == SNAP
    assert caps[income_support.pk] == SNAP  # example figures shaped like SNAP's
    assert caps[drugs.pk] is None  # no caps: nothing is withheld
    assert (
        ParameterValue.objects.filter(program=income_support, name__startswith="recovery.", example=True).count() == 4
    )
    assert not ParameterValue.objects.filter(program=snap, name__startswith="recovery.", example=True).exists()
    assert "273.18(g)(1)" in ParameterValue.objects.get(program=snap, name="recovery.percent").source_title

    ParameterValue.objects.create(
        program=snap, name="recovery.minimum", value="12.00", effective_from=date(2026, 4, 1), source_title="A change"
    )
    assert recovery_caps(program_ids=[snap.pk], period=march)[snap.pk].minimum == d("10.00")
    assert recovery_caps(program_ids=[snap.pk], period=date(2026, 4, 1))[snap.pk].minimum == d("12.00")
    assert recovery_caps(program_ids=[snap.pk], period=date(2019, 12, 1))[snap.pk] is None


@pytest.mark.django_db
def test_the_caps_read_only_the_recovery_parameters_and_name_the_one_written_wrongly():
    """A JSON number for an amount is refused (`eligibility.rules.parameters.decode_value`): the
    message names the parameter to fix, and another of the program's parameters written that
    way does not hold up the recovery caps."""
    snap = Program.objects.get(code="snap")
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    ParameterValue.objects.create(
        program=snap, name="shelter.typed_by_hand", value=125, effective_from=march, source_title="A note"
    )
    assert recovery_caps(program_ids=[snap.pk], period=march)[snap.pk] == SNAP

    ParameterValue.objects.create(
        program=snap, name="recovery.percent", value=15, effective_from=april, source_title="A change"
    )
    with pytest.raises(ParameterError, match=r"^recovery\.percent: write amounts as strings"):
        recovery_caps(program_ids=[snap.pk], period=april)


def test_a_benefit_of_a_dollar_or_less_still_gives_up_what_the_cap_allows():
    # The $10 minimum of 7 CFR 273.18(g)(1) is held to the benefit itself: a $1 benefit gives up its $1.
    assert deductions(d("1.00"), [Claim(1, d("100.00"))], SNAP) == [(1, d("1.00"))]
    assert deductions(d("0.40"), [Claim(1, d("100.00"))], SNAP) == [(1, d("0.40"))]


def test_a_balance_under_a_dollar_is_taken_whole_and_the_next_claim_fills_the_cap():
    assert deductions(d("200.00"), [Claim(1, d("0.35")), Claim(2, d("100.00"))], SNAP) == [
        (1, d("0.35")),
        (2, d("19.65")),
    ]


# Loading the claims and recording what was withheld, as the payment run does.

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
Status = Overpayment.Status


@pytest.fixture
def enrollment(db, caseworker, time_machine):
    time_machine.move_to(NOW, tick=False)
    return active_enrollment(caseworker)


def test_claims_are_loaded_oldest_first_per_case_and_program_leaving_out_what_is_not_recovered_by_deduction(
    enrollment, caseworker
):
    older = establish(enrollment, "12.00", days_ago=40)
    newer = establish(enrollment, "100.00", days_ago=10)
    cents = establish(enrollment, "0.50", days_ago=5)  # a last few cents are still owed
    waiting = establish(enrollment, "30.00", days_ago=20)
    overpayment_write_off_request(acting_user=caseworker, overpayment=waiting, reason="The household cannot repay")
    agreed = establish(enrollment, "60.00", days_ago=30)
    repayment_agreement_make(
        acting_user=caseworker, overpayment=agreed, instalment="10.00", first_due_on=date(2026, 4, 1)
    )
    broken = establish(enrollment, "40.00", days_ago=25)
    repayment_agreement_make(
        acting_user=caseworker, overpayment=broken, instalment="10.00", first_due_on=date(2026, 4, 1)
    )
    repayment_agreement_end(acting_user=caseworker, overpayment=broken, reason="Two instalments missed")
    elsewhere = active_enrollment(caseworker)
    theirs = establish(elsewhere, "20.00", days_ago=50)

    key = (enrollment.case_id, enrollment.program_id)
    found = open_claims(keys=[key])

    # Awaiting a write-off, or repaid under an agreement in force: not deducted. An agreement that
    # ended brings deductions back; another household's claim is not theirs.
    assert list(found) == [key]
    assert [o.pk for o in found[key]] == [older.pk, broken.pk, newer.pk, cents.pk]
    assert theirs.pk not in {o.pk for claims in found.values() for o in claims}
    assert open_claims(keys=[key, (elsewhere.case_id, elsewhere.program_id)])[
        (elsewhere.case_id, elsewhere.program_id)
    ] == [theirs]
    assert open_claims(keys=[]) == {}


def test_the_claims_of_a_whole_batch_cost_one_query_with_what_the_run_reads(enrollment, caseworker):
    for days_ago in (30, 20, 10):
        establish(enrollment, "25.00", days_ago=days_ago)
    with CaptureQueriesContext(connection) as queries:
        found = open_claims(keys=[(enrollment.case_id, enrollment.program_id)], lock=True)
        read = [
            (o.pk, o.case_id, o.program_id, o.client_id, o.reason, o.status, o.balance, o.amount)
            for claims in found.values()
            for o in claims
        ]
    assert len(read) == 3
    assert len(queries) == 1


def test_recording_lowers_balances_moves_statuses_and_counts_the_claims_recovered_in_full(
    enrollment, caseworker, supervisor
):
    first = establish(enrollment, "12.00", days_ago=40)
    second = establish(enrollment, "7.50", days_ago=30)
    third = establish(enrollment, "100.00", days_ago=20)
    rows = {o.pk: o for o in (first, second, third)}

    recorded = recoveries_record(
        overpayments=rows,
        amounts={first.pk: d("12.00"), second.pk: d("7.50"), third.pk: d("10.00")},
        acting_user=supervisor,
        reason="Recovered by the March run",
    )

    assert recorded == Recorded(recovering=3, recovered=2)
    assert [(o.balance, o.status) for o in Overpayment.objects.filter(pk__in=rows).order_by("established_at")] == [
        (d("0.00"), Status.RECOVERED),
        (d("0.00"), Status.RECOVERED),
        (d("90.00"), Status.RECOVERING),
    ]
    moves = OverpaymentStatusChange.objects.filter(overpayment__in=rows.values()).order_by(
        "overpayment__established_at"
    )
    assert [(m.overpayment_id, m.from_status, m.to_status) for m in moves] == [
        (first.pk, Status.ESTABLISHED, Status.RECOVERED),
        (second.pk, Status.ESTABLISHED, Status.RECOVERED),
        (third.pk, Status.ESTABLISHED, Status.RECOVERING),
    ]
    assert {(m.reason, m.changed_by, m.changed_at) for m in moves} == {("Recovered by the March run", supervisor, NOW)}

    # The next month: a claim still being recovered has no new status row; the last of it finishes it.
    third = Overpayment.objects.get(pk=third.pk)
    assert recoveries_record(
        overpayments={third.pk: third}, amounts={third.pk: d("10.00")}, acting_user=supervisor, reason="April"
    ) == Recorded(recovering=1, recovered=0)
    assert third.status_changes.count() == 1
    third = Overpayment.objects.get(pk=third.pk)
    assert recoveries_record(
        overpayments={third.pk: third}, amounts={third.pk: d("80.00")}, acting_user=supervisor, reason="May"
    ) == Recorded(recovering=1, recovered=1)
    assert [(m.from_status, m.to_status, m.reason) for m in third.status_changes.all()] == [
        (Status.ESTABLISHED, Status.RECOVERING, "Recovered by the March run"),
        (Status.RECOVERING, Status.RECOVERED, "May"),
    ]
    assert recoveries_record(overpayments={}, amounts={}, acting_user=supervisor, reason="June") == Recorded(0, 0)


def test_the_history_rows_of_one_recording_carry_one_moment(enrollment, caseworker, supervisor, time_machine):
    """The moves a run records are one act: with the clock running, every row still says the same time."""
    claims = [establish(enrollment, amount, days_ago=days) for amount, days in (("12.00", 40), ("100.00", 20))]
    time_machine.move_to(NOW, tick=True)
    recoveries_record(
        overpayments={o.pk: o for o in claims},
        amounts={claims[0].pk: d("12.00"), claims[1].pk: d("10.00")},
        acting_user=supervisor,
        reason="Recovered by the March run",
    )
    moves = OverpaymentStatusChange.objects.filter(overpayment__in=claims)
    assert moves.count() == 2
    assert len({move.changed_at for move in moves}) == 1
    assert moves[0].changed_at >= NOW
