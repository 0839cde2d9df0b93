"""When a household's change takes effect: the day its facts first differ, and the first month it affects.

Pure functions of two stored snapshots: no database.
"""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.services import redetermine
from eligibility.services.redetermine import ChangeTiming, change_effective_on, change_happened, ended_key

RUN = date(2025, 11, 20)
APPLIED = date(2025, 9, 22)


def income(amount: str, start: str, end: str | None = None, *, kind: str = "earned", member: str = "7") -> dict:
    return {"member_id": member, "kind": kind, "amount": amount, "frequency": "monthly", "start": start, "end": end}


def household(*incomes: dict, members: tuple[str, ...] = ("7",), expenses: tuple[dict, ...] = ()) -> dict:
    return {
        "version": 1,
        "application_date": APPLIED.isoformat(),
        "homeless": False,
        "members": [{"id": m, "date_of_birth": "1990-01-01", "disabled": False} for m in members],
        "incomes": list(incomes),
        "expenses": list(expenses),
        "assets": [],
    }


WAGE = income("1292.50", "2025-01-01")
ENDED_WAGE = {ended_key("incomes", "7", "earned", "1292.50", "monthly", "2025-01-01"): date(2025, 10, 31)}


def effective(old: dict, new: dict, *, ended=None, program: str = "snap", began: date = APPLIED):
    return change_effective_on(old, new, as_of=RUN, rules_module=program, enrollment_began=began, ended=ended)


def test_ending_a_wage_and_adding_the_new_one_counts_from_the_new_wage_not_the_old_ones_start():
    # The ended row has left the November snapshot; its end (31 October) is looked up.
    old, new = household(WAGE), household(income("1333.75", "2025-11-01"))

    assert change_happened(old, new, as_of=RUN, ended=ENDED_WAGE).on == date(2025, 11, 1)
    result = effective(old, new, ended=ENDED_WAGE)
    assert result.on == date(2025, 11, 1)
    assert result.why.startswith("Wages and salary of $1,292.50 (monthly) ended 2025-10-31")
    assert "November 2025" in result.why and "7 CFR 273.18(c)(1)(ii)(A)" in result.why


def test_adding_a_second_wage_counts_from_its_start():
    old, new = household(WAGE), household(WAGE, income("41.25", "2025-11-01"))

    result = effective(old, new)

    assert result.on == date(2025, 11, 1)
    assert result.why.startswith("Wages and salary of $41.25 (monthly) from 2025-11-01")


def test_an_end_within_the_benefit_month_counts_from_the_day_after_it():
    # Still in the snapshot with its end: the same row, its end moved from none to 15 November.
    old, new = household(WAGE), household(income("1292.50", "2025-01-01", "2025-11-15"))

    assert change_happened(old, new, as_of=RUN).on == date(2025, 11, 16)
    # 16 November's change first affects December, the first whole month under it.
    assert effective(old, new).on == date(2025, 12, 1)


def test_a_change_on_the_first_affects_that_month_and_one_later_in_the_month_the_next():
    old = household(WAGE)
    for start, month in (("2025-10-01", date(2025, 10, 1)), ("2025-10-02", date(2025, 11, 1))):
        new = household(WAGE, income("100.00", start, kind="benefits"))
        assert effective(old, new).on == month, start


def test_a_row_whose_end_was_known_at_the_last_decision_counts_from_the_day_after_it():
    old, new = household(WAGE, income("300.00", "2025-06-01", "2025-10-14", kind="benefits")), household(WAGE)

    result = effective(old, new)

    assert change_happened(old, new, as_of=RUN).on == date(2025, 10, 15)
    assert result.on == date(2025, 11, 1)
    assert "of $300.00 (monthly) ended 2025-10-14" in result.why


def test_a_row_ended_before_the_benefit_month_and_not_found_was_corrected_from_its_start():
    # No stored end explains its absence: the record was corrected, the old figure wrong from its start.
    old, new = household(income("1292.50", "2025-10-01")), household()

    result = effective(old, new)

    assert result.on == date(2025, 10, 1)
    assert "corrected on the record" in result.why


def test_an_amount_corrected_in_place_counts_from_the_rows_start_but_never_before_the_enrollment():
    old, new = household(WAGE), household(income("1333.75", "2025-01-01"))

    result = effective(old, new)

    assert result.on == date(2025, 9, 1)
    assert result.why.endswith("the enrollment began in September 2025, so from then")


def test_an_income_found_late_counts_from_the_enrollments_first_month_at_the_earliest():
    old, new = household(WAGE), household(WAGE, income("50.00", "2025-03-01", kind="child_support"))

    assert change_happened(old, new, as_of=RUN).on == date(2025, 3, 1)
    assert effective(old, new).on == date(2025, 9, 1)
    assert effective(old, new, began=date(2025, 2, 10)).on == date(2025, 3, 1)


def test_the_earliest_of_several_changes_dates_the_whole_change():
    old = household(WAGE)
    new = household(income("1333.75", "2025-12-01"), income("20.00", "2025-11-01", kind="other"))
    ended = {ended_key("incomes", "7", "earned", "1292.50", "monthly", "2025-01-01"): date(2025, 11, 30)}

    assert change_happened(old, new, as_of=RUN, ended=ended).on == date(2025, 11, 1)


def test_a_change_with_no_date_of_its_own_counts_from_the_month_the_job_saw_it():
    old, new = household(WAGE), dict(household(WAGE), homeless=True)

    change = change_happened(old, new, as_of=RUN)
    result = effective(old, new)

    assert (change.on, change.dated) == (RUN, False)
    assert result.on == date(2025, 11, 1)
    assert result.why.startswith("The household's homelessness changed, seen 2025-11-20")


