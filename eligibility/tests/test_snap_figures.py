"""SNAP (eligibility/rules/snap.py): the amounts and words each line of a determination shows, and the
errors that name a broken parameter to the administrator. No database.

Amounts a line shows are rounded to the cent half up (a half cent goes up), as the rule does for
every figure it shows; only net income is rounded to the dollar, 7 CFR 273.10(e)(1)(ii)(B). The
households below are built so that their monthly figures fall on half cents with an even cent before
them, where rounding half up ($43.645 -> $43.65) and the banker's rounding of Python's default
($43.64) part ways. Weekly amounts are x 4.3 (7 CFR 273.10(c)(2)(i)).
"""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    DeterminationDateError,
    InvalidSnapshotError,
    MissingParameterError,
    ParameterSet,
    ParameterTable,
    ParameterValue,
    Source,
    shipped_table,
    snap,
)
from eligibility.rules.parameters import ParameterError, values_in_force
from eligibility.tests.builders import DAY, asset, expense, household, income, people, person, with_values

D = Decimal
FEDERAL = shipped_table("snap")
CT = shipped_table("snap", "ct")


def fresh(table: ParameterTable) -> ParameterTable:
    """A copy of `table`: prepared anew, not taken from the cache of an earlier determination."""
    return ParameterTable(list(table))


def prepared(table: ParameterTable, day: date = DAY) -> snap.SnapParameters:
    return snap.prepare(values_in_force(table, day, required=snap.REQUIRED, optional=snap.OPTIONAL))


# Cents shown half up ------------------------------------------------------------------------------


def test_every_deduction_is_shown_to_the_cent_rounded_half_up():
    # A person of 70 (medical costs count, no cap): weekly earnings $100.75 -> $433.225 a month, 20% of it
    # $86.645; $1,000 of benefits; weekly medical $20.75 -> $89.225 ($54.225 above $35), dependent care
    # $30.75 -> $132.225, child support $40.75 -> $175.225, rent $200.75 -> $863.225.
    snapshot = household(
        person(age=70),
        incomes=[income("100.75", kind="earned", frequency="weekly"), income("1000")],
        expenses=[
            expense("medical", "20.75", frequency="weekly", member="a"),
            expense("dependent_care", "30.75", frequency="weekly"),
            expense("child_support_paid", "40.75", frequency="weekly"),
            expense("rent", "200.75", frequency="weekly"),
        ],
    )

    outcome = snap.determine(snapshot, DAY)

    shown = {line.name: (line.figure, line.explanation) for line in outcome.criteria}
    assert shown["Gross monthly income"] == (
        D("1433.23"),
        "Your household's income before deductions is $1,433.23 a month; the gross income limit does not apply "
        "because someone in your household is 60 or older or has a disability.",
    )
    assert shown["Earned income deduction"] == (
        D("86.65"),
        "20% of your household's earnings ($433.23) is not counted: $86.65.",
    )
    assert shown["Medical deduction"] == (
        D("54.23"),
        "Medical costs of members who are 60 or older or disabled come to $89.23; the part above $35.00 is "
        "deducted: $54.23.",
    )
    assert shown["Dependent care deduction"] == (
        D("132.23"),
        "What your household pays for the care of children or other dependents so that someone can work, look "
        "for work or train is deducted: $132.23.",
    )
    assert shown["Child support deduction"] == (
        D("175.23"),
        "Legally owed child support your household pays is deducted: $175.23.",
    )
    assert "Your shelter costs are $863.23;" in shown["Excess shelter deduction"][1]


def test_the_excess_shelter_deduction_and_half_the_income_are_shown_rounded_half_up():
    # $1,000.01 - $209 = $791.01, half $395.505; weekly rent $200.10 -> $860.43; excess $464.925.
    snapshot = household(
        person(), incomes=[income("1000.01")], expenses=[expense("rent", "200.10", frequency="weekly")]
    )

    line = snap.determine(snapshot, DAY).criterion("Excess shelter deduction")

    assert (line.figure, line.limit) == (D("464.93"), D("744"))
    assert line.explanation == (
        "Your shelter costs are $860.43; the part above half of your income after the other deductions "
        "($395.51) is $464.93, which is deducted."
    )


