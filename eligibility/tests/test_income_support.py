"""Income Support (eligibility/rules/income_support.py). Most tests use the shipped EXAMPLE values in
force from October 2024, without the disability supplement: basic $600 one adult, $700 one adult
with children, $1,100 two adults, $1,200 two adults with children, $450 each further adult;
shelter up to $600 (one person) or $800; liquid assets up to $1,000 or $2,000. The earnings
exemption is Newfoundland and Labrador's published one. The published rates from September
2025 have their own tests at the end."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    DeterminationDateError,
    MissingParameterError,
    ParameterTable,
    income_support,
    shipped_table,
)
from eligibility.rules.income_support import earnings_exemption
from eligibility.tests.builders import DAY, asset, expense, household, income, people, person

D = Decimal
SEPTEMBER_2025 = date(2025, 9, 1)

#: The values first shipped (October 2024), as if nothing newer were known: the rule's arithmetic
#: is tested on figures that do not move when published rates are added.
FIRST_VALUES = ParameterTable(
    v
    for v in shipped_table("income_support")
    if v.effective_from < SEPTEMBER_2025 and v.name != "income_support.disability_supplement"
)


def run(snapshot, day=DAY, table=FIRST_VALUES):
    return income_support.determine(snapshot, day, table)


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
    params = income_support.parameters_on(DAY, FIRST_VALUES)

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


# The province's published rates from September 2025 (June 24, 2025 release), and the disability supplement.


def published(snapshot):
    return income_support.determine(snapshot, DAY)


def test_from_september_2025_one_adult_gets_561_and_up_to_522_for_rent():
    outcome = published(household(person("a", 40), expenses=[expense("rent", "700")]))

    assert outcome.criterion("Basic rate").figure == D("561")
    shelter = outcome.criterion("Shelter allowance")
    assert (shelter.figure, shelter.limit) == (D("522.00"), D("522"))
    assert "for a household with one adult" in shelter.explanation
    assert outcome.monthly_amount == D("1083.00")
    assert outcome.parameters_used["income_support.basic_rate"]["effective_from"] == "2025-09-01"
    assert "example" not in outcome.parameters_used["income_support.basic_rate"]


def test_from_september_2025_a_single_parent_has_the_one_adult_shelter_maximum():
    outcome = published(
        household((person("a", 30), person("c1", 4), person("c2", 9)), expenses=[expense("rent", "900")])
    )

    assert outcome.criterion("Basic rate").figure == D("561")
    assert outcome.criterion("Shelter allowance").figure == D("522.00")
    assert outcome.monthly_amount == D("1083.00")


def test_from_september_2025_each_of_two_adults_gets_561_and_299_for_rent():
    outcome = published(household(people(2), expenses=[expense("rent", "1000")]))

    assert outcome.criterion("Basic rate").figure == D("1122")
    assert outcome.criterion("Shelter allowance").figure == D("598.00")
    assert "2 adults ($299.00 each)" in outcome.criterion("Shelter allowance").explanation
    assert outcome.monthly_amount == D("1720.00")


def test_three_adults_each_get_the_individual_benefit_and_the_shelter_amount():
    outcome = published(household(people(3), expenses=[expense("rent", "1200")]))

    assert outcome.criterion("Basic rate").figure == D("1683")
    assert outcome.criterion("Shelter allowance").figure == D("897.00")


def test_the_day_before_september_2025_the_earlier_values_apply():
    snapshot = household(person("a", 40), expenses=[expense("rent", "700")], applied=date(2025, 8, 1))
    before = income_support.determine(snapshot, date(2025, 8, 31))
    on_the_day = income_support.determine(snapshot, SEPTEMBER_2025)

    assert before.criterion("Basic rate").figure == D("600")
    assert on_the_day.criterion("Basic rate").figure == D("561")


def test_a_disabled_adult_adds_the_supplement_and_a_disabled_child_does_not():
    rent = [expense("rent", "500")]
    plain = published(household((person("a", 45), person("c", 10, disabled=True)), expenses=rent))
    disabled = published(household((person("a", 45, disabled=True), person("c", 10, disabled=True)), expenses=rent))

    with pytest.raises(KeyError):
        plain.criterion("Disability supplement")
    line = disabled.criterion("Disability supplement")
    assert line.figure == D("150")
    assert "for each adult with a disability (one adult)" in line.explanation
    assert disabled.monthly_amount == plain.monthly_amount + 150 == D("1211.00")
    assert disabled.parameters_used["income_support.disability_supplement"]["example"] is True


def test_two_disabled_adults_add_two_supplements():
    outcome = published(household((person("a", 45, disabled=True), person("b", 50, disabled=True))))

    assert outcome.criterion("Disability supplement").figure == D("300")
    assert outcome.monthly_amount == D("1422.00")  # $1,122 + $300, no rent
