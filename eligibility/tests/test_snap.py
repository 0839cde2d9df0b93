"""SNAP rules (eligibility/rules/snap.py) against USDA figures and 7 CFR part 273. No database."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    DeterminationDateError,
    InvalidSnapshotError,
    Member,
    MissingParameterError,
    ParameterTable,
    ParameterValue,
    Source,
    shipped_table,
    snap,
)
from eligibility.tests.builders import DAY, asset, expense, household, income, people, person

D = Decimal


def run(snapshot, day=DAY):
    return snap.determine(snapshot, day)


def with_sua(amount: str) -> ParameterTable:
    """The shipped table plus a standard utility allowance (an example figure, not a state's)."""
    sua = ParameterValue(
        name=snap.SUA,
        value=D(amount),
        effective_from=date(2024, 10, 1),
        source=Source(title="test SUA", url="n/a"),
        example=True,
    )
    return ParameterTable([*(v for v in shipped_table("snap") if v.name != snap.SUA), sua])


# USDA worked example -------------------------------------------------------------------------
#
# USDA FNS, "SNAP Eligibility" (https://www.fns.usda.gov/snap/recipient/eligibility), worked
# example of a household of 4 with FY 2026 figures: $1,500 a month of earnings, $550 of Social
# Security, $362 of dependent care, $700 of shelter costs. USDA: gross $2,050, net $1,047.50,
# 30% rounded up to $315, allotment $994 - $315 = $679. (The FNS page was read through a
# third-party encoding of it, TheAxiomFoundation/rac examples/snap_cases.yaml,
# "official_usda_example", which expects $679.)


def usda_example(applied=date(2025, 10, 1)):
    return household(
        people(4),
        incomes=[income("1500", member="m0", kind="earned"), income("550", member="m1", kind="benefits")],
        expenses=[expense("dependent_care", "362"), expense("rent", "700")],
        applied=applied,
    )


def test_usda_worked_example_fy2026_gives_679():
    outcome = run(usda_example())

    assert outcome.eligible
    assert outcome.monthly_amount == D("679.00")
    assert outcome.criterion("Gross monthly income").figure == D("2050.00")
    assert outcome.criterion("Gross monthly income").limit == D("3483")
    assert outcome.criterion("Earned income deduction").figure == D("300.00")
    assert outcome.criterion("Standard deduction").figure == D("223")
    assert outcome.criterion("Dependent care deduction").figure == D("362.00")
    # Adjusted income $1,165, half is $582.50; $700 - $582.50 = $117.50 of excess shelter.
    assert outcome.criterion("Excess shelter deduction").figure == D("117.50")
    # Net $1,047.50 rounds to $1,048 (7 CFR 273.10(e)(1)(ii)(B)); 30% = $314.40, up to $315.
    assert outcome.criterion("Net monthly income").figure == D("1048")
    assert outcome.criterion("Monthly benefit").figure == D("679")
    assert "$315" in outcome.criterion("Monthly benefit").explanation


def test_same_household_with_fy2025_figures():
    # Standard deduction $217, maximum allotment $975 (FY 2025 COLA): adjusted $1,171, half $585.50,
    # excess shelter $114.50, net $1,056.50 -> $1,057, 30% = $317.10 -> $318, $975 - $318 = $657.
    outcome = run(usda_example(applied=date(2025, 8, 1)), date(2025, 9, 15))

    assert outcome.criterion("Standard deduction").figure == D("217")
    assert outcome.criterion("Net monthly income").figure == D("1057")
    assert outcome.monthly_amount == D("657.00")


# Gross income test, 7 CFR 273.9(a)(1) ----------------------------------------------------------


@pytest.mark.parametrize(("gross", "passed"), [("1695", True), ("1696", True), ("1697", False)])
def test_gross_income_limit_one_dollar_under_at_and_over(gross, passed):
    outcome = run(household(person(), incomes=[income(gross)]))

    line = outcome.criterion("Gross monthly income")
    assert (line.figure, line.limit, line.passed) == (D(gross).quantize(D("0.01")), D("1696"), passed)
    if not passed:
        assert not outcome.eligible
        assert outcome.monthly_amount == D("0.00")
        assert "more than the $1,696.00 limit" in line.explanation


def test_gross_limit_for_a_household_of_ten_adds_the_increment():
    outcome = run(household(people(10), incomes=[income("7059", member="m0")]))

    assert outcome.criterion("Gross monthly income").limit == D("5867") + 2 * D("596")
    assert outcome.criterion("Gross monthly income").passed
    assert outcome.criterion("Monthly benefit").limit == D("1789") + 2 * D("218")


@pytest.mark.parametrize("member", [person(age=60), person(age=75), person(age=30, disabled=True)])
def test_elderly_or_disabled_household_is_exempt_from_the_gross_test(member):
    outcome = run(household(member, incomes=[income("1700")], expenses=[expense("rent", "800")]))

    line = outcome.criterion("Gross monthly income")
    assert line.passed and line.limit is None
    assert "does not apply" in line.explanation
    # $1,700 - $209 = $1,491, half $745.50, shelter $800 - $745.50 = $54.50 -> net $1,436.50 -> $1,437 > $1,305.
    assert not outcome.criterion("Net monthly income").passed


def test_elderly_means_60_on_the_determination_date():
    member = Member(id="a", date_of_birth=date(1965, 11, 15))
    snapshot = household(member, incomes=[income("1700")])

    assert not run(snapshot, date(2025, 11, 14)).criterion("Gross monthly income").passed  # 59
    assert run(snapshot, date(2025, 11, 15)).criterion("Gross monthly income").passed  # 60 that day


# Net income test, 7 CFR 273.9(a)(2), and its rounding, 273.10(e)(1)(ii)(B) -------------------


@pytest.mark.parametrize(
    ("unearned", "net", "passed"),
    [("1513", "1304", True), ("1514", "1305", True), ("1515", "1306", False), ("1514.49", "1305", True)],
)
def test_net_income_limit_one_dollar_under_at_and_over(unearned, net, passed):
    # An elderly single person (no gross test): net = income - $209 standard deduction.
    outcome = run(household(person(age=70), incomes=[income(unearned)]))

    line = outcome.criterion("Net monthly income")
    assert (line.figure, line.limit, line.passed) == (D(net), D("1305"), passed)
    assert outcome.eligible is passed
    # At or under the limit the computed allotment is nothing, so the minimum benefit applies.
    assert outcome.monthly_amount == (D("24.00") if passed else D("0.00"))


def test_net_income_fifty_cents_rounds_up():
    outcome = run(household(person(age=70), incomes=[income("1514.50")]))

    assert outcome.criterion("Net monthly income").figure == D("1306")
    assert not outcome.eligible


# Resources, 7 CFR 273.8(b) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "value", "limit", "passed"),
    [
        (30, "2999", "3000", True),
        (30, "3000", "3000", True),
        (30, "3001", "3000", False),
        (65, "4499", "4500", True),
        (65, "4500", "4500", True),
        (65, "4501", "4500", False),
    ],
)
def test_resource_limits_one_dollar_under_at_and_over(age, value, limit, passed):
    outcome = run(household(person(age=age), assets=[asset(value)]))

    line = outcome.criterion("Resources")
    assert (line.figure, line.limit, line.passed) == (D(value), D(limit), passed)
    assert outcome.eligible is passed