def test_a_recorded_fact_counts_from_the_day_it_began_or_the_day_after_it_ended():
    member = {"id": "7", "date_of_birth": "1985-01-01", "disabled": False, "blind": False, "student": False}
    old = dict(household(WAGE), members=[member])
    disabled = dict(household(WAGE), members=[{**member, "disabled": True}])
    facts = {("7", "disability"): [(date(2025, 9, 1), None)]}

    began = change_happened(old, disabled, as_of=RUN, facts=facts)
    ended = change_happened(
        disabled, old, as_of=RUN, facts={("7", "disability"): [(date(2025, 9, 1), date(2025, 10, 14))]}
    )

    assert (began.on, began.what) == (date(2025, 9, 1), "A member's disability changed on 2025-09-01")
    assert ended.on == date(2025, 10, 15)


def test_a_change_that_raises_the_benefit_counts_from_the_month_it_was_reported_not_before():
    member = {"id": "7", "date_of_birth": "1985-01-01", "disabled": False, "blind": False, "student": False}
    old = dict(household(WAGE), members=[member])
    new = dict(household(WAGE), members=[{**member, "disabled": True}])
    facts = {("7", "disability"): [(date(2025, 9, 1), None)]}

    lowers = change_effective_on(old, new, as_of=RUN, rules_module="snap", facts=facts)
    raises = change_effective_on(old, new, as_of=RUN, rules_module="snap", facts=facts, raises_benefit=True)

    assert lowers.on == date(2025, 9, 1)
    assert raises.on == date(2025, 11, 1)
    assert "7 CFR 273.12(c)(1)" in raises.why


def test_a_member_who_joined_counts_from_the_membership_start_and_one_who_left_from_the_day_after_its_end():
    two, one = household(WAGE, members=("7", "8")), household(WAGE)
    spans = {"7": [(date(2024, 1, 1), None)], "8": [(date(2025, 10, 1), date(2025, 10, 15))]}

    joined = change_effective_on(one, two, as_of=RUN, rules_module="snap", enrollment_began=APPLIED, members=spans)
    left = change_effective_on(two, one, as_of=RUN, rules_module="snap", enrollment_began=APPLIED, members=spans)

    assert joined.on == date(2025, 10, 1)
    assert joined.why.startswith("A member joined the household on 2025-10-01")
    assert left.on == date(2025, 11, 1)
    assert left.why.startswith("A member left the household on 2025-10-15")
    # With no membership on record, the member counts from when the job saw the change.
    assert change_happened(one, two, as_of=RUN).on == RUN


def test_an_asset_counts_from_the_day_it_was_held_or_disposed_of():
    account = {"kind": "bank_account", "value": "3200.00", "member_id": "7", "exempt": False}
    car = {"kind": "vehicle", "value": "9000.00", "member_id": "7", "exempt": False}
    spans = {("7", "bank_account", "3200.00"): [(date(2025, 1, 1), date(2025, 11, 1))]}
    spans[("7", "vehicle", "9000.00")] = [(date(2025, 11, 10), None)]
    old, sold, bought = (dict(household(WAGE), assets=rows) for rows in ([account], [], [account, car]))

    assert change_happened(old, sold, as_of=RUN, assets=spans).on == date(2025, 11, 1)
    assert effective(old, bought).on == date(2025, 11, 1)  # not dated: the month the job saw it
    bought_on = change_effective_on(old, bought, as_of=RUN, rules_module="snap", assets=spans)
    assert bought_on.on == date(2025, 12, 1)
    assert bought_on.why.startswith("Vehicle worth $9,000.00 held from 2025-11-10")


def test_a_dated_change_on_the_same_day_as_an_undated_one_is_the_one_explained():
    old = household(WAGE)
    new = household(WAGE, income("10.00", RUN.isoformat(), kind="other"), members=("7", "8"))

    assert change_happened(old, new, as_of=RUN).dated


def test_identical_snapshots_have_no_change():
    assert change_happened(household(WAGE), household(WAGE), as_of=RUN) is None


def test_expenses_are_dated_like_incomes():
    rent = dict(income("900.00", "2025-01-01"), kind="rent")
    new_rent = dict(rent, amount="950.00", start="2025-12-01")
    ended = {ended_key("expenses", "7", "rent", "900.00", "monthly", "2025-01-01"): date(2025, 11, 30)}

    old, new = household(WAGE, expenses=(rent,)), household(WAGE, expenses=(new_rent,))

    assert effective(old, new, ended=ended).on == date(2025, 12, 1)


def test_a_program_that_allows_time_to_report_counts_later_but_snap_never_past_two_months(monkeypatch):
    old, new = household(WAGE), household(WAGE, income("41.25", "2025-11-01"))
    monkeypatch.setitem(redetermine.CHANGE_TIMING, "snap", ChangeTiming(months_after=1, at_most_months_after=2))
    assert effective(old, new).on == date(2025, 12, 1)
    monkeypatch.setitem(redetermine.CHANGE_TIMING, "snap", ChangeTiming(months_after=5, at_most_months_after=2))
    assert effective(old, new).on == date(2026, 1, 1)


@pytest.mark.parametrize("program", ["income_support", "drug_assistance"])
def test_other_programs_follow_the_first_whole_month(program):
    old, new = household(WAGE), household(income("1333.75", "2025-11-01"))

    result = effective(old, new, ended=ENDED_WAGE, program=program)

    assert result.on == date(2025, 11, 1)
    assert "first whole month" in result.why
