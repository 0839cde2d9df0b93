"""SNAP (the Supplemental Nutrition Assistance Program), federal rules for the 48 States and D.C.

`evaluate(snapshot, params, determination_date)` applies 7 CFR part 273 to one household for
the benefit month, the calendar month containing `determination_date`:

1. Income. Each income is turned into a monthly figure: weekly x 4.3, every two weeks x 2.15,
   twice a month x 2, yearly / 12 (7 CFR 273.10(c)(2)(i)). An income (or expense) whose dates
   cover only part of the month counts for the days it covers, as the snapshot has no pay
   dates. Earnings are wages and self-employment income (net of its costs); the rest is
   unearned.
2. Gross income test at 130% of poverty (7 CFR 273.9(a)(1)), not applied when a member is
   elderly (60 or older on the determination date, 7 CFR 271.2) or disabled.
3. Deductions in the order of 7 CFR 273.10(e)(1)(i): 20% of earnings (273.9(d)(2)); the
   standard deduction by household size (273.9(d)(1)); medical costs of elderly or disabled
   members above $35 (273.9(d)(3)); dependent care (273.9(d)(4)); legally owed child support
   paid (273.9(d)(5)); then either the homeless shelter deduction (273.9(d)(6)(i)) or the
   excess shelter deduction: rent or mortgage plus the state's utility allowance for the
   utilities the household pays (273.9(d)(6)(iii); see `utility_allowance`), above half of the
   income left, capped unless a member is elderly or disabled (273.9(d)(6)(ii)). A homeless
   household that also reports shelter costs gets whichever deduction is larger.
4. Net income is rounded to the whole dollar (cents 50-99 up, 1-49 down; 7 CFR
   273.10(e)(1)(ii)(B), exact figures until then) and tested at 100% of poverty (273.9(a)(2)).
5. Countable resources (assets not marked exempt) against the limit, higher when a member is
   elderly or disabled (7 CFR 273.8(b)).
6. Allotment = maximum allotment for the household size minus 30% of net income, the 30%
   rounded up to the next whole dollar (7 CFR 273.10(e)(2)(ii)(A)(1)), so the allotment is in
   whole dollars. Eligible one- and two-person households get at least the minimum benefit,
   except in an initial month (273.10(e)(2)(ii)(C)); larger households with no benefit are
   not eligible.
7. Initial month (the benefit month is the month of the application date): the allotment is
   prorated, allotment x (days from the application date to the end of the month, both
   counted) / (days in the month), rounded down to the whole dollar; under $10, nothing is
   issued for that month (7 CFR 273.10(a)(1)(ii), (e)(2)(iii)).

Broad-based categorical eligibility (a state option, `snap.broad_based_categorical_eligibility`):
a household whose gross income is within the state's limit (a percent of the poverty
guideline, or the 130% limit when the state sets none) is categorically eligible under 7 CFR
273.2(j)(2): it has no net income limit (273.9(a)) and no resource limit (273.2(j)(2), 273.8(a)),
unless the state keeps one; its allotment is still computed from its net income, and a
household of 3 or more with no benefit is not eligible. A household above that limit is
assessed under the rules above; an elderly or disabled household keeps its exemption from the
gross test and its higher resource limit.

Members. A member is elderly or disabled as 7 CFR 271.2 says: 60 or older, or receiving one of the
disability or blindness benefits it lists (the snapshot's `disabled` or `blind`). An ineligible
student (7 CFR 273.5(a): 18 to 49, enrolled at least half time in higher education, no exemption
of 273.5(b); a disabled or blind member counts as unfit for work, (b)(2)) is not a household
member (7 CFR 273.1(b)(7)): not counted in the household's size, and their income, expenses and
resources are not the household's (7 CFR 273.11(d), https://www.ecfr.gov/current/title-7/section-273.11);
money they give the household is its income and is recorded as a member's income. Of a shared
cost only the household's part is deducted: an expense recorded against the student is left out,
one recorded against nobody is taken as the household's own (record the student's share apart).

Not modelled: categorical eligibility through SSI or TANF cash assistance, ineligible or
disqualified members other than students, self-employment cost rules, state standard medical
deductions, actual utility costs instead of a standard, the SUA for a household that gets
energy assistance (LIHEAP) without paying for heating itself, a state with no limited allowance,
and the 30-day-month proration option. The rules assume every member is an eligible member of one
SNAP household.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from core.money import format_money
from eligibility.rules.parameters import (
    ParameterError,
    ParameterSet,
    ParameterTable,
    PreparedCache,
    by_size,
    check_in_force,
    frequency_factors,
    shipped_table,
    size_table,
    values_in_force,
)
from eligibility.rules.result import Criterion, InvalidSnapshotError, MissingParameterError, Outcome, percent
from eligibility.rules.snapshot import (
    EARNED_KINDS,
    UTILITY_KINDS,
    ZERO,
    HouseholdSnapshot,
    check_determination_date,
    days_covered,
    month_bounds,
    monthly_figure,
)

PROGRAM = "snap"
RULE_VERSION = 2  # bump when results change; then `python -m eligibility.tests.golden --update`

REQUIRED = (
    "snap.gross_income_limit",
    "snap.net_income_limit",
    "snap.maximum_allotment",
    "snap.minimum_benefit",
    "snap.standard_deduction",
    "snap.excess_shelter_cap",
    "snap.asset_limit",
    "snap.asset_limit_elderly_disabled",
    "snap.earned_income_deduction_percent",
    "snap.benefit_reduction_percent",
    "snap.medical_expense_disregard",
    "snap.shelter_income_share_percent",
    "snap.elderly_age",
    "snap.initial_month_minimum_issuance",
    "snap.frequency_factors",
)
SUA = "snap.standard_utility_allowance"
LUA = "snap.limited_utility_allowance"
TUA = "snap.telephone_utility_allowance"
INDIVIDUAL = "snap.individual_utility_allowances"
BBCE = "snap.broad_based_categorical_eligibility"
POVERTY = "snap.poverty_guidelines"
#: Used only when a household needs them (the utility allowances, the homeless deduction), or
#: state options that are off when absent (broad-based categorical eligibility).
OPTIONAL = (SUA, LUA, TUA, INDIVIDUAL, "snap.homeless_shelter_deduction", BBCE, POVERTY)
UTILITY_ALLOWANCES = (SUA, LUA, TUA, INDIVIDUAL)

#: Utilities that bring the standard utility allowance (7 CFR 273.9(d)(6)(iii)): heating or
#: cooling, and rows recorded before utilities were kept by kind, which always had it.
HEATING_KINDS = frozenset({"heating_cooling", "utilities"})
#: Utilities a state may have an individual standard for (the telephone has its own parameter).
INDIVIDUAL_KINDS = frozenset({"electricity", "gas_fuel", "water", "sewer", "trash"})
UTILITY_NAMES = MappingProxyType(
    {
        "heating_cooling": "heating or cooling",
        "utilities": "utilities including heating or cooling",
        "electricity": "electricity",
        "gas_fuel": "gas or other fuel",
        "water": "water",
        "sewer": "sewer",
        "trash": "trash collection",
        "telephone": "telephone",
    }
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class SnapParameters:
    """The SNAP parameters in force over a span of dates, ready for the rule (nothing left to parse)."""

    valid_from: date
    valid_until: date | None
    gross_limit: tuple[tuple[Decimal, ...], Decimal]
    net_limit: tuple[tuple[Decimal, ...], Decimal]
    maximum_allotment: tuple[tuple[Decimal, ...], Decimal]
    minimum_benefit: Decimal
    standard_deduction: tuple[Decimal, ...]  # index = household size, 6 = 6 or more
    excess_shelter_cap: Decimal
    asset_limit: Decimal
    asset_limit_elderly_disabled: Decimal
    earned_income_rate: Decimal
    earned_income_percent: Decimal
    benefit_reduction_rate: Decimal
    benefit_reduction_percent: Decimal
    medical_expense_disregard: Decimal
    shelter_income_share: Decimal
    elderly_age: int
    initial_month_minimum_issuance: Decimal
    frequency_factors: Mapping[str, tuple[Decimal, Decimal]]
    standard_utility_allowance: Decimal | None
    limited_utility_allowance: Decimal | None
    telephone_utility_allowance: Decimal | None
    individual_utility_allowances: Mapping[str, Decimal] | None
    missing_details: Mapping[str, str]  # why each utility allowance has no value, for the error
    homeless_shelter_deduction: Decimal | None
    bbce: BroadBasedCategoricalEligibility | None
    used: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class BroadBasedCategoricalEligibility:
    """A state's broad-based categorical eligibility, 7 CFR 273.2(j)(2)(ii).

    `gross_limit`: the monthly gross income limit by household size (None: the regular 130%
    limit); `gross_percent`: that limit as a percent of the poverty guideline, for the
    explanation; `asset_limit`: None when the state applies no resource test.
    """

    gross_limit: tuple[tuple[Decimal, ...], Decimal] | None
    gross_percent: Decimal | None
    asset_limit: Decimal | None


def _missing_detail(parameter_set: ParameterSet, name: str) -> str:
    entry = parameter_set.entries.get(name)
    if entry is None:
        return "no value is in force on that date"
    return f"{entry.note or 'it has no value'} (effective {entry.effective_from.isoformat()})"


def _individual_allowances(value: Any) -> Mapping[str, Decimal] | None:
    if value is None:
        return None
    unknown = set(value) - INDIVIDUAL_KINDS
    if unknown:
        raise ParameterError(
            f"parameter {INDIVIDUAL!r} names utilities it cannot hold: {sorted(unknown)}; "
            f"expected some of {sorted(INDIVIDUAL_KINDS)}"
        )
    return MappingProxyType({kind: Decimal(amount) for kind, amount in value.items()})


def poverty_share_table(guideline: Mapping[str, Decimal], percent: Decimal) -> tuple[tuple[Decimal, ...], Decimal]:
    """Monthly limits at `percent` of the yearly poverty guideline, by household size.

    7 CFR 273.9(a)(3): the guideline times the percent, divided by 12, rounded up to the dollar,
    the method of the federal 130% and 100% tables (a test checks it gives them).
    """
    try:
        first = Decimal(guideline["first_person"])
        each = Decimal(guideline["each_additional"])
    except KeyError as missing:
        raise ParameterError(f"parameter {POVERTY!r} lacks the entry {missing.args[0]!r}") from None

    def monthly(annual: Decimal) -> Decimal:
        return (annual * percent / HUNDRED / 12).quantize(ONE, ROUND_CEILING)

    by_size = (ZERO, *(monthly(first + each * (size - 1)) for size in range(1, 9)))
    return by_size, monthly(each)


def _bbce(parameter_set: ParameterSet) -> BroadBasedCategoricalEligibility | None:
    value = parameter_set.get(BBCE)
    if value is None or not value.get("active", False):
        return None
    percent = value.get("gross_income_percent_of_poverty")
    limit = None if percent is None else poverty_share_table(parameter_set[POVERTY], Decimal(percent))
    asset_limit = value.get("asset_limit")
    return BroadBasedCategoricalEligibility(
        gross_limit=limit,
        gross_percent=None if percent is None else Decimal(percent),
        asset_limit=None if asset_limit is None else Decimal(asset_limit),
    )


def prepare(parameter_set: ParameterSet) -> SnapParameters:
    """Read a ParameterSet once into the immutable object `evaluate` takes."""
    values = parameter_set
    standard = values["snap.standard_deduction"]
    try:
        standard_by_size = (ZERO, *(Decimal(standard[str(size)]) for size in range(1, 6)), standard["6_or_more"])
    except KeyError as missing:
        raise MissingParameterError(
            "snap.standard_deduction", parameter_set.day, f"it lacks the entry {missing.args[0]!r}"
        ) from None
    earned_percent = values["snap.earned_income_deduction_percent"]
    reduction_percent = values["snap.benefit_reduction_percent"]
    return SnapParameters(
        valid_from=parameter_set.valid_from,
        valid_until=parameter_set.valid_until,
        gross_limit=size_table(values["snap.gross_income_limit"], "snap.gross_income_limit"),
        net_limit=size_table(values["snap.net_income_limit"], "snap.net_income_limit"),
        maximum_allotment=size_table(values["snap.maximum_allotment"], "snap.maximum_allotment"),
        minimum_benefit=values["snap.minimum_benefit"],
        standard_deduction=standard_by_size,
        excess_shelter_cap=values["snap.excess_shelter_cap"],
        asset_limit=values["snap.asset_limit"],
        asset_limit_elderly_disabled=values["snap.asset_limit_elderly_disabled"],
        earned_income_rate=earned_percent / HUNDRED,
        earned_income_percent=earned_percent,
        benefit_reduction_rate=reduction_percent / HUNDRED,
        benefit_reduction_percent=reduction_percent,
        medical_expense_disregard=values["snap.medical_expense_disregard"],
        shelter_income_share=values["snap.shelter_income_share_percent"] / HUNDRED,
        elderly_age=int(values["snap.elderly_age"]),
        initial_month_minimum_issuance=values["snap.initial_month_minimum_issuance"],
        frequency_factors=MappingProxyType(
            frequency_factors(values["snap.frequency_factors"], "snap.frequency_factors")
        ),
        standard_utility_allowance=values.get(SUA),
        limited_utility_allowance=values.get(LUA),
        telephone_utility_allowance=values.get(TUA),
        individual_utility_allowances=_individual_allowances(values.get(INDIVIDUAL)),
        missing_details=MappingProxyType({name: _missing_detail(values, name) for name in UTILITY_ALLOWANCES}),
        homeless_shelter_deduction=values.get("snap.homeless_shelter_deduction"),
        bbce=_bbce(values),
        used=MappingProxyType(parameter_set.used()),
    )


_PREPARED = PreparedCache()


def parameters_on(day: date, table: ParameterTable | None = None) -> SnapParameters:
    """The prepared parameters in force on `day` (the shipped table by default), cached."""
    table = shipped_table(PROGRAM) if table is None else table
    return _PREPARED.get(table, day, lambda: prepare(values_in_force(table, day, required=REQUIRED, optional=OPTIONAL)))


def determine(snapshot: HouseholdSnapshot, determination_date: date, table: ParameterTable | None = None) -> Outcome:
    """`evaluate` with the parameters in force on the determination date."""
    return evaluate(snapshot, parameters_on(determination_date, table), determination_date)


@dataclass(frozen=True, slots=True)
class UtilityAllowance:
    """The utility standard a household gets: its amount, its name, and why (one sentence)."""

    amount: Decimal
    name: str
    reason: str


_UTILITY_ORDER = {kind: index for index, kind in enumerate(UTILITY_NAMES)}


def _utility_list(kinds: frozenset[str]) -> str:
    names = [UTILITY_NAMES[kind] for kind in sorted(kinds, key=_UTILITY_ORDER.__getitem__)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _allowance(params: SnapParameters, name: str, value: Decimal | None, day: date) -> Decimal:
    if value is None:
        raise MissingParameterError(name, day, params.missing_details[name])
    return value


def utility_allowance(kinds: frozenset[str], params: SnapParameters, day: date) -> UtilityAllowance | None:
    """The utility standard for a household paying the utilities `kinds`, 7 CFR 273.9(d)(6)(iii).

    Heating or cooling: the standard utility allowance (SUA). Otherwise two or more utilities
    (electricity, gas or fuel, water, sewer, trash collection, telephone): the limited utility
    allowance (LUA). Otherwise the one utility's own standard: the telephone standard, or the
    state's individual standard for that utility; a state with none for it gives nothing. None
    when the household pays no utilities. A standard the household needs but the state has not
    set raises MissingParameterError.
    """
    if not kinds:
        return None
    paid = _utility_list(kinds)
    if kinds & HEATING_KINDS:
        amount = _allowance(params, SUA, params.standard_utility_allowance, day)
        return UtilityAllowance(
            amount,
            "standard utility allowance",
            f"Your household pays for {paid}; because that includes heating or cooling, the standard utility "
            f"allowance of {format_money(amount)} is counted instead of the bills.",
        )
    if len(kinds) >= 2:
        amount = _allowance(params, LUA, params.limited_utility_allowance, day)
        return UtilityAllowance(
            amount,
            "limited utility allowance",
            f"Your household pays for {paid}: two or more utilities but not heating or cooling, so the limited "
            f"utility allowance of {format_money(amount)} is counted instead of the bills.",
        )
    (kind,) = kinds
    if kind == "telephone":
        amount = _allowance(params, TUA, params.telephone_utility_allowance, day)
        return UtilityAllowance(
            amount,
            "telephone allowance",
            f"Your household pays for a telephone and no other utility, so the telephone allowance of "
            f"{format_money(amount)} is counted instead of the bill.",
        )
    standards = params.individual_utility_allowances
    if standards is None:
        raise MissingParameterError(INDIVIDUAL, day, params.missing_details[INDIVIDUAL])
    amount = standards.get(kind)
    if amount is None:
        return UtilityAllowance(
            ZERO,
            "utility allowance",
            f"Your household pays for {paid} and no other utility; the state has no allowance for {paid} alone, "
            "so no utility allowance is counted.",
        )
    return UtilityAllowance(
        amount,
        f"{paid} allowance",
        f"Your household pays for {paid} and no other utility, so the state's {paid} allowance of "
        f"{format_money(amount)} is counted instead of the bill.",
    )


def _people(size: int) -> str:
    return "1 person" if size == 1 else f"{size} people"


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


#: 7 CFR 273.5(b)(1): a student under 18 or 50 or older is exempt.
STUDENT_AGES = range(18, 50)


def ineligible_students(snapshot: HouseholdSnapshot, day: date) -> frozenset[str]:
    """Ids of the members who are ineligible students on `day` (7 CFR 273.5): enrolled at least half
    time in higher education with no exemption recorded, aged 18 to 49, and not disabled or blind
    (a person receiving a disability benefit is taken as unfit for work, 273.5(b)(2))."""
    return frozenset(
        m.id for m in snapshot.members if m.student and not m.disabled and not m.blind and m.age_on(day) in STUDENT_AGES
    )


def _students_criterion(excluded: int, counted: int) -> Criterion:
    who = "1 person is" if excluded == 1 else f"{excluded} people are"
    return Criterion(
        "Household members",
        Decimal(counted),
        None,
        counted > 0,
        f"{who} not counted in the household: a student aged 18 to 49 enrolled at least half time in college or "
        "other higher education, who meets none of the student exemptions, cannot get SNAP; their income and "
        "resources are not counted, but money they give the household is"
        + (f". {_people(counted)} counted." if counted else ", and no one else is left in the household."),
    )


@dataclass(frozen=True, slots=True)
class _Month:
    """The household as SNAP counts it for the benefit month: its members (ineligible students
    left out), who among them is elderly or disabled, and the month's bounds."""

    day: date
    first: date
    last: date
    days_in_month: int
    students: frozenset[str]
    members: tuple
    special: frozenset

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def elderly_or_disabled(self) -> bool:
        return bool(self.special)

    def counts(self, member_id) -> bool:
        """Whether a row recorded against `member_id` is the household's (not an ineligible student's)."""
        return not (self.students and member_id in self.students)

    def monthly(self, amount: Decimal, frequency: str, start: date, end: date | None, params: SnapParameters):
        """The row's monthly figure for the days of the month it covers (None when it covers none)."""
        covered = days_covered(start, end, self.first, self.last)
        if not covered:
            return None
        figure = monthly_figure(amount, params.frequency_factors[frequency])
        if covered != self.days_in_month:
            figure = figure * covered / self.days_in_month
        return figure