# Boundaries -----------------------------------------------------------------------------------------


def test_income_left_under_one_dollar_still_counts_against_shelter_costs():
    # $209.50 - $209 = $0.50 left, half of it $0.25: $100 of rent leaves $99.75 of excess shelter costs.
    outcome = snap.determine(household(person(), incomes=[income("209.50")], expenses=[expense("rent", "100")]), DAY)

    assert outcome.criterion("Excess shelter deduction").figure == D("99.75")


def test_net_income_under_one_dollar_rounds_to_a_dollar():
    # $1,000 - $209 = $791, half $395.50; rent $1,185.75 -> excess $790.25 uncapped (60 or older):
    # net $0.75 -> $1; 30% of $1 -> $1; $298 - $1 = $297.
    snapshot = household(person(age=70), incomes=[income("1000")], expenses=[expense("rent", "1185.75")])

    outcome = snap.determine(snapshot, DAY)

    assert outcome.criterion("Net monthly income").figure == D("1")
    assert outcome.monthly_amount == D("297.00")


def test_excess_shelter_costs_exactly_at_the_cap_are_deducted_without_a_word_about_the_cap():
    # $1,000 - $209 = $791, half $395.50; rent $1,139.50 -> excess exactly $744.
    snapshot = household(person(), incomes=[income("1000")], expenses=[expense("rent", "1139.50")])

    line = snap.determine(snapshot, DAY).criterion("Excess shelter deduction")

    assert line.figure == D("744.00")
    assert line.explanation.endswith("is $744.00, which is deducted.")


def test_an_elderly_households_excess_shelter_costs_at_the_cap_say_nothing_of_a_cap():
    snapshot = household(person(age=70), incomes=[income("1000")], expenses=[expense("rent", "1139.50")])

    line = snap.determine(snapshot, DAY).criterion("Excess shelter deduction")

    assert line.explanation.endswith("is $744.00, which is deducted.")


def test_an_elderly_households_excess_shelter_costs_above_the_cap_are_deducted_in_full():
    snapshot = household(person(age=70), incomes=[income("1000")], expenses=[expense("rent", "1200")])

    line = snap.determine(snapshot, DAY).criterion("Excess shelter deduction")

    assert line.explanation == (
        "Your shelter costs are $1,200.00; the part above half of your income after the other deductions "
        "($395.50) is $804.50, deducted in full with no cap because someone in your household is 60 or older or "
        "has a disability."
    )


def test_a_homeless_household_whose_excess_shelter_costs_equal_the_homeless_deduction_gets_that_deduction():
    # Half of $791 is $395.50; rent $594.49 -> excess $198.99, the homeless shelter deduction exactly.
    snapshot = household(person(), incomes=[income("1000")], expenses=[expense("rent", "594.49")], homeless=True)

    outcome = snap.determine(snapshot, DAY)

    assert outcome.criterion("Homeless shelter deduction").figure == D("198.99")
    assert all(line.name != "Excess shelter deduction" for line in outcome.criteria)


def test_a_one_person_benefit_of_exactly_the_minimum_shows_no_minimum_benefit_line():
    # $1,120 - $209 = $911; 30% = $273.30 -> $274; $298 - $274 = $24, the minimum itself.
    outcome = snap.determine(household(person(), incomes=[income("1120")]), DAY)

    assert outcome.monthly_amount == D("24.00")
    assert all(line.name != "Minimum benefit" for line in outcome.criteria)


def test_a_categorically_eligible_couple_with_no_computed_benefit_gets_the_minimum():
    # Connecticut's 200% limit for 2 is $3,525; $3,000 earned - $600 - $209 = $2,191; 30% = $658 > $546.
    snapshot = household(people(2), incomes=[income("3000", member="m0", kind="earned")])

    outcome = snap.determine(snapshot, DAY, CT)

    assert outcome.criterion("Monthly benefit").figure == D("0")
    assert outcome.eligible and outcome.monthly_amount == D("24.00")


