"""The fixed households of the golden-output check, per program, chosen to reach each branch of its rules.

A case is a household, a determination date and the parameter table it is first evaluated
with. The golden file keeps the household and the parameter values as evaluated, so the check
replays exactly what a stored determination would: only a change in the rules code (or in
how a stored snapshot is read) can change a result. Add a case here, then regenerate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from eligibility.rules import HouseholdSnapshot, ParameterTable, ParameterValue, Source, shipped_table
from eligibility.rules.snapshot import Member
from eligibility.tests.builders import asset, expense, household, income, people, person

DAY = date(2025, 11, 15)  # FY 2026, not an application month
FY2025_DAY = date(2025, 9, 15)


@dataclass(frozen=True)
class Case:
    name: str
    household: HouseholdSnapshot
    day: date = DAY


@cache
def snap_table() -> ParameterTable:
    """The shipped SNAP table with the utility allowances each state sets.

    $500 (standard), $300 (limited) and $30 (telephone) are EXAMPLES for these checks only, not
    any state's figures.
    """
    shipped = shipped_table("snap")
    examples = [
        ParameterValue(
            name=name,
            value=Decimal(amount),
            effective_from=date(2024, 10, 1),
            source=Source(title="EXAMPLE VALUE for the golden-output check, not a state's allowance", url=""),
            example=True,
        )
        for name, amount in (
            ("snap.standard_utility_allowance", "500"),
            ("snap.limited_utility_allowance", "300"),
            ("snap.telephone_utility_allowance", "30"),
        )
    ]
    names = {value.name for value in examples}
    return ParameterTable([*(v for v in shipped if v.name not in names), *examples])


def tables() -> dict[str, ParameterTable]:
    return {
        "snap": snap_table(),
        "income_support": shipped_table("income_support"),
        "drug_assistance": shipped_table("drug_assistance"),
    }


def _snap() -> list[Case]:
    return [
        Case("single_earner", household(person("a", 30), incomes=[income("900", member="a", kind="earned")])),
        Case(
            "family_of_four_rent_and_utilities_shelter_capped",
            household(
                (*people(2), person("c1", 8), person("c2", 4)),
                incomes=[income("1200", member="m0", kind="earned", frequency="biweekly")],
                expenses=[expense("rent", "1450"), expense("utilities", "180"), expense("dependent_care", "300")],
            ),
        ),
        Case(
            "elderly_member_no_gross_test_medical_and_uncapped_shelter",
            household(
                person("a", 66),
                incomes=[income("1800", member="a")],
                expenses=[expense("rent", "1300"), expense("medical", "120", member="a")],
            ),
        ),
        Case(
            "disabled_member_medical_and_higher_resource_limit",
            household(
                person("a", 40, disabled=True),
                incomes=[income("1000", member="a")],
                expenses=[expense("rent", "900"), expense("medical", "80", member="a")],
                assets=[asset("4000")],
            ),
        ),
        Case("over_the_gross_limit", household(person("a", 30), incomes=[income("2500", member="a", kind="earned")])),
        Case("over_the_net_limit", household(person("a", 30), incomes=[income("1650", member="a")])),
        Case(
            "resources_over_the_limit",
            household(person("a", 30), incomes=[income("500", member="a")], assets=[asset("3500")]),
        ),
        Case(
            "exempt_resources_not_counted",
            household(person("a", 30), incomes=[income("500", member="a")], assets=[asset("9000", exempt=True)]),
        ),
        Case("two_people_minimum_benefit", household(people(2), incomes=[income("1960", member="m0")])),
        Case(
            "three_people_earnings_near_the_gross_limit",
            household(people(3), incomes=[income("2800", member="m0", kind="earned")]),
        ),
        Case(
            "initial_month_prorated",
            household(person("a", 30), incomes=[income("900", member="a", kind="earned")], applied=date(2025, 11, 10)),
        ),
        Case(
            "initial_month_under_ten_dollars_not_issued",
            household(person("a", 30), incomes=[income("600", member="a")], applied=date(2025, 11, 30)),
            date(2025, 11, 30),
        ),
        Case(
            "homeless_shelter_deduction", household(person("a", 30), incomes=[income("600", member="a")], homeless=True)
        ),
        Case(
            "child_support_paid_and_frequencies",
            household(
                (*people(2), person("c", 10)),
                incomes=[
                    income("400", member="m0", kind="earned", frequency="weekly"),
                    income("350", member="m1", kind="self_employment", frequency="semimonthly"),
                    income("2400", member="m1", kind="other", frequency="yearly"),
                    income("250", member="c", kind="child_support"),
                ],
                expenses=[expense("rent", "1100"), expense("child_support_paid", "200")],
            ),
        ),
        Case(
            "income_ending_mid_month",
            household(
                person("a", 30),
                incomes=[
                    income("1500", member="a", kind="earned", end=date(2025, 11, 14)),
                    income("400", member="a", start=date(2025, 11, 15)),
                ],
                expenses=[expense("mortgage", "700")],
            ),
        ),
        Case(
            "heating_gives_the_standard_utility_allowance",
            household(
                person("a", 30),
                incomes=[income("1100", member="a", kind="earned")],
                expenses=[expense("rent", "700"), expense("heating_cooling", "90"), expense("water", "30")],
            ),
        ),
        Case(
            "two_utilities_give_the_limited_allowance",
            household(
                person("a", 30),
                incomes=[income("1100", member="a", kind="earned")],
                expenses=[expense("rent", "700"), expense("water", "30"), expense("trash", "20")],
            ),
        ),
        Case(
            "telephone_alone_gives_the_telephone_allowance",
            household(
                person("a", 30),
                incomes=[income("1100", member="a", kind="earned")],
                expenses=[expense("rent", "700"), expense("telephone", "45")],
            ),
        ),
        Case(
            "blind_member_is_elderly_or_disabled",
            household(
                Member(id="a", date_of_birth=date(1985, 1, 1), blind=True),
                incomes=[income("2000", member="a")],
                expenses=[expense("rent", "1200")],
                assets=[asset("4200")],
            ),
        ),
        Case(
            "ineligible_student_left_out_with_their_income",
            household(
                (person("a", 45), Member(id="s", date_of_birth=date(2005, 1, 1), student=True)),
                incomes=[income("800", member="a"), income("1500", member="s", kind="earned")],
                expenses=[expense("rent", "900")],
            ),
        ),
        Case(
            "fiscal_year_2025_values",
            household(person("a", 30), incomes=[income("900", member="a", kind="earned")], applied=date(2025, 8, 1)),
            FY2025_DAY,
        ),
    ]


def _income_support() -> list[Case]:
    return [
        Case("single_no_income_rent_over_the_maximum", household(person("a", 35), expenses=[expense("rent", "950")])),
        Case(
            "single_parent_earnings_through_every_tier",
            household(
                (person("a", 29), person("c", 6)),
                incomes=[income("400", member="a", kind="earned")],
                expenses=[expense("rent", "500")],
            ),
        ),
        Case(
            "couple_with_child_benefits_and_child_support",
            household(
                (person("a", 40), person("b", 38), person("c", 12)),
                incomes=[income("300", member="a"), income("150", member="b", kind="child_support")],
                expenses=[expense("mortgage", "650")],
            ),
        ),
        Case(
            "three_adults_each_additional_adult",
            household(people(3), expenses=[expense("rent", "900", frequency="semimonthly")]),
        ),
        Case("no_adult_in_the_household", household(person("c", 16))),
        Case(
            "liquid_assets_over_the_limit",
            household(person("a", 50), assets=[asset("800", kind="cash"), asset("900", kind="investment")]),
        ),
        Case(
            "exempt_and_non_liquid_assets_not_counted",
            household(
                person("a", 50), assets=[asset("20000", kind="vehicle", exempt=True), asset("5000", kind="other")]
            ),
        ),
        Case(
            "income_covers_needs_nothing_payable",
            household(person("a", 45), incomes=[income("2500", member="a", kind="earned")]),
        ),
        Case(
            "earnings_within_the_flat_and_second_tier",
            household(
                people(2),
                incomes=[
                    income("100", member="m0", kind="earned"),
                    income("90", member="m1", kind="earned", frequency="biweekly"),
                ],
            ),
        ),
        Case(
            "disabled_adult",
            household(
                person("a", 52, disabled=True), incomes=[income("200", member="a")], expenses=[expense("rent", "600")]
            ),
        ),
        Case(
            "single_parent_before_the_september_2025_rates",
            household(
                (person("a", 33, on=date(2025, 8, 15)), person("c", 5, on=date(2025, 8, 15))),
                expenses=[expense("rent", "750")],
                applied=date(2025, 8, 1),
            ),
            date(2025, 8, 15),
        ),
        Case(
            "two_disabled_adults_and_a_disabled_child",
            household(
                (person("a", 44, disabled=True), person("b", 47, disabled=True), person("c", 12, disabled=True)),
                incomes=[income("320", member="a", kind="earned")],
                expenses=[expense("rent", "800")],
            ),
        ),
        Case(
            "rent_starting_mid_month",
            household(person("a", 30), expenses=[expense("rent", "600", start=date(2025, 11, 16))]),
        ),
    ]


def _drug_assistance() -> list[Case]:
    return [
        Case("single_lowest_band", household(person("a", 30), incomes=[income("1200", member="a", kind="earned")])),
        Case("single_top_band", household(person("a", 30), incomes=[income("2200", member="a")])),
        Case(
            "single_above_the_ceiling", household(person("a", 30), incomes=[income("2400", member="a", kind="earned")])
        ),
        Case(
            "couple_middle_band_weekly_income",
            household(people(2), incomes=[income("500", member="m0", kind="earned", frequency="weekly")]),
        ),
        Case(
            "family_with_children_child_support_not_counted",
            household(
                (person("a", 35), person("c", 3)),
                incomes=[income("2700", member="a", kind="earned"), income("400", member="c", kind="child_support")],
            ),
        ),
        Case(
            "income_ending_within_the_projection",
            household(person("a", 30), incomes=[income("3000", member="a", kind="earned", end=date(2026, 3, 31))]),
        ),
        Case("three_adults_not_assessable", household(people(3), incomes=[income("1000", member="m0")])),
    ]


CASES: dict[str, list[Case]] = {
    "snap": _snap(),
    "income_support": _income_support(),
    "drug_assistance": _drug_assistance(),
}
