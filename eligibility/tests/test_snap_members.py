"""SNAP's members: blindness counts as a disability (7 CFR 271.2), ineligible students are left
out of the household (7 CFR 273.5, 273.1(b)(7), 273.11(d)). No database. FY2026 figures, November 2025."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import Asset, HouseholdSnapshot, Member, snap
from eligibility.tests.builders import DAY, asset, expense, household, income, person

D = Decimal


def member(member_id: str, age: int, **flags) -> Member:
    return Member(id=member_id, date_of_birth=date(DAY.year - age, 1, 1), **flags)


def criteria(outcome) -> dict:
    return {c.name: c for c in outcome.criteria}


def test_a_blind_member_makes_the_household_elderly_or_disabled():
    # $1,800 of benefits is over the $1,696 gross limit for one; $4,000 over the $3,000 resource limit.
    def snapshot(**flags):
        return household(
            member("a", 40, **flags),
            incomes=[income("1800")],
            expenses=[expense("rent", "1500")],
            assets=[asset("4000")],
        )

    seeing, blind = snapshot(), snapshot(blind=True)

    refused, granted = snap.determine(seeing, DAY), snap.determine(blind, DAY)

    assert not refused.eligible
    assert criteria(granted)["Gross monthly income"].limit is None
    assert criteria(granted)["Resources"].limit == D("4500")
    # $1,800 - $209 = $1,591; shelter $1,500 - $795.50 = $704.50; net $886.50 -> $887;
    # 30% = $266.10 -> $267; $298 - $267 = $31.
    assert criteria(granted)["Net monthly income"].figure == D("887")
    assert granted.eligible and granted.monthly_amount == D("31.00")


def test_a_disabled_members_shelter_costs_are_not_capped():
    # $1,000 - $209 = $791; half $395.50; rent $1,500 -> excess $1,104.50 (the cap is $744).
    def outcome(**flags):
        return snap.determine(
            household(member("a", 30, **flags), incomes=[income("1000")], expenses=[expense("rent", "1500")]), DAY
        )

    capped, uncapped = outcome(), outcome(disabled=True)

    assert criteria(capped)["Excess shelter deduction"].figure == D("744.00")
    assert criteria(uncapped)["Excess shelter deduction"].figure == D("1104.50")
    # Capped: net $791 - $744 = $47; 30% = $14.10 -> $15; $283. Uncapped: net below $0 -> $0: the full $298.
    assert uncapped.monthly_amount == D("298.00") and capped.monthly_amount == D("283.00")


def test_an_ineligible_student_is_not_counted_nor_their_income_expenses_or_resources():
    parent, student = member("p", 45), member("s", 20, student=True)
    snapshot = HouseholdSnapshot(
        members=(parent, student),
        application_date=date(2025, 10, 1),
        incomes=(income("900", member="p"), income("2500", member="s", kind="earned")),
        expenses=(expense("medical", "400", member="s"),),
        assets=(Asset(kind="bank_account", value=D("5000"), member_id="s"),),
    )

    outcome = snap.determine(snapshot, DAY)

    found = criteria(outcome)
    assert found["Household members"].figure == D("1") and found["Household members"].passed
    assert "their income and resources are not counted" in found["Household members"].explanation
    assert found["Gross monthly income"].figure == D("900.00")
    assert found["Resources"].figure == D("0") and "Medical deduction" not in found
    # One person on $900: $691 net; 30% -> $208; $298 - $208 = $90.
    assert outcome.eligible and outcome.monthly_amount == D("90.00")


@pytest.mark.parametrize(
    ("age", "flags", "left_out"),
    [
        (17, {}, False),  # 273.5(b)(1): 17 or younger
        (18, {}, True),
        (49, {}, True),
        (50, {}, False),  # 273.5(b)(1): 50 or older
        (25, {"disabled": True}, False),  # receiving a disability benefit: unfit for work, 273.5(b)(2)
        (25, {"blind": True}, False),
    ],
)
def test_the_student_rule_applies_from_18_to_49_to_those_fit_for_work(age, flags, left_out):
    snapshot = household(
        (member("p", 45), member("s", age, student=True, **flags)), incomes=[income("900", member="p")]
    )

    assert snap.ineligible_students(snapshot, DAY) == (frozenset({"s"}) if left_out else frozenset())
    assert ("Household members" in criteria(snap.determine(snapshot, DAY))) is left_out


def test_a_household_of_ineligible_students_only_gets_nothing_and_says_why():
    outcome = snap.determine(household(member("s", 21, student=True), incomes=[income("100", member="s")]), DAY)

    assert not outcome.eligible and outcome.monthly_amount == D("0.00")
    [line] = outcome.criteria
    assert line.name == "Household members" and not line.passed
    assert "no one else is left in the household" in line.explanation


STUDENT_RULE = (
    "not counted in the household: a student aged 18 to 49 enrolled at least half time in college or other "
    "higher education, who meets none of the student exemptions, cannot get SNAP; their income and resources "
    "are not counted, but money they give the household is"
)


def test_the_household_members_line_counts_the_students_left_out_and_the_people_left():
    one = criteria(snap.determine(household((member("p", 45), member("s", 20, student=True))), DAY))
    two = criteria(
        snap.determine(household((member("p", 45), member("s", 20, student=True), member("t", 22, student=True))), DAY)
    )
    only = criteria(snap.determine(household((member("s", 20, student=True), member("t", 22, student=True))), DAY))

    assert one["Household members"].explanation == f"1 person is {STUDENT_RULE}. 1 person counted."
    assert two["Household members"].explanation == f"2 people are {STUDENT_RULE}. 1 person counted."
    line = only["Household members"]
    assert (line.figure, line.passed) == (D("0"), False)
    assert line.explanation == f"2 people are {STUDENT_RULE}, and no one else is left in the household."


def test_a_student_is_only_a_fact_the_rule_reads_on_the_determination_date():
    # Born 2007-06-01: 17 on 2025-05-31, 18 on 2025-06-01.
    snapshot = household(
        (person("p", 45), Member(id="s", date_of_birth=date(2007, 6, 1), student=True)),
        incomes=[income("900", member="p")],
    )
    assert snap.ineligible_students(snapshot, date(2025, 5, 31)) == frozenset()
    assert snap.ineligible_students(snapshot, date(2025, 6, 1)) == frozenset({"s"})