@dataclass(slots=True)
class _Costs:
    """The month's expenses as SNAP deducts them."""

    shelter: Decimal = ZERO
    dependent_care: Decimal = ZERO
    child_support: Decimal = ZERO
    medical: Decimal = ZERO
    utilities_paid: set[str] | None = None


def evaluate(snapshot: HouseholdSnapshot, params: SnapParameters, determination_date: date) -> Outcome:
    """SNAP eligibility and allotment for the month of `determination_date`, in the numbered steps
    of the module docstring."""
    day = check_determination_date(snapshot, determination_date)
    check_in_force(PROGRAM, params.valid_from, params.valid_until, day)
    criteria: list[Criterion] = []
    month = _household(snapshot, params, day, criteria)
    if month.students and not month.members:
        return _outcome(day, params, eligible=False, amount=ZERO, criteria=criteria)
    earned, unearned = _step1_income(snapshot, params, month)
    costs = _step1_expenses(snapshot, params, month)
    gross_ok, categorical = _step2_gross_test(params, month, earned + unearned, criteria)
    adjusted = _step3_deductions(params, month, earned, unearned, costs, criteria)
    shelter_deduction = _step3_shelter(snapshot, params, month, adjusted, costs, criteria)
    net, net_ok = _step4_net_test(params, month, adjusted - shelter_deduction, categorical, criteria)
    assets_ok = _step5_resources(snapshot, params, month, categorical, criteria)
    eligible, amount, full = _step6_allotment(params, month, net, gross_ok and net_ok and assets_ok, snapshot, criteria)
    if eligible and _initial_month(snapshot, day):
        amount = _step7_initial_month(snapshot, params, month, full, amount, criteria)
    return _outcome(day, params, eligible=eligible, amount=amount, criteria=criteria)