def test_exempt_assets_are_not_counted():
    outcome = run(household(person(), assets=[asset("2000"), asset("250000", kind="property", exempt=True)]))

    assert outcome.criterion("Resources").figure == D("2000")
    assert outcome.eligible


# Deductions and shelter, 7 CFR 273.9(d) ------------------------------------------------------


def test_excess_shelter_deduction_is_capped_without_an_elderly_or_disabled_member():
    # $1,500 - $209 = $1,291; half $645.50; rent $2,000 -> excess $1,354.50, capped at $744.
    # Net $547, 30% = $164.10 -> $165, $298 - $165 = $133.
    outcome = run(household(person(), incomes=[income("1500")], expenses=[expense("rent", "2000")]))

    line = outcome.criterion("Excess shelter deduction")
    assert (line.figure, line.limit) == (D("744"), D("744"))
    assert "capped" in line.explanation
    assert outcome.criterion("Net monthly income").figure == D("547")
    assert outcome.monthly_amount == D("133.00")


def test_excess_shelter_deduction_is_not_capped_with_an_elderly_member():
    outcome = run(household(person(age=60), incomes=[income("1500")], expenses=[expense("rent", "2000")]))

    line = outcome.criterion("Excess shelter deduction")
    assert (line.figure, line.limit) == (D("1354.50"), None)
    assert "no cap" in line.explanation
    assert outcome.criterion("Net monthly income").figure == D("0")
    assert outcome.monthly_amount == D("298.00")


