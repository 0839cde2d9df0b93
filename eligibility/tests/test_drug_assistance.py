"""Prescription Drug Assistance (eligibility/rules/drug_assistance.py). Shipped bands (ceilings
published, inner boundaries EXAMPLE): single up to $18,000 -> 20%, $21,000 -> 30%, $24,000 -> 50%,
$27,151 -> 70%; couple ... $30,009 -> 70%; family with children $30,000 -> 20% ... $42,870 -> 70%."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import HouseholdNotAssessableError, drug_assistance
from eligibility.tests.builders import DAY, household, income, people, person

D = Decimal


def run(snapshot, day=DAY):
    return drug_assistance.determine(snapshot, day)


def test_twelve_months_of_an_ongoing_income():
    outcome = run(household(person(), incomes=[income("2000", kind="earned")]))

    line = outcome.criterion("Projected income")
    assert (line.figure, line.limit, line.passed) == (D("24000.00"), D("27151"), True)
    assert "November 2025 to October 2026" in line.explanation
    assert outcome.copay_percent == D("50")
    assert outcome.monthly_amount == D("0.00")  # the answer is a percentage, not money


def test_projection_stops_where_the_income_ends_and_starts_where_it_starts():
    snapshot = household(
        person(),
        incomes=[
            income("3000", kind="earned", end=date(2026, 3, 31)),  # November to March: 5 months
            income("1000", kind="benefits", start=date(2026, 6, 1)),  # June to October: 5 months
        ],
    )

    assert run(snapshot).criterion("Projected income").figure == D("20000.00")


def test_a_month_counts_if_the_income_runs_on_any_day_of_it():
    snapshot = household(person(), incomes=[income("1000", end=date(2025, 11, 2))])

    assert run(snapshot).criterion("Projected income").figure == D("1000.00")


def test_frequencies_are_annualised_exactly():
    snapshot = household(person(), incomes=[income("100", frequency="weekly"), income("100", frequency="biweekly")])

    # $100 x 52 + $100 x 26 = $7,800 over twelve months.
    assert run(snapshot).criterion("Projected income").figure == D("7800.00")


def test_child_support_received_is_not_counted():
    snapshot = household(person(), incomes=[income("500", kind="child_support"), income("100")])

    assert run(snapshot).criterion("Projected income").figure == D("1200.00")


@pytest.mark.parametrize(
    ("yearly", "copay"),
    [
        ("17999", "20"),
        ("18000", "20"),
        ("18001", "30"),
        ("27150", "70"),
        ("27151", "70"),
        ("27152", None),
    ],
)
def test_band_edges_for_a_single_person(yearly, copay):
    outcome = run(household(person(), incomes=[income(yearly, frequency="yearly")]))

    assert outcome.criterion("Projected income").figure == D(yearly)
    assert outcome.copay_percent == (None if copay is None else D(copay))
    assert outcome.eligible is (copay is not None)


@pytest.mark.parametrize(
    ("members", "family", "ceiling"),
    [
        ((person("a"),), "a single person", "27151"),
        ((person("a"), person("b")), "a couple without children", "30009"),
        ((person("a"), person("b", 4)), "a family with children", "42870"),
        ((person("a"), person("b"), person("c", 17)), "a family with children", "42870"),
    ],
)
def test_family_types_have_their_own_ceilings(members, family, ceiling):
    outcome = run(household(members))

    assert family in outcome.criterion("Family type").explanation
    assert outcome.criterion("Projected income").limit == D(ceiling)
    assert outcome.copay_percent == D("20")


def test_households_the_plan_does_not_assess_are_refused_clearly():
    with pytest.raises(HouseholdNotAssessableError, match="3 adults and no children"):
        run(household(people(3)))
    with pytest.raises(HouseholdNotAssessableError, match="nobody in this household is 18 or older"):
        run(household((person("a", 16),)))