def _outcome(day: date, params: SnapParameters, *, eligible: bool, amount: Decimal, criteria: list) -> Outcome:
    return Outcome(
        program=PROGRAM,
        determination_date=day,
        eligible=eligible,
        monthly_amount=amount.quantize(CENT),
        criteria=tuple(criteria),
        parameters_used=params.used,
    )


def _initial_month(snapshot: HouseholdSnapshot, day: date) -> bool:
    return snapshot.application_date.year == day.year and snapshot.application_date.month == day.month


def _household(snapshot: HouseholdSnapshot, params: SnapParameters, day: date, criteria: list) -> _Month:
    """Who is in the household this month: ineligible students are not (7 CFR 273.1(b)(7))."""
    first, last, days_in_month = month_bounds(day.year, day.month)
    students = ineligible_students(snapshot, day)
    members = tuple(m for m in snapshot.members if m.id not in students) if students else snapshot.members
    if students:
        criteria.append(_students_criterion(len(students), len(members)))
    elderly_age = params.elderly_age
    special = frozenset(m.id for m in members if m.disabled or m.blind or m.age_on(day) >= elderly_age)
    return _Month(day, first, last, days_in_month, students, members, special)


def _step1_income(snapshot: HouseholdSnapshot, params: SnapParameters, month: _Month) -> tuple[Decimal, Decimal]:
    """1. Each income as a monthly figure, for the days of the month it covers: earned, unearned."""
    earned = unearned = ZERO
    for income in snapshot.incomes:
        if not month.counts(income.member_id):
            continue
        amount = month.monthly(income.amount, income.frequency, income.start, income.end, params)
        if amount is None:
            continue
        if income.kind in EARNED_KINDS:
            earned += amount
        else:
            unearned += amount
    return earned, unearned