def test_homeless_shelter_deduction():
    # $1,000 - $209 = $791; homeless deduction $198.99 -> $592.01 -> $592; 30% $177.60 -> $178; $298 - $178.
    outcome = run(household(person(), incomes=[income("1000")], homeless=True))

    assert outcome.criterion("Homeless shelter deduction").figure == D("198.99")
    assert outcome.criterion("Net monthly income").figure == D("592")
    assert outcome.monthly_amount == D("120.00")


def test_no_homeless_deduction_in_free_shelter():
    outcome = run(household(person(), incomes=[income("1000")], homeless=True, free_shelter=True))

    assert all(line.name != "Homeless shelter deduction" for line in outcome.criteria)
    assert outcome.criterion("Net monthly income").figure == D("791")
    assert outcome.monthly_amount == D("60.00")  # $298 - $238


def test_homeless_household_with_higher_actual_costs_gets_the_excess_shelter_deduction():
    outcome = run(household(person(), incomes=[income("1000")], expenses=[expense("rent", "900")], homeless=True))

    # Half of $791 is $395.50; $900 - $395.50 = $504.50 beats the $198.99 standard.
    assert outcome.criterion("Excess shelter deduction").figure == D("504.50")
    assert all(line.name != "Homeless shelter deduction" for line in outcome.criteria)


def test_utilities_need_the_state_sua_and_raise_a_clear_error_without_it():
    snapshot = household(person(), incomes=[income("1000")], expenses=[expense("utilities", "150")])

    with pytest.raises(MissingParameterError, match=r"snap\.standard_utility_allowance.*2025-11-15.*Set by the state"):
        run(snapshot)
    # A household that pays no utilities is assessed without it.
    assert run(household(person(), incomes=[income("1000")])).eligible


def test_the_sua_replaces_actual_utility_costs():
    snapshot = household(
        person(), incomes=[income("1000")], expenses=[expense("rent", "500"), expense("utilities", "90")]
    )
    outcome = snap.determine(snapshot, DAY, with_sua("400"))

    # Shelter $500 + SUA $400 = $900; half of $791 = $395.50; excess $504.50.
    line = outcome.criterion("Excess shelter deduction")
    assert line.figure == D("504.50")
    assert "standard utility allowance of $400" in line.explanation
    assert outcome.parameters_used[snap.SUA]["value"] == "400"


def test_medical_costs_of_elderly_members_above_35_are_deducted():
    members = (person("old", age=70), person("young", age=30))
    snapshot = household(
        members,
        incomes=[income("1000", member="young")],
        expenses=[expense("medical", "100", member="old"), expense("medical", "500", member="young")],
    )
    outcome = run(snapshot)

    assert outcome.criterion("Medical deduction").figure == D("65.00")  # $100 - $35; the $500 is not theirs


def test_medical_expense_without_a_member_in_a_mixed_household_is_refused():
    snapshot = household(
        (person("old", age=70), person("young", age=30)), expenses=[expense("medical", "100", member=None)]
    )

    with pytest.raises(InvalidSnapshotError, match="medical expense has no member_id"):
        run(snapshot)


def test_child_support_paid_and_dependent_care_are_deducted():
    snapshot = household(
        people(3),
        incomes=[income("2000", member="m0", kind="earned")],
        expenses=[expense("child_support_paid", "300"), expense("dependent_care", "200"), expense("other", "999")],
    )
    outcome = run(snapshot)

    # $2,000 - $400 (20%) - $209 - $200 - $300 = $891, no shelter costs.
    assert outcome.criterion("Child support deduction").figure == D("300.00")
    assert outcome.criterion("Net monthly income").figure == D("891")
    assert outcome.monthly_amount == D(785 - 268)  # 30% of $891 = $267.30 -> $268


