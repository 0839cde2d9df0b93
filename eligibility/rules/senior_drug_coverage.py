"""Drug coverage for seniors who are landed immigrants, modelled on the NLPDP 65Plus Plan.

The 65Plus Plan covers residents aged 65 and over who receive Old Age Security with the
Guaranteed Income Supplement. A landed immigrant with fewer than ten years in Canada since 18
draws no OAS (Old Age Security Act s. 3(2)), so the officer decides the coverage directly:

1. Age: 65 or older on the determination date.
2. Landed: a permanent resident (landed immigrant) of Canada.
3. Resident of the province with provincial health (MCP) coverage.
4. Old Age Security: fewer than the OAS residence years in Canada since landing; with more,
   the senior applies for OAS and the GIS, and the plan follows from them.
5. Income: the year's income at or under the ceiling for a single senior or a couple.

`evaluate(applicant, params, day)` has no Django in it, like every rule module; its
`Outcome.monthly_amount` is zero, since the answer is coverage, not money.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from core.money import format_money
from eligibility.rules.parameters import (
    ParameterError,
    ParameterSet,
    ParameterTable,
    PreparedCache,
    check_in_force,
    shipped_table,
    values_in_force,
)
from eligibility.rules.result import Criterion, InvalidSnapshotError, Outcome

PROGRAM = "senior_drug_coverage"
RULE_VERSION = 1  # bump when results change

REQUIRED = (
    "senior_drug_coverage.minimum_age",
    "senior_drug_coverage.oas_residence_years",
    "senior_drug_coverage.income_ceilings",
)
HOUSEHOLDS = ("single", "couple")


@dataclass(frozen=True, slots=True)
class SeniorApplicant:
    """What the officer verified: birth, landing, provincial coverage and the year's income."""

    date_of_birth: date
    permanent_resident: bool
    landed_on: date | None
    provincial_coverage: bool
    annual_income: Decimal
    household: str = "single"

    def to_dict(self) -> dict[str, Any]:
        return {
            "date_of_birth": self.date_of_birth.isoformat(),
            "permanent_resident": self.permanent_resident,
            "landed_on": self.landed_on.isoformat() if self.landed_on else None,
            "provincial_coverage": self.provincial_coverage,
            "annual_income": str(self.annual_income),
            "household": self.household,
        }


@dataclass(frozen=True, slots=True)
class SeniorDrugCoverageParameters:
    valid_from: date
    valid_until: date | None
    minimum_age: int
    oas_residence_years: int
    income_ceilings: Mapping[str, Decimal]
    used: Mapping[str, Any]


def prepare(parameter_set: ParameterSet) -> SeniorDrugCoverageParameters:
    ceilings = parameter_set["senior_drug_coverage.income_ceilings"]
    missing = [h for h in HOUSEHOLDS if h not in ceilings]
    if missing:
        raise ParameterError(f"parameter 'senior_drug_coverage.income_ceilings' has no ceiling for {missing}")
    return SeniorDrugCoverageParameters(
        valid_from=parameter_set.valid_from,
        valid_until=parameter_set.valid_until,
        minimum_age=int(parameter_set["senior_drug_coverage.minimum_age"]),
        oas_residence_years=int(parameter_set["senior_drug_coverage.oas_residence_years"]),
        income_ceilings=MappingProxyType({h: Decimal(ceilings[h]) for h in HOUSEHOLDS}),
        used=MappingProxyType(parameter_set.used()),
    )


_PREPARED = PreparedCache()


def parameters_on(day: date, table: ParameterTable | None = None) -> SeniorDrugCoverageParameters:
    table = shipped_table(PROGRAM) if table is None else table
    return _PREPARED.get(table, day, lambda: prepare(values_in_force(table, day, required=REQUIRED)))


def determine(applicant: SeniorApplicant, determination_date: date, table: ParameterTable | None = None) -> Outcome:
    return evaluate(applicant, parameters_on(determination_date, table), determination_date)


def _years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def evaluate(applicant: SeniorApplicant, params: SeniorDrugCoverageParameters, determination_date: date) -> Outcome:
    """Whether the senior is covered, with one line per criterion a client would understand."""
    day = determination_date
    check_in_force(PROGRAM, params.valid_from, params.valid_until, day)
    if applicant.household not in HOUSEHOLDS:
        raise InvalidSnapshotError(f"household must be one of {HOUSEHOLDS}, not {applicant.household!r}")
    if applicant.annual_income < 0:
        raise InvalidSnapshotError("the year's income cannot be negative")
    if applicant.date_of_birth > day:
        raise InvalidSnapshotError("the date of birth is after the determination date")
    if applicant.permanent_resident and (applicant.landed_on is None or applicant.landed_on > day):
        raise InvalidSnapshotError("a permanent resident's landing date is needed, on or before the determination date")

    age = _years_between(applicant.date_of_birth, day)
    old_enough = age >= params.minimum_age
    years_here = _years_between(applicant.landed_on, day) if applicant.landed_on else 0
    no_oas = applicant.permanent_resident and years_here < params.oas_residence_years
    ceiling = params.income_ceilings[applicant.household]
    within = applicant.annual_income <= ceiling
    who = "a single senior" if applicant.household == "single" else "a couple"
    criteria = (
        Criterion(
            "Age",
            Decimal(age),
            Decimal(params.minimum_age),
            old_enough,
            f"You are {age}; the plan covers people {params.minimum_age} and older."
            if old_enough
            else f"You are {age}; the plan covers people {params.minimum_age} and older, so it cannot cover you yet.",
        ),
        Criterion(
            "Landed immigrant",
            None,
            None,
            applicant.permanent_resident,
            "You are a permanent resident of Canada."
            if applicant.permanent_resident
            else "This coverage is for permanent residents (landed immigrants); you have not shown that status.",
        ),
        Criterion(
            "Provincial health coverage",
            None,
            None,
            applicant.provincial_coverage,
            "You live in the province and hold its health coverage."
            if applicant.provincial_coverage
            else "You need the province's health coverage first.",
        ),
        Criterion(
            "Old Age Security",
            Decimal(years_here),
            Decimal(params.oas_residence_years),
            no_oas,
            f"You have lived in Canada {years_here} years since landing, fewer than the "
            f"{params.oas_residence_years} Old Age Security needs, so the department assesses your coverage itself."
            if no_oas
            else f"With {params.oas_residence_years} or more years in Canada you can apply for Old Age Security and "
            "the Guaranteed Income Supplement; the 65Plus Plan follows from them.",
        ),
        Criterion(
            "Income",
            applicant.annual_income,
            ceiling,
            within,
            f"Your income for the year, {format_money(applicant.annual_income)}, is within the "
            f"{format_money(ceiling)} limit for {who}."
            if within
            else f"Your income for the year, {format_money(applicant.annual_income)}, is more than the "
            f"{format_money(ceiling)} limit for {who}.",
        ),
    )
    return Outcome(
        program=PROGRAM,
        determination_date=day,
        eligible=all(line.passed for line in criteria),
        monthly_amount=Decimal("0.00"),
        criteria=criteria,
        parameters_used=params.used,
    )