def _step1_expenses(snapshot: HouseholdSnapshot, params: SnapParameters, month: _Month) -> _Costs:
    """The month's expenses by what SNAP deducts them as; medical costs only of elderly or disabled members."""
    costs = _Costs(utilities_paid=set())
    for expense in snapshot.expenses:
        kind = expense.kind
        if kind == "other" or not month.counts(expense.member_id):
            continue
        amount = month.monthly(expense.amount, expense.frequency, expense.start, expense.end, params)
        if amount is None:
            continue
        if kind == "rent" or kind == "mortgage":
            costs.shelter += amount
        elif kind in UTILITY_KINDS:
            costs.utilities_paid.add(kind)
        elif kind == "dependent_care":
            costs.dependent_care += amount
        elif kind == "child_support_paid":
            costs.child_support += amount
        elif kind == "medical":
            whose = expense.member_id
            if whose is None:
                if month.special and len(month.special) != month.size:
                    raise InvalidSnapshotError(
                        "a medical expense has no member_id; SNAP deducts only the medical costs of members "
                        "who are 60 or older or disabled, so say whose expense it is"
                    )
                if month.special:
                    costs.medical += amount
            elif whose in month.special:
                costs.medical += amount
    return costs


def _step2_gross_test(params: SnapParameters, month: _Month, income: Decimal, criteria: list) -> tuple[bool, bool]:
    """2. Gross income test, 7 CFR 273.9(a)(1); broad-based categorical eligibility, 273.2(j)(2).

    Returns whether the household passes, and whether it is categorically eligible.
    """
    size = month.size
    gross = income.quantize(CENT, ROUND_HALF_UP)
    bbce = params.bbce
    bbce_limit = None
    if bbce is not None:
        bbce_limit = by_size(bbce.gross_limit if bbce.gross_limit is not None else params.gross_limit, size)
    categorical = bbce_limit is not None and gross <= bbce_limit
    if categorical:
        gross_ok = True
        share = f" ({percent(bbce.gross_percent)} of the poverty guideline)" if bbce.gross_percent is not None else ""
        criteria.append(
            Criterion(
                "Gross monthly income",
                gross,
                bbce_limit,
                True,
                f"Your household's income before deductions is {format_money(gross)} a month, within the "
                f"{format_money(bbce_limit)} limit{share} for {_people(size)} under the state's broad-based "
                "categorical eligibility, so the household is categorically eligible: no net income limit"
                + (" and no resource limit apply." if bbce.asset_limit is None else " applies."),
            )
        )
    elif month.elderly_or_disabled:
        gross_ok = True
        criteria.append(
            Criterion(
                "Gross monthly income",
                gross,
                None,
                True,
                f"Your household's income before deductions is {format_money(gross)} a month; the gross income limit "
                "does not apply because someone in your household is 60 or older or has a disability"
                + (
                    f". It is more than the {format_money(bbce_limit)} limit of the state's broad-based categorical "
                    "eligibility, so the net income and resource limits apply."
                    if bbce_limit is not None
                    else "."
                ),
            )
        )
    else:
        gross_limit = by_size(params.gross_limit, size)
        if bbce_limit is not None and bbce_limit > gross_limit:
            gross_limit = bbce_limit
        gross_ok = gross <= gross_limit
        criteria.append(
            Criterion(
                "Gross monthly income",
                gross,
                gross_limit,
                gross_ok,
                f"Your household's income before deductions is {format_money(gross)} a month, "
                + (
                    f"within the {format_money(gross_limit)} limit for {_people(size)}."
                    if gross_ok
                    else f"more than the {format_money(gross_limit)} limit for {_people(size)}, so the household "
                    "cannot get SNAP."
                ),
            )
        )
    return gross_ok, categorical