# Income frequencies, 7 CFR 273.10(c)(2)(i) ---------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "frequency", "monthly"),
    [
        ("100", "weekly", "430.00"),
        ("100", "biweekly", "215.00"),
        ("100", "semimonthly", "200.00"),
        ("100", "monthly", "100.00"),
        ("1200", "yearly", "100.00"),
        ("333.33", "weekly", "1433.32"),  # 1,433.319 rounds to the cent for display
    ],
)
def test_income_frequencies_become_monthly_figures(amount, frequency, monthly):
    outcome = run(household(person(), incomes=[income(amount, frequency=frequency)]))

    assert outcome.criterion("Gross monthly income").figure == D(monthly)


def test_income_covering_part_of_the_month_counts_for_its_days():
    # $3,000 a month ending November 10: 10 of November's 30 days.
    outcome = run(household(person(), incomes=[income("3000", end=date(2025, 11, 10))]))

    assert outcome.criterion("Gross monthly income").figure == D("1000.00")


def test_income_outside_the_month_is_not_counted():
    snapshot = household(
        person(), incomes=[income("3000", end=date(2025, 10, 31)), income("3000", start=date(2025, 12, 1))]
    )

    assert run(snapshot).criterion("Gross monthly income").figure == D("0.00")


# Allotment, minimum benefit and proration, 7 CFR 273.10 --------------------------------------


def test_minimum_benefit_for_one_and_two_person_households():
    # Elderly single, net $1,200: 30% = $360 > $298, so the computed allotment is $0 -> minimum $24.
    one = run(household(person(age=70), incomes=[income("1409")]))
    assert one.criterion("Monthly benefit").figure == D("0")
    assert one.criterion("Minimum benefit").figure == D("24")
    assert (one.eligible, one.monthly_amount) == (True, D("24.00"))

    # Two elderly people, net $1,969 - $209 = $1,760 (limit $1,763): 30% = $528, $546 - $528 = $18 -> $24.
    two = run(household((person("a", 70), person("b", 70)), incomes=[income("1969")]))
    assert two.criterion("Monthly benefit").figure == D("18")
    assert (two.eligible, two.monthly_amount) == (True, D("24.00"))


def test_minimum_benefit_was_23_in_fy2025():
    outcome = run(household(person(age=70), incomes=[income("1409")], applied=date(2025, 8, 1)), date(2025, 9, 10))

    assert outcome.monthly_amount == D("23.00")


def test_no_minimum_benefit_for_three_or_more():
    # Three elderly people at the net limit: $2,430 - $209 = $2,221; 30% = $666.30 -> $667; $785 - $667 = $118.
    # (With the net test, a household of 3 or more always keeps some benefit; the "no benefit, not
    # eligible" rule of 7 CFR 273.10(e)(2)(iii) matters once categorical eligibility is modelled.)
    outcome = run(household(people(3, age=70), incomes=[income("2430", member="m0")]))

    assert outcome.criterion("Net monthly income").figure == D("2221")
    assert (outcome.eligible, outcome.monthly_amount) == (True, D("118.00"))
    assert all(line.name != "Minimum benefit" for line in outcome.criteria)


@pytest.mark.parametrize(
    ("applied", "amount"),
    [
        (date(2025, 11, 1), "298.00"),  # the first of the month: the whole month
        (date(2025, 11, 16), "149.00"),  # 15 of 30 days
        (date(2025, 11, 20), "109.00"),  # 11/30 x 298 = 109.27, rounded down
        (date(2025, 11, 29), "19.00"),  # 2/30 x 298 = 19.87
        (date(2025, 11, 30), "0.00"),  # 1/30 x 298 = 9.93: under $10, nothing issued
        (date(2025, 12, 10), "211.00"),  # 22/31 x 298 = 211.48
    ],
)
def test_first_month_is_prorated_from_the_application_date(applied, amount):
    outcome = run(household(person(), applied=applied), applied)

    assert outcome.eligible
    assert outcome.monthly_amount == D(amount)
    line = outcome.criterion("First month")
    assert line.figure == D(amount) and line.limit == D("298")