def test_a_household_of_three_gets_no_minimum_benefit_outside_the_first_month():
    # Three people earning $3,525 under Connecticut's 200% limit: $785 - $784 = $1 (7 CFR 273.10(e)(2)(ii)(C)).
    snapshot = household(people(3), incomes=[income("3525", member="m0", kind="earned")])

    outcome = snap.determine(snapshot, DAY, CT)

    assert outcome.eligible and outcome.monthly_amount == D("1.00")


def test_a_categorically_eligible_household_of_three_with_no_benefit_is_told_why():
    snapshot = household(people(3), incomes=[income("4000", member="m0", kind="earned")])

    line = snap.determine(snapshot, DAY, CT).criterion("Monthly benefit")

    assert line.explanation == (
        "The most a household of 3 people can get is $785.00; 30% of your income after deductions ($898.00) is "
        "subtracted, which leaves $0.00; a household of 3 or more people with no benefit is not eligible."
    )


# Which rows count -----------------------------------------------------------------------------------


def test_every_row_of_an_expense_kind_adds_up():
    snapshot = household(
        person(age=70),
        incomes=[income("1000")],
        expenses=[
            expense("other", "50"),
            expense("rent", "300", end=date(2025, 10, 31)),
            expense("rent", "300"),
            expense("mortgage", "200"),
            expense("dependent_care", "40"),
            expense("dependent_care", "60"),
            expense("child_support_paid", "70"),
            expense("child_support_paid", "30"),
            expense("medical", "50", member="a"),
            expense("medical", "25", member="a"),
        ],
    )

    outcome = snap.determine(snapshot, DAY)

    assert outcome.criterion("Dependent care deduction").figure == D("100.00")
    assert outcome.criterion("Child support deduction").figure == D("100.00")
    assert outcome.criterion("Medical deduction").figure == D("40.00")  # $75 - $35
    assert outcome.criterion("Excess shelter deduction").explanation.startswith("Your shelter costs are $500.00;")


def test_medical_costs_recorded_against_nobody_add_up_when_everyone_is_elderly():
    snapshot = household(
        (person("a", 70), person("b", 72)),
        incomes=[income("1000")],
        expenses=[expense("medical", "50", member=None), expense("medical", "25", member=None)],
    )

    assert snap.determine(snapshot, DAY).criterion("Medical deduction").figure == D("40.00")


def test_medical_costs_recorded_against_nobody_in_a_household_with_no_one_elderly_are_not_deducted():
    snapshot = household(people(2), incomes=[income("1000", member="m0")], expenses=[expense("medical", "100")])

    outcome = snap.determine(snapshot, DAY)

    assert all(line.name != "Medical deduction" for line in outcome.criteria)


def test_a_medical_expense_recorded_against_nobody_in_a_mixed_household_is_refused_with_why():
    snapshot = household((person("old", 70), person("young", 30)), expenses=[expense("medical", "100")])

    with pytest.raises(InvalidSnapshotError) as refused:
        snap.determine(snapshot, DAY)

    assert str(refused.value) == (
        "a medical expense has no member_id; SNAP deducts only the medical costs of members who are 60 or older "
        "or disabled, so say whose expense it is"
    )


def test_an_ineligible_students_rent_and_income_do_not_stop_the_others_from_counting():
    snapshot = household(
        (person("p", 45), person("s", 20, student=True)),
        incomes=[
            income("2500", member="s", kind="earned"),
            income("300", member="p", end=date(2025, 10, 31)),
            income("900", member="p"),
        ],
        expenses=[expense("rent", "400", member="s"), expense("rent", "500", member="p")],
    )

    outcome = snap.determine(snapshot, DAY)

    assert outcome.criterion("Gross monthly income").figure == D("900.00")
    assert outcome.criterion("Excess shelter deduction").explanation.startswith("Your shelter costs are $500.00;")


def test_every_asset_adds_up():
    outcome = snap.determine(household(person(), assets=[asset("2000"), asset("1500")]), DAY)

    line = outcome.criterion("Resources")
    assert (line.figure, line.passed) == (D("3500"), False)


# Broad-based categorical eligibility: what the household is told --------------------------------------