def _step3_deductions(
    params: SnapParameters, month: _Month, earned: Decimal, unearned: Decimal, costs: _Costs, criteria: list
) -> Decimal:
    """3. Deductions before shelter, 7 CFR 273.10(e)(1)(i)(B)-(F): the income they leave (never below zero)."""
    size = month.size
    earned_deduction = earned * params.earned_income_rate
    if earned:
        criteria.append(
            Criterion(
                "Earned income deduction",
                earned_deduction.quantize(CENT, ROUND_HALF_UP),
                None,
                True,
                f"{percent(params.earned_income_percent)} of your household's earnings "
                f"({format_money(earned.quantize(CENT, ROUND_HALF_UP))}) is not counted: "
                f"{format_money(earned_deduction.quantize(CENT, ROUND_HALF_UP))}.",
            )
        )
    standard = params.standard_deduction[size if size < 6 else 6]
    criteria.append(
        Criterion(
            "Standard deduction",
            standard,
            None,
            True,
            f"Every household of {_people(size)} gets a standard deduction of {format_money(standard)}.",
        )
    )
    medical, dependent_care, child_support = costs.medical, costs.dependent_care, costs.child_support
    medical_deduction = ZERO
    if medical:
        medical_deduction = max(ZERO, medical - params.medical_expense_disregard)
        criteria.append(
            Criterion(
                "Medical deduction",
                medical_deduction.quantize(CENT, ROUND_HALF_UP),
                None,
                True,
                f"Medical costs of members who are 60 or older or disabled come to "
                f"{format_money(medical.quantize(CENT, ROUND_HALF_UP))}; the part above "
                f"{format_money(params.medical_expense_disregard)} is deducted: "
                f"{format_money(medical_deduction.quantize(CENT, ROUND_HALF_UP))}.",
            )
        )
    if dependent_care:
        criteria.append(
            Criterion(
                "Dependent care deduction",
                dependent_care.quantize(CENT, ROUND_HALF_UP),
                None,
                True,
                f"What your household pays for the care of children or other dependents so that someone can "
                f"work, look for work or train is deducted: "
                f"{format_money(dependent_care.quantize(CENT, ROUND_HALF_UP))}.",
            )
        )
    if child_support:
        criteria.append(
            Criterion(
                "Child support deduction",
                child_support.quantize(CENT, ROUND_HALF_UP),
                None,
                True,
                f"Legally owed child support your household pays is deducted: "
                f"{format_money(child_support.quantize(CENT, ROUND_HALF_UP))}.",
            )
        )
    adjusted = earned + unearned - earned_deduction - standard - medical_deduction - dependent_care - child_support
    if adjusted < 0:
        adjusted = ZERO
    return adjusted