def test_a_first_month_worth_exactly_the_smallest_issuance_is_issued():
    # $659 of benefits - $209 = $450 net; 30% = $135; $298 - $135 = $163 a month. Applied on November 29:
    # 2/30 x $163 = $10.87 -> $10, not less than $10, so it is issued (7 CFR 273.10(a)(1)(ii)).
    applied = date(2025, 11, 29)
    outcome = run(household(person(), incomes=[income("659")], applied=applied), applied)

    assert outcome.monthly_amount == D("10.00")
    line = outcome.criterion("First month")
    assert (line.figure, line.limit, line.passed) == (D("10"), D("163"), True)
    assert line.explanation == (
        "You applied on November 29, 2025, so this first month is paid for 2 of its 30 days: $10.00."
    )


def test_a_first_month_applied_for_on_the_first_is_paid_in_full_however_small():
    # Categorically eligible under Connecticut's 200% limit, three people earning $3,525: net $3,525 - $705
    # - $209 = $2,611; 30% = $783.30 -> $784; $785 - $784 = $1, no minimum for three (7 CFR 273.10(e)(2)(ii)(C)).
    applied = date(2025, 11, 1)
    snapshot = household(people(3), incomes=[income("3525", member="m0", kind="earned")], applied=applied)

    outcome = snap.determine(snapshot, applied, shipped_table("snap", "ct"))

    assert outcome.eligible and outcome.monthly_amount == D("1.00")
    line = outcome.criterion("First month")
    assert (line.figure, line.limit, line.passed) == (D("1"), D("1"), True)
    assert line.explanation == (
        "You applied on November 1, 2025, the first day of the month, so this first month is paid in full: $1.00."
    )


def test_no_minimum_benefit_in_the_initial_month():
    # Full month would give $0 -> $24 minimum, but not in the month of application: 7 CFR 273.10(e)(2)(ii)(C).
    applied = date(2025, 11, 10)
    outcome = run(household(person(age=70), incomes=[income("1409")], applied=applied), date(2025, 11, 12))

    assert outcome.eligible
    assert outcome.monthly_amount == D("0.00")
    assert "nothing is issued" in outcome.criterion("First month").explanation
    # The next month the minimum applies.
    assert run(
        household(person(age=70), incomes=[income("1409")], applied=applied), date(2025, 12, 1)
    ).monthly_amount == D("24.00")


# Dates and parameters ------------------------------------------------------------------------


def test_fiscal_year_switch_on_october_1():
    snapshot = household(person(), applied=date(2025, 9, 1))

    september = run(snapshot, date(2025, 9, 30))
    october = run(snapshot, date(2025, 10, 1))

    assert september.monthly_amount == D("292.00")  # FY 2025 maximum for one person
    assert october.monthly_amount == D("298.00")  # FY 2026
    assert september.parameters_used["snap.maximum_allotment"]["effective_from"] == "2024-10-01"
    assert october.parameters_used["snap.maximum_allotment"]["effective_from"] == "2025-10-01"
    assert september.criterion("Standard deduction").figure == D("204")
    assert october.criterion("Standard deduction").figure == D("209")


def test_parameters_of_another_year_are_refused():
    fy2025 = snap.parameters_on(date(2025, 9, 30))

    with pytest.raises(DeterminationDateError, match=r"2024-10-01 to 2025-09-30, not on 2025-10-01"):
        snap.evaluate(household(person()), fy2025, date(2025, 10, 1))


def test_a_date_before_the_shipped_parameters_names_the_missing_parameter():
    snapshot = household(person(), applied=date(2024, 9, 1))

    with pytest.raises(MissingParameterError, match=r"Missing parameter 'snap\.\w+' for 2024-09-30"):
        run(snapshot, date(2024, 9, 30))


def test_determination_before_the_application_date_is_refused():
    with pytest.raises(DeterminationDateError, match="2025-09-30 is before the application date 2025-10-01"):
        run(household(person()), date(2025, 9, 30))


def test_every_outcome_explains_itself():
    outcome = run(usda_example())

    for line in outcome.criteria:
        assert line.explanation.endswith(".")
        assert line.name and isinstance(line.passed, bool)
    assert set(outcome.parameters_used) >= set(snap.REQUIRED)