def test_a_categorically_eligible_household_is_told_its_income_the_limit_and_what_no_longer_applies():
    snapshot = household(person(), incomes=[income("2000", kind="earned")], assets=[asset("10000")])

    outcome = snap.determine(snapshot, DAY, fresh(CT))

    gross = outcome.criterion("Gross monthly income")
    assert (gross.figure, gross.limit) == (D("2000.00"), D("2609"))
    assert gross.explanation == (
        "Your household's income before deductions is $2,000.00 a month, within the $2,609.00 limit (200% of the "
        "poverty guideline) for 1 person under the state's broad-based categorical eligibility, so the household "
        "is categorically eligible: no net income limit and no resource limit apply."
    )
    net = outcome.criterion("Net monthly income")
    assert net.explanation == (
        "Your household's income after deductions is $1,391.00 a month; no net income limit applies because the "
        "household is categorically eligible. The benefit is worked out from this income."
    )
    resources = outcome.criterion("Resources")
    assert resources.figure == D("10000")
    assert resources.explanation == (
        "Your household's countable money and property are worth $10,000.00; no resource limit applies because "
        "the household is categorically eligible."
    )


def test_a_state_keeping_a_resource_limit_under_bbce_says_so():
    bbce = {"active": True, "gross_income_percent_of_poverty": D("200"), "asset_limit": D("5000")}
    snapshot = household(people(2), incomes=[income("2000", member="m0")], assets=[asset("4000")])

    outcome = snap.determine(snapshot, DAY, with_values(CT, broad_based_categorical_eligibility=bbce))

    assert outcome.criterion("Gross monthly income").explanation == (
        "Your household's income before deductions is $2,000.00 a month, within the $3,525.00 limit (200% of the "
        "poverty guideline) for 2 people under the state's broad-based categorical eligibility, so the household "
        "is categorically eligible: no net income limit applies."
    )
    assert outcome.criterion("Resources").explanation == (
        "Your household's countable money and property are worth $4,000.00, within the $5,000.00 limit of the "
        "state's broad-based categorical eligibility."
    )


def test_bbce_without_a_percent_of_its_own_names_no_percent():
    table = with_values(CT, broad_based_categorical_eligibility={"active": True, "asset_limit": None})

    line = snap.determine(household(person(), incomes=[income("1600")]), DAY, table).criterion("Gross monthly income")

    assert line.explanation.startswith(
        "Your household's income before deductions is $1,600.00 a month, within the $1,696.00 limit for 1 person "
        "under the state's"
    )


def test_bbce_that_does_not_say_it_is_active_is_not_applied():
    table = with_values(CT, broad_based_categorical_eligibility={"gross_income_percent_of_poverty": D("200")})

    outcome = snap.determine(household(person(), incomes=[income("2000", kind="earned")]), DAY, table)

    assert outcome.criterion("Gross monthly income").limit == D("1696")
    assert not outcome.eligible


def test_an_elderly_household_above_the_bbce_limit_is_told_which_limits_apply():
    snapshot = household(person(age=70), incomes=[income("2700")])

    line = snap.determine(snapshot, DAY, fresh(CT)).criterion("Gross monthly income")

    assert line.explanation == (
        "Your household's income before deductions is $2,700.00 a month; the gross income limit does not apply "
        "because someone in your household is 60 or older or has a disability. It is more than the $2,609.00 "
        "limit of the state's broad-based categorical eligibility, so the net income and resource limits apply."
    )


# Utility allowances: what the household is told -------------------------------------------------------


def test_one_utility_without_a_state_standard_is_explained():
    snapshot = household(person(), incomes=[income("1500", kind="earned")], expenses=[expense("water", "80")])

    line = snap.determine(snapshot, DAY, CT).criterion("Utility allowance")

    assert (line.figure, line.explanation) == (
        D("0"),
        "Your household pays for water and no other utility; the state has no allowance for water alone, so no "
        "utility allowance is counted.",
    )


def test_a_states_individual_standard_is_named_in_the_shelter_line():
    table = with_values(CT, individual_utility_allowances={"water": D("55")})
    snapshot = household(
        person(), incomes=[income("1500", kind="earned")], expenses=[expense("rent", "600"), expense("water", "80")]
    )

    line = snap.determine(snapshot, DAY, table).criterion("Excess shelter deduction")

    assert line.explanation.startswith("Your shelter costs are $655.00 (with the water allowance of $55.00);")