def _step3_shelter(
    snapshot: HouseholdSnapshot, params: SnapParameters, month: _Month, adjusted: Decimal, costs: _Costs, criteria: list
) -> Decimal:
    """3 (end). Shelter, 7 CFR 273.9(d)(6): the homeless deduction, or costs above half of the adjusted income."""
    elderly_or_disabled = month.elderly_or_disabled
    shelter_costs = costs.shelter
    utility = utility_allowance(frozenset(costs.utilities_paid), params, month.day)
    if utility is not None:
        shelter_costs += utility.amount
    half_income = adjusted * params.shelter_income_share
    excess = shelter_costs - half_income if shelter_costs > half_income else ZERO
    capped = not elderly_or_disabled and excess > params.excess_shelter_cap
    shelter_deduction = params.excess_shelter_cap if capped else excess
    homeless_deduction = params.homeless_shelter_deduction
    if (
        snapshot.homeless
        and not snapshot.receives_free_shelter
        and homeless_deduction is not None
        and homeless_deduction >= shelter_deduction
    ):
        shelter_deduction = homeless_deduction
        criteria.append(
            Criterion(
                "Homeless shelter deduction",
                homeless_deduction,
                None,
                True,
                f"Because your household is homeless and pays something for shelter, "
                f"{format_money(homeless_deduction)} is deducted for shelter costs.",
            )
        )
    elif shelter_costs or utility is not None:
        if utility is not None:
            criteria.append(Criterion("Utility allowance", utility.amount, None, True, utility.reason))
        total = shelter_costs.quantize(CENT, ROUND_HALF_UP)
        utilities = ""
        if utility is not None and utility.amount:
            utilities = f" (with the {utility.name} of {format_money(utility.amount)})"
        if capped:
            rest = f"; the deduction is capped at {format_money(params.excess_shelter_cap)}."
        elif elderly_or_disabled and excess > params.excess_shelter_cap:
            rest = (
                ", deducted in full with no cap because someone in your household is 60 or older or has a disability."
            )
        else:
            rest = ", which is deducted."
        criteria.append(
            Criterion(
                "Excess shelter deduction",
                shelter_deduction.quantize(CENT, ROUND_HALF_UP),
                None if elderly_or_disabled else params.excess_shelter_cap,
                True,
                f"Your shelter costs are {format_money(total)}{utilities}; the part above half of your income after "
                f"the other deductions ({format_money(half_income.quantize(CENT, ROUND_HALF_UP))}) is "
                f"{format_money(excess.quantize(CENT, ROUND_HALF_UP))}{rest}",
            )
        )
    return shelter_deduction


