"""Prescription Drug Assistance: a co-pay percentage by income band, modelled on the NLPDP Access Plan.

`evaluate(snapshot, params, determination_date)`:

1. Family type: a family with children (any member under 18 on the determination date, with
   at least one adult), a couple (two adults) or a single person. Other households (three or
   more adults and no children, or children alone) are not a family unit the plan assesses:
   `HouseholdNotAssessableError` asks the worker to assess each family unit separately.
2. Income projected over the next 12 months, starting with the month of the determination
   date: each countable income's monthly figure (exact annualisation: weekly x 52 / 12, every
   two weeks x 26 / 12, twice a month x 2, yearly / 12) for each of those months it runs in,
   ending where its end date says. A month counts if the income runs on any day of it.
3. The band: the first band of the family type whose `up_to` is at or above the projected
   income gives the co-pay. Above the last band the household is not eligible.

The answer is a percentage, not money: it is in `Outcome.copay_percent` (30 means the client
pays 30% of each eligible prescription and the plan pays 70%), and `monthly_amount` is zero, so
nothing downstream can mistake a percentage for dollars.

The ceilings of the shipped bands and the 20%-70% co-pay range are published; the boundaries
between are EXAMPLES (see `data/drug_assistance_nl.json`). Not modelled: the Foundation,
65Plus, Assurance and Select Needs plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from core.money import format_money
from eligibility.rules.parameters import (
    ParameterError,
    ParameterSet,
    ParameterTable,
    PreparedCache,
    check_in_force,
    frequency_factors,
    shipped_table,
    values_in_force,
)
from eligibility.rules.result import Criterion, HouseholdNotAssessableError, Outcome, percent
from eligibility.rules.snapshot import (
    ZERO,
    HouseholdSnapshot,
    add_months,
    check_determination_date,
    month_bounds,
    monthly_figure,
)

PROGRAM = "drug_assistance"
RULE_VERSION = 1  # bump when results change; then `python -m eligibility.tests.golden --update`

REQUIRED = (
    "drug_assistance.copay_bands",
    "drug_assistance.counted_income_kinds",
    "drug_assistance.adult_age",
    "drug_assistance.projection_months",
    "drug_assistance.frequency_factors",
)

FAMILY_TYPES = ("single", "couple", "family_with_children")
_WORDS = {
    "single": "a single person",
    "couple": "a couple without children",
    "family_with_children": "a family with children",
}
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class DrugAssistanceParameters:
    valid_from: date
    valid_until: date | None
    bands: Mapping[str, tuple[tuple[Decimal, Decimal], ...]]  # family type -> ((up_to, co-pay %), ...) ascending
    counted_income_kinds: frozenset[str]
    adult_age: int
    projection_months: int
    frequency_factors: Mapping[str, tuple[Decimal, Decimal]]
    used: Mapping[str, Any]


def prepare(parameter_set: ParameterSet) -> DrugAssistanceParameters:
    values = parameter_set
    raw = values["drug_assistance.copay_bands"]
    bands: dict[str, tuple[tuple[Decimal, Decimal], ...]] = {}
    for family_type in FAMILY_TYPES:
        if family_type not in raw or not raw[family_type]:
            raise ParameterError(f"parameter 'drug_assistance.copay_bands' has no bands for {family_type!r}")
        try:
            rows = tuple((Decimal(row["up_to"]), Decimal(row["copay_percent"])) for row in raw[family_type])
        except KeyError as missing:
            raise ParameterError(f"a {family_type} co-pay band lacks {missing.args[0]!r}") from None
        if list(rows) != sorted(rows):
            raise ParameterError(f"the {family_type} co-pay bands must be in ascending order of income")
        bands[family_type] = rows
    months = int(values["drug_assistance.projection_months"])
    if months < 1:
        raise ParameterError("parameter 'drug_assistance.projection_months' must be at least 1")
    return DrugAssistanceParameters(
        valid_from=parameter_set.valid_from,
        valid_until=parameter_set.valid_until,
        bands=MappingProxyType(bands),
        counted_income_kinds=frozenset(values["drug_assistance.counted_income_kinds"]),
        adult_age=int(values["drug_assistance.adult_age"]),
        projection_months=months,
        frequency_factors=MappingProxyType(
            frequency_factors(values["drug_assistance.frequency_factors"], "drug_assistance.frequency_factors")
        ),
        used=MappingProxyType(parameter_set.used()),
    )


_PREPARED = PreparedCache()


def parameters_on(day: date, table: ParameterTable | None = None) -> DrugAssistanceParameters:
    """The prepared parameters in force on `day` (the shipped table by default), cached."""
    table = shipped_table(PROGRAM) if table is None else table
    return _PREPARED.get(table, day, lambda: prepare(values_in_force(table, day, required=REQUIRED)))


def determine(snapshot: HouseholdSnapshot, determination_date: date, table: ParameterTable | None = None) -> Outcome:
    return evaluate(snapshot, parameters_on(determination_date, table), determination_date)


def family_type(snapshot: HouseholdSnapshot, day: date, adult_age: int) -> str:
    adults = sum(1 for member in snapshot.members if member.age_on(day) >= adult_age)
    children = len(snapshot.members) - adults
    if adults == 0:
        raise HouseholdNotAssessableError(
            f"drug assistance assesses a family through its adults, and nobody in this household is {adult_age} "
            "or older"
        )
    if children:
        return "family_with_children"
    if adults == 1:
        return "single"
    if adults == 2:
        return "couple"
    raise HouseholdNotAssessableError(
        f"drug assistance assesses a single person, a couple or a family with children; this household has "
        f"{adults} adults and no children, so assess each family unit separately"
    )


def projected_income(snapshot: HouseholdSnapshot, params: DrugAssistanceParameters, day: date) -> Decimal:
    """Income over the projection months: each countable income's monthly figure, for each month it runs."""
    months = [month_bounds(*add_months(day.year, day.month, step)) for step in range(params.projection_months)]
    total = ZERO
    factors = params.frequency_factors
    for income in snapshot.incomes:
        if income.kind not in params.counted_income_kinds:
            continue
        start, end = income.start, income.end
        running = sum(1 for first, last, _ in months if start <= last and (end is None or end >= first))
        if running:
            total += monthly_figure(income.amount, factors[income.frequency]) * running
    return total.quantize(CENT, ROUND_HALF_UP)


