"""SNAP utility standards (7 CFR 273.9(d)(6)(iii)) and broad-based categorical eligibility
(7 CFR 273.2(j)(2)) as state options, with Connecticut's FY 2026 figures. No database.

The household most tests use: one person of 30 earning $1,500 a month and paying $600 of rent,
assessed on November 15, 2025 (FY 2026: standard deduction $209, maximum allotment $298, cap $744).
Earnings deduction $300, so income after the other deductions is $991 and half of it $495.50.
"""

import json
from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    HouseholdSnapshot,
    MissingParameterError,
    ParameterSet,
    shipped_table,
    snap,
)
from eligibility.rules.parameters import ParameterError, values_in_force
from eligibility.tests.builders import DAY, asset, expense, household, income, people, person, with_values

D = Decimal
CT = shipped_table("snap", "ct")
FEDERAL = shipped_table("snap")


def earner(*utilities: str, earnings: str = "1500", rent: str = "600") -> HouseholdSnapshot:
    expenses = [expense("rent", rent)] if rent else []
    expenses += [expense(kind, "80") for kind in utilities]
    return household(person(), incomes=[income(earnings, kind="earned")], expenses=expenses)


# Which allowance, 7 CFR 273.9(d)(6)(iii) --------------------------------------------------------


def test_heating_brings_connecticuts_standard_utility_allowance():
    outcome = snap.determine(earner("heating_cooling"), DAY, CT)

    line = outcome.criterion("Utility allowance")
    assert line.figure == D("976")
    assert "includes heating or cooling" in line.explanation and "$976.00" in line.explanation
    # $600 + $976 - $495.50 = $1,080.50, capped at $744; net $247; 30% = $74.10 -> $75; $298 - $75.
    assert outcome.criterion("Excess shelter deduction").figure == D("744")
    assert "standard utility allowance of $976.00" in outcome.criterion("Excess shelter deduction").explanation
    assert outcome.monthly_amount == D("223.00")


def test_heating_with_other_utilities_still_brings_the_sua():
    outcome = snap.determine(earner("water", "heating_cooling", "telephone"), DAY, CT)

    assert outcome.criterion("Utility allowance").figure == D("976")
    assert outcome.monthly_amount == D("223.00")


def test_a_row_recorded_before_utilities_were_kept_by_kind_is_read_as_including_heating():
    outcome = snap.determine(earner("utilities"), DAY, CT)

    assert outcome.criterion("Utility allowance").figure == D("976")
    assert outcome.monthly_amount == D("223.00")


def test_water_and_trash_bring_the_limited_utility_allowance():
    outcome = snap.determine(earner("water", "trash"), DAY, CT)

    line = outcome.criterion("Utility allowance")
    assert line.figure == D("430")
    assert "water and trash collection" in line.explanation and "limited utility allowance" in line.explanation
    # $600 + $430 - $495.50 = $534.50; net $456.50 -> $457; 30% = $137.10 -> $138; $298 - $138.
    assert outcome.criterion("Excess shelter deduction").figure == D("534.50")
    assert outcome.monthly_amount == D("160.00")


def test_three_utilities_are_named_in_the_order_of_the_bill_list():
    outcome = snap.determine(earner("trash", "electricity", "water"), DAY, CT)

    line = outcome.criterion("Utility allowance")
    assert line.figure == D("430")
    assert "electricity, water and trash collection" in line.explanation


def test_a_telephone_counts_towards_two_utilities():
    outcome = snap.determine(earner("telephone", "electricity"), DAY, CT)

    assert outcome.criterion("Utility allowance").figure == D("430")
    assert outcome.monthly_amount == D("160.00")


def test_a_telephone_alone_brings_the_telephone_allowance():
    outcome = snap.determine(earner("telephone"), DAY, CT)

    line = outcome.criterion("Utility allowance")
    assert line.figure == D("36")
    assert "telephone allowance of $36.00" in line.explanation
    # $636 - $495.50 = $140.50; net $850.50 -> $851; 30% = $255.30 -> $256; $298 - $256.
    assert outcome.monthly_amount == D("42.00")


def test_one_utility_without_a_state_standard_brings_no_allowance():
    outcome = snap.determine(earner("water"), DAY, CT)

    line = outcome.criterion("Utility allowance")
    assert line.figure == 0
    assert "no allowance for water alone" in line.explanation
    # Rent only: $600 - $495.50 = $104.50; net $886.50 -> $887; 30% = $266.10 -> $267; $298 - $267.
    assert outcome.criterion("Excess shelter deduction").figure == D("104.50")
    assert outcome.monthly_amount == D("31.00")


def test_a_states_individual_standard_for_one_utility():
    table = with_values(CT, individual_utility_allowances={"water": D("50"), "electricity": D("70")})

    outcome = snap.determine(earner("water"), DAY, table)

    line = outcome.criterion("Utility allowance")
    assert line.figure == D("50")
    assert "water allowance of $50.00" in line.explanation
    # $650 - $495.50 = $154.50; net $836.50 -> $837; 30% = $251.10 -> $252; $298 - $252.
    assert outcome.monthly_amount == D("46.00")


