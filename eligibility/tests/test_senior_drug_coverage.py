"""65+ drug coverage for a landed immigrant without Old Age Security: each criterion decides, and says why."""

from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import senior_drug_coverage as rule
from eligibility.rules.result import InvalidSnapshotError, MissingParameterError

DAY = date(2026, 3, 2)


def applicant(**changes) -> rule.SeniorApplicant:
    values = {
        "date_of_birth": date(1958, 6, 1),
        "permanent_resident": True,
        "landed_on": date(2021, 9, 1),
        "provincial_coverage": True,
        "annual_income": Decimal("14200.00"),
        "household": "single",
    }
    return rule.SeniorApplicant(**{**values, **changes})


def failed(outcome) -> list[str]:
    return [line.name for line in outcome.criteria if not line.passed]


def test_a_landed_senior_within_the_income_limit_is_covered():
    outcome = rule.determine(applicant(), DAY)
    assert outcome.eligible and outcome.monthly_amount == Decimal("0.00")
    assert outcome.parameters_used["senior_drug_coverage.minimum_age"]["effective_from"] == "2023-01-01"


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"date_of_birth": date(1961, 3, 3)}, ["Age"]),  # 64 the day before the 65th birthday
        ({"permanent_resident": False, "landed_on": None}, ["Landed immigrant", "Old Age Security"]),
        ({"provincial_coverage": False}, ["Provincial health coverage"]),
        ({"landed_on": date(2016, 3, 2)}, ["Old Age Security"]),  # ten years to the day
        ({"annual_income": Decimal("22056.01")}, ["Income"]),
        ({"annual_income": Decimal("29136.00"), "household": "couple"}, []),
    ],
)
def test_each_criterion_decides(changes, failing):
    assert failed(rule.determine(applicant(**changes), DAY)) == failing


def test_the_income_line_names_the_figure_and_the_limit():
    line = rule.determine(applicant(annual_income=Decimal("23000")), DAY).criterion("Income")
    assert line.explanation == (
        "Your income for the year, $23,000.00, is more than the $22,056.00 limit for a single senior."
    )


def test_a_landing_after_the_determination_date_is_refused():
    with pytest.raises(InvalidSnapshotError, match="landing date"):
        rule.determine(applicant(landed_on=date(2026, 4, 1)), DAY)


def test_no_income_ceiling_before_its_effective_date():
    with pytest.raises(MissingParameterError, match="income_ceilings"):
        rule.determine(applicant(), date(2025, 6, 30))
