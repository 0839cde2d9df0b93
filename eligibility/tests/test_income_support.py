"""Income Support (eligibility/rules/income_support.py). The rates are the shipped EXAMPLE values:
basic $600 one adult, $700 one adult with children, $1,100 two adults, $1,200 two adults with
children, $450 each further adult; shelter up to $600 (one person) or $800; liquid assets up to
$1,000 or $2,000. The earnings exemption is Newfoundland and Labrador's published one."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import DeterminationDateError, MissingParameterError, income_support
from eligibility.rules.income_support import earnings_exemption
from eligibility.tests.builders import DAY, asset, expense, household, income, people, person

D = Decimal


def run(snapshot, day=DAY):
    return income_support.determine(snapshot, day)


@pytest.mark.parametrize(
    ("earnings", "exempt"),
    [
        ("0", "0"),
        ("100", "100"),  # under the first $150: all exempt
        ("150", "150"),
        ("200", "187.5"),  # $150 + 75% of $50
        ("225", "206.25"),  # $150 + 75% of $75
        ("300", "243.75"),  # + 50% of $75
        ("400", "268.75"),  # + 25% of $100
    ],
)
def test_earnings_exemption_tiers(earnings, exempt):
    params = income_support.parameters_on(DAY)

    assert earnings_exemption(D(earnings), params) == D(exempt)


def test_single_parent_with_earnings_benefits_and_rent_over_the_maximum():
    snapshot = household(
        (person("a", 35), person("b", 10)),
        incomes=[
            income("400", member="a", kind="earned"),
            income("100", member="a", kind="benefits", frequency="weekly"),
        ],
        expenses=[expense("rent", "900")],
    )
    outcome = run(snapshot)

    assert outcome.criterion("Basic rate").figure == D("700")
    assert outcome.criterion("Shelter allowance").figure == D("800.00")  # capped at $800
    assert outcome.criterion("Earnings exemption").figure == D("268.75")
    # Counted: $400 - $268.75 + $100 x 52 / 12 ($433.33) = $564.58. Need $1,500.
    assert outcome.criterion("Counted income").figure == D("564.58")
    assert outcome.eligible
    assert outcome.monthly_amount == D("935.42")


def test_rent_under_the_maximum_is_paid_as_charged():
    outcome = run(household(person(), expenses=[expense("rent", "450.50")]))

    assert outcome.criterion("Shelter allowance").figure == D("450.50")
    assert outcome.monthly_amount == D("1050.50")  # $600 + $450.50


def test_three_adults_add_the_amount_for_each_further_adult():
    outcome = run(household(people(3)))

    assert outcome.criterion("Basic rate").figure == D("1550")  # $1,100 + $450


def test_no_adult_means_no_income_support():
    outcome = run(household((person("a", 17), person("b", 12))))

    assert not outcome.criterion("Adult applicant").passed
    assert not outcome.eligible
    assert outcome.monthly_amount == D("0.00")


@pytest.mark.parametrize(("bank", "passed"), [("999", True), ("1000", True), ("1001", False)])
def test_liquid_asset_limit_one_dollar_under_at_and_over(bank, passed):
    outcome = run(household(person(), assets=[asset(bank), asset("15000", kind="vehicle"), asset("9000", exempt=True)]))

    line = outcome.criterion("Liquid assets")
    assert (line.figure, line.limit, line.passed) == (D(bank), D("1000"), passed)
    assert outcome.eligible is passed


def test_income_that_covers_needs_pays_nothing():
    outcome = run(household(person(), incomes=[income("600")]))

    assert outcome.monthly_amount == D("0.00")
    assert not outcome.eligible
    assert "covers your needs" in outcome.criterion("Monthly amount").explanation


def test_amount_is_rounded_to_the_cent():
    # $100 a week = $433.333... a month; $600 - $433.33 = $166.67.
    outcome = run(household(person(), incomes=[income("100", frequency="weekly")]))

    assert outcome.monthly_amount == D("166.67")


def test_bad_dates_and_missing_parameters_are_refused():
    with pytest.raises(DeterminationDateError, match="before the application date"):
        run(household(person()), date(2025, 9, 1))
    early = household(person(), applied=date(2024, 1, 1))
    with pytest.raises(MissingParameterError, match=r"'income_support\.\w+' for 2024-06-01"):
        run(early, date(2024, 6, 1))