def test_the_bills_amounts_do_not_matter_only_which_utilities():
    cheap = earner("water", "trash")
    dear = household(
        person(),
        incomes=[income("1500", kind="earned")],
        expenses=[expense("rent", "600"), expense("water", "400"), expense("trash", "300")],
    )

    assert snap.determine(cheap, DAY, CT).monthly_amount == snap.determine(dear, DAY, CT).monthly_amount


def test_a_utility_that_ended_before_the_month_brings_nothing():
    ended = household(
        person(),
        incomes=[income("1500", kind="earned")],
        expenses=[expense("rent", "600"), expense("heating_cooling", "90", end=date(2025, 10, 31))],
    )

    outcome = snap.determine(ended, DAY, CT)

    assert all(line.name != "Utility allowance" for line in outcome.criteria)
    assert outcome.monthly_amount == D("31.00")


def test_a_homeless_household_whose_shelter_deduction_wins_shows_no_utility_line():
    snapshot = household(
        person(), incomes=[income("1500", kind="earned")], expenses=[expense("telephone", "40")], homeless=True
    )

    outcome = snap.determine(snapshot, DAY, CT)

    # Telephone $36 against half of $991: no excess; the $198.99 homeless deduction is larger.
    assert outcome.criterion("Homeless shelter deduction").figure == D("198.99")
    assert all(line.name != "Utility allowance" for line in outcome.criteria)


@pytest.mark.parametrize(
    ("utilities", "missing"),
    [
        (("heating_cooling",), snap.SUA),
        (("water", "trash"), snap.LUA),
        (("telephone",), snap.TUA),
        (("sewer",), snap.INDIVIDUAL),
    ],
)
def test_without_a_state_the_allowance_needed_is_named_as_missing(utilities, missing):
    with pytest.raises(MissingParameterError, match=rf"{missing.replace('.', '[.]')}'.*2025-11-15.*Set by the state"):
        snap.determine(earner(*utilities), DAY, FEDERAL)


def test_without_a_state_a_household_paying_no_utilities_is_still_assessed():
    assert snap.determine(earner(), DAY, FEDERAL).monthly_amount == D("31.00")


def test_connecticut_figures_take_effect_on_october_1_2025():
    earlier = household(person(), expenses=[expense("heating_cooling", "90")], applied=date(2025, 9, 1))
    with pytest.raises(MissingParameterError, match="standard_utility_allowance"):
        snap.determine(earlier, date(2025, 9, 30), CT)
    chosen = values_in_force(CT, date(2025, 10, 1), required=snap.REQUIRED, optional=snap.OPTIONAL)
    assert chosen[snap.SUA] == D("976") and chosen[snap.LUA] == D("430") and chosen[snap.TUA] == D("36")
    assert "fns.usda.gov" in chosen.entries[snap.SUA].source.url


def test_an_individual_standard_for_a_utility_the_rule_does_not_know_is_refused():
    table = with_values(CT, individual_utility_allowances={"cable": D("20")})

    with pytest.raises(ParameterError, match="cable"):
        snap.determine(earner(), DAY, table)


# Broad-based categorical eligibility, 7 CFR 273.2(j)(2) ------------------------------------------


def test_bbce_limit_is_the_poverty_guideline_share_rounded_up():
    guideline = {"first_person": D("15650"), "each_additional": D("5500")}

    # The same method gives the federal 130% table shipped for FY 2026 ...
    gross = values_in_force(FEDERAL, DAY)["snap.gross_income_limit"]
    by_size, each = snap.poverty_share_table(guideline, D("130"))
    assert [by_size[size] for size in range(1, 9)] == [gross[str(size)] for size in range(1, 9)]
    assert each == gross["each_additional"]
    # ... and Connecticut's 200% limits.
    by_size, each = snap.poverty_share_table(guideline, D("200"))
    assert by_size[1:] == (2609, 3525, 4442, 5359, 6275, 7192, 8109, 9025)
    assert each == 917


def test_income_between_130_and_200_percent_is_eligible_under_connecticuts_bbce():
    snapshot = household(person(), incomes=[income("2000", kind="earned")], expenses=[expense("rent", "600")])

    federal = snap.determine(snapshot, DAY, FEDERAL)
    assert not federal.eligible
    assert federal.criterion("Gross monthly income").limit == D("1696")

    outcome = snap.determine(snapshot, DAY, CT)
    gross = outcome.criterion("Gross monthly income")
    assert gross.passed and gross.limit == D("2609")
    assert "categorically eligible" in gross.explanation and "200% of the poverty guideline" in gross.explanation
    # Net $1,391 is above the $1,305 net limit, which does not apply: the one-person minimum.
    net = outcome.criterion("Net monthly income")
    assert net.figure == D("1391") and net.limit is None and net.passed
    assert outcome.eligible and outcome.monthly_amount == D("24.00")


