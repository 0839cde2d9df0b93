"""Recovery deductions as a pure rule (7 CFR 273.18(g)(1) for SNAP), and the caps read from program parameters."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.services.recovery import Caps, Claim, deductions, recovery_caps
from eligibility.models import ParameterValue, Program

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