def _period(day: date, months: int) -> str:
    end_year, end_month = add_months(day.year, day.month, months - 1)
    return f"{date(day.year, day.month, 1):%B %Y} to {date(end_year, end_month, 1):%B %Y}"


def evaluate(snapshot: HouseholdSnapshot, params: DrugAssistanceParameters, determination_date: date) -> Outcome:
    """The co-pay for prescriptions, from the income projected from the determination date."""
    day = check_determination_date(snapshot, determination_date)
    check_in_force(PROGRAM, params.valid_from, params.valid_until, day)
    kind = family_type(snapshot, day, params.adult_age)
    bands = params.bands[kind]
    income = projected_income(snapshot, params, day)
    ceiling = bands[-1][0]
    copay = next((share for up_to, share in bands if income <= up_to), None)
    eligible = copay is not None

    criteria = [
        Criterion(
            "Family type",
            Decimal(len(snapshot.members)),
            None,
            True,
            f"Your household is assessed as {_WORDS[kind]}.",
        ),
        Criterion(
            "Projected income",
            income,
            ceiling,
            eligible,
            f"Your household's income for {_period(day, params.projection_months)} is projected at "
            f"{format_money(income)}, "
            + (
                f"within the {format_money(ceiling)} limit for {_WORDS[kind]}."
                if eligible
                else f"more than the {format_money(ceiling)} limit for {_WORDS[kind]}, so this plan cannot help."
            ),
        ),
    ]
    if eligible:
        criteria.append(
            Criterion(
                "Co-pay",
                copay,
                None,
                True,
                f"At that income you pay {percent(copay)} of the cost of each eligible prescription and the plan "
                "pays the rest.",
            )
        )
    return Outcome(
        program=PROGRAM,
        determination_date=day,
        eligible=eligible,
        monthly_amount=Decimal("0.00"),
        criteria=tuple(criteria),
        parameters_used=params.used,
        copay_percent=copay,
    )