# The whole household and the parameters' span -----------------------------------------------------------


def test_a_household_of_ineligible_students_only_is_determined_on_the_day_and_not_eligible():
    outcome = snap.determine(household(person("s", 21, student=True)), DAY)

    assert outcome.determination_date == DAY
    assert outcome.eligible is False


def test_parameters_prepared_for_one_fiscal_year_are_refused_the_next_naming_the_program():
    fy2025 = prepared(FEDERAL, date(2025, 9, 30))

    with pytest.raises(DeterminationDateError) as refused:
        snap.evaluate(household(person(), applied=date(2025, 9, 1)), fy2025, date(2025, 10, 1))

    assert str(refused.value).startswith("the snap parameters given hold from 2024-10-01 to 2025-09-30, not on")


def test_a_state_option_not_yet_in_force_is_not_required():
    later = ParameterValue(
        name=snap.BBCE,
        value={"active": True},
        effective_from=date(2026, 10, 1),
        source=Source(title="test value", url="n/a"),
        example=True,
    )
    table = ParameterTable([*(v for v in FEDERAL if v.name not in (snap.BBCE, snap.POVERTY)), later])

    assert snap.determine(household(person()), DAY, table).monthly_amount == D("298.00")


# Parameters an administrator got wrong, named -----------------------------------------------------------


def test_a_standard_deduction_without_an_entry_is_named_with_the_day():
    standard = dict(values_in_force(FEDERAL, DAY)["snap.standard_deduction"])
    del standard["3"]
    table = with_values(FEDERAL, standard_deduction=standard)

    with pytest.raises(MissingParameterError) as refused:
        prepared(table)

    assert str(refused.value) == "Missing parameter 'snap.standard_deduction' for 2025-11-15: it lacks the entry '3'"


@pytest.mark.parametrize("name", ["gross_income_limit", "net_income_limit", "maximum_allotment"])
def test_a_by_size_table_without_an_entry_is_named(name):
    by_size = dict(values_in_force(FEDERAL, DAY)[f"snap.{name}"])
    del by_size["each_additional"]
    table = with_values(FEDERAL, **{name: by_size})

    with pytest.raises(ParameterError, match=rf"^parameter 'snap\.{name}' lacks the entry 'each_additional'$"):
        prepared(table)


def test_frequency_factors_without_a_frequency_are_named():
    factors = dict(values_in_force(FEDERAL, DAY)["snap.frequency_factors"])
    del factors["weekly"]
    table = with_values(FEDERAL, frequency_factors=factors)

    with pytest.raises(ParameterError, match=r"^parameter 'snap\.frequency_factors' lacks the frequencies"):
        prepared(table)


def entry(name: str, value, note: str = "") -> ParameterValue:
    return ParameterValue(
        name=name,
        value=value,
        effective_from=date(2025, 10, 1),
        source=Source(title="test value", url="n/a"),
        example=True,
        note=note,
    )


@pytest.mark.parametrize(
    ("kinds", "name", "detail"),
    [
        ({"heating_cooling"}, snap.SUA, "Set by the state each year (effective 2025-10-01)"),
        ({"water", "trash"}, snap.LUA, "it has no value (effective 2025-10-01)"),
        ({"telephone"}, snap.TUA, "no value is in force on that date"),
    ],
)
def test_a_utility_allowance_the_household_needs_and_the_state_has_not_set_is_named_with_why(kinds, name, detail):
    values = values_in_force(FEDERAL, DAY, required=snap.REQUIRED)
    entries = {
        **values.entries,
        snap.SUA: entry(snap.SUA, None, note="Set by the state each year"),
        snap.LUA: entry(snap.LUA, None),
    }
    params = snap.prepare(ParameterSet(DAY, entries))

    with pytest.raises(MissingParameterError) as refused:
        snap.utility_allowance(frozenset(kinds), params, DAY)

    assert str(refused.value) == f"Missing parameter {name!r} for 2025-11-15: {detail}"