def _step4_net_test(
    params: SnapParameters, month: _Month, net_exact: Decimal, categorical: bool, criteria: list
) -> tuple[Decimal, bool]:
    """4. Net income test, 7 CFR 273.9(a)(2); rounding, 7 CFR 273.10(e)(1)(ii)(B). Returns the net income and
    whether the household passes."""
    size = month.size
    net = net_exact.quantize(ONE, ROUND_HALF_UP) if net_exact > 0 else ZERO
    if categorical:
        # 7 CFR 273.9(a): a categorically eligible household need not meet the net income standard.
        criteria.append(
            Criterion(
                "Net monthly income",
                net,
                None,
                True,
                f"Your household's income after deductions is {format_money(net)} a month; no net income limit "
                "applies because the household is categorically eligible. The benefit is worked out from this income.",
            )
        )
        return net, True
    net_limit = by_size(params.net_limit, size)
    net_ok = net <= net_limit
    criteria.append(
        Criterion(
            "Net monthly income",
            net,
            net_limit,
            net_ok,
            f"Your household's income after deductions is {format_money(net)} a month, "
            + (
                f"within the {format_money(net_limit)} limit for {_people(size)}."
                if net_ok
                else f"more than the {format_money(net_limit)} limit for {_people(size)}, "
                "so the household cannot get SNAP."
            ),
        )
    )
    return net, net_ok