@pytest.mark.parametrize("missing", ["first_person", "each_additional"])
def test_a_poverty_guideline_without_one_of_its_figures_is_refused_naming_it(missing):
    guideline = {"first_person": D("15650"), "each_additional": D("5500")}
    del guideline[missing]

    with pytest.raises(ParameterError, match=rf"parameter 'snap\.poverty_guidelines' lacks the entry '{missing}'"):
        snap.poverty_share_table(guideline, D("200"))


@pytest.mark.parametrize(("earnings", "eligible"), [("2609.00", True), ("2609.01", False)])
def test_bbce_gross_limit_boundary(earnings, eligible):
    snapshot = household(person(), incomes=[income(earnings, kind="earned")])

    outcome = snap.determine(snapshot, DAY, CT)

    assert outcome.eligible is eligible
    assert outcome.criterion("Gross monthly income").limit == D("2609")
    assert outcome.criterion("Gross monthly income").passed is eligible


def test_bbce_has_no_resource_test():
    snapshot = household(person(), incomes=[income("1000")], assets=[asset("10000")])

    assert not snap.determine(snapshot, DAY, FEDERAL).eligible
    outcome = snap.determine(snapshot, DAY, CT)
    resources = outcome.criterion("Resources")
    assert resources.passed and resources.limit is None and "no resource limit" in resources.explanation
    assert outcome.eligible


def test_a_state_may_keep_a_resource_limit_under_bbce():
    bbce = {"active": True, "gross_income_percent_of_poverty": D("200"), "asset_limit": D("5000")}
    table = with_values(CT, broad_based_categorical_eligibility=bbce)
    snapshot = household(person(), incomes=[income("1000")], assets=[asset("5000.01")])

    outcome = snap.determine(snapshot, DAY, table)

    assert not outcome.eligible
    assert outcome.criterion("Resources").limit == D("5000")


def test_bbce_without_its_own_limit_uses_the_130_percent_limit_and_still_drops_the_net_test():
    table = with_values(CT, broad_based_categorical_eligibility={"active": True, "asset_limit": None})
    snapshot = household(person(), incomes=[income("1600")])

    outcome = snap.determine(snapshot, DAY, table)

    assert outcome.criterion("Gross monthly income").limit == D("1696")
    assert outcome.criterion("Net monthly income").limit is None  # $1,391 would fail the $1,305 limit
    assert outcome.eligible
    assert not snap.determine(household(person(), incomes=[income("1697")]), DAY, table).eligible


def test_an_elderly_household_above_the_bbce_limit_keeps_its_exemptions_and_meets_the_net_and_resource_tests():
    snapshot = household(person(age=70), incomes=[income("2700")], assets=[asset("4000")])

    outcome = snap.determine(snapshot, DAY, CT)

    gross = outcome.criterion("Gross monthly income")
    assert gross.passed and gross.limit is None and "$2,609.00 limit" in gross.explanation
    # $2,700 - $209 = $2,491, above the $1,305 net limit.
    assert outcome.criterion("Net monthly income").limit == D("1305")
    assert not outcome.eligible
    assert outcome.criterion("Resources").limit == D("4500") and outcome.criterion("Resources").passed


def test_an_elderly_household_within_the_bbce_limit_has_no_resource_test():
    snapshot = household(person(age=70), incomes=[income("1200")], assets=[asset("10000")])

    outcome = snap.determine(snapshot, DAY, CT)

    assert outcome.eligible
    assert outcome.criterion("Resources").limit is None


def test_a_categorically_eligible_household_of_three_with_no_benefit_is_not_eligible():
    # Gross $4,000: within 200% ($4,442) for 3; net $4,000 - $800 - $209 = $2,991; 30% = $898 > $785.
    snapshot = household(people(3), incomes=[income("4000", member="m0", kind="earned")])

    outcome = snap.determine(snapshot, DAY, CT)

    assert outcome.criterion("Gross monthly income").passed
    assert not outcome.eligible and outcome.monthly_amount == 0


def test_a_snapshot_stored_before_utilities_were_kept_by_kind_replays_with_its_recorded_values():
    snapshot = earner("utilities")
    # What a determination stored then: the snapshot, and only the parameters that existed.
    newer = {snap.LUA, snap.TUA, snap.INDIVIDUAL, snap.BBCE, snap.POVERTY}
    used = {
        name: record
        for name, record in values_in_force(CT, DAY, required=snap.REQUIRED, optional=snap.OPTIONAL).used().items()
        if name not in newer
    }
    stored = json.loads(json.dumps({"snapshot": snapshot.to_dict(), "used": used}))

    params = snap.prepare(ParameterSet.from_used(stored["used"], DAY))
    outcome = snap.evaluate(HouseholdSnapshot.from_dict(stored["snapshot"]), params, DAY)

    assert outcome.criterion("Utility allowance").figure == D("976")
    assert outcome.monthly_amount == D("223.00")
    assert snap.BBCE not in outcome.parameters_used  # no broad-based categorical eligibility then