def _step5_resources(
    snapshot: HouseholdSnapshot, params: SnapParameters, month: _Month, categorical: bool, criteria: list
) -> bool:
    """5. Resources, 7 CFR 273.8(b): whether the household's countable resources are within its limit."""
    countable = ZERO
    for asset in snapshot.assets:
        if not asset.exempt and month.counts(asset.member_id):
            countable += asset.value
    bbce = params.bbce
    if categorical and bbce.asset_limit is None:
        # 7 CFR 273.2(j)(2): a categorically eligible household's resources are not tested.
        criteria.append(
            Criterion(
                "Resources",
                countable,
                None,
                True,
                f"Your household's countable money and property are worth {format_money(countable)}; no resource "
                "limit applies because the household is categorically eligible.",
            )
        )
        return True
    if categorical:
        asset_limit = bbce.asset_limit
        whose = " of the state's broad-based categorical eligibility"
    elif month.elderly_or_disabled:
        asset_limit = params.asset_limit_elderly_disabled
        whose = " for households with someone 60 or older or disabled"
    else:
        asset_limit = params.asset_limit
        whose = ""
    assets_ok = countable <= asset_limit
    criteria.append(
        Criterion(
            "Resources",
            countable,
            asset_limit,
            assets_ok,
            f"Your household's countable money and property are worth {format_money(countable)}, "
            + ("within" if assets_ok else "more than")
            + f" the {format_money(asset_limit)} limit{whose}"
            + ("." if assets_ok else ", so the household cannot get SNAP."),
        )
    )
    return assets_ok


def _step6_allotment(
    params: SnapParameters, month: _Month, net: Decimal, tests_ok: bool, snapshot: HouseholdSnapshot, criteria: list
) -> tuple[bool, Decimal, Decimal]:
    """6. Allotment, 7 CFR 273.10(e)(2)(ii)(A), with the minimum benefit of (C) outside an initial month.

    Returns whether the household is eligible, the amount, and the full month's allotment.
    """
    size = month.size
    maximum = by_size(params.maximum_allotment, size)
    contribution = (net * params.benefit_reduction_rate).quantize(ONE, ROUND_CEILING)
    full = maximum - contribution if maximum > contribution else ZERO
    if not tests_ok:
        criteria.append(
            Criterion(
                "Monthly benefit",
                ZERO,
                maximum,
                False,
                "No benefit can be paid because the household does not meet the rules above.",
            )
        )
        return False, ZERO, full
    eligible = full > 0 or size <= 2
    criteria.append(
        Criterion(
            "Monthly benefit",
            full,
            maximum,
            eligible,
            f"The most a household of {_people(size)} can get is {format_money(maximum)}; "
            f"{percent(params.benefit_reduction_percent)} of your income after deductions "
            f"({format_money(contribution)}) is subtracted, which leaves {format_money(full)}"
            + ("." if eligible else "; a household of 3 or more people with no benefit is not eligible."),
        )
    )
    amount = full
    if eligible and size <= 2 and not _initial_month(snapshot, month.day) and full < params.minimum_benefit:
        amount = params.minimum_benefit
        criteria.append(
            Criterion(
                "Minimum benefit",
                amount,
                None,
                True,
                f"Eligible households of one or two people get at least {format_money(amount)} a month.",
            )
        )
    return eligible, amount, full


def _step7_initial_month(
    snapshot: HouseholdSnapshot, params: SnapParameters, month: _Month, full: Decimal, amount: Decimal, criteria: list
) -> Decimal:
    """7. Initial month, 7 CFR 273.10(a)(1)(ii), (e)(2)(iii): the allotment prorated from the application date."""
    days_in_month = month.days_in_month
    application = snapshot.application_date
    days = days_in_month - application.day + 1
    if days == days_in_month:
        sentence = (
            f"You applied on {_long_date(application)}, the first day of the month, so this first month "
            f"is paid in full: {format_money(amount)}."
        )
    else:
        amount = (full * days / days_in_month).quantize(ONE, ROUND_FLOOR)
        sentence = (
            f"You applied on {_long_date(application)}, so this first month is paid for {days} of its "
            f"{days_in_month} days: {format_money(amount)}"
        )
        if amount < params.initial_month_minimum_issuance:
            amount = ZERO
            sentence += (
                f", which is less than {format_money(params.initial_month_minimum_issuance)}, so nothing is "
                "issued for this first month; full benefits start next month."
            )
        else:
            sentence += "."
    criteria.append(Criterion("First month", amount, full, amount > 0, sentence))
    return amount
