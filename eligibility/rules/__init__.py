"""Rules as code: plain functions of a household snapshot and dated parameters. No Django here.

    from eligibility.rules import HouseholdSnapshot, snap
    outcome = snap.determine(snapshot, date(2025, 10, 15))        # shipped parameters for that date
    outcome.eligible, outcome.monthly_amount, outcome.criteria

For batches, prepare the parameters once and pass them: `params = snap.parameters_on(day)`, then
`snap.evaluate(snapshot, params, day)` for each household. Each program module (`snap`,
`income_support`, `drug_assistance`) has the same four functions: `prepare(parameter_set)`,
`parameters_on(day, table=None)`, `evaluate(snapshot, params, day)` and `determine(snapshot, day)`.

To replay a stored determination: `HouseholdSnapshot.from_dict(stored_snapshot)`, then
`snap.prepare(ParameterSet.from_used(outcome.parameters_used, day))`, then `snap.evaluate`.
"""

from eligibility.rules import drug_assistance, income_support, snap
from eligibility.rules.parameters import (
    ParameterError,
    ParameterSet,
    ParameterTable,
    ParameterValue,
    Source,
    load_table,
    shipped_table,
    values_in_force,
)
from eligibility.rules.result import (
    Criterion,
    DeterminationDateError,
    HouseholdNotAssessableError,
    InvalidSnapshotError,
    MissingParameterError,
    Outcome,
    RulesError,
)
from eligibility.rules.snapshot import Asset, Expense, HouseholdSnapshot, Income, Member

PROGRAMS = {module.PROGRAM: module for module in (snap, income_support, drug_assistance)}

__all__ = [
    "PROGRAMS",
    "Asset",
    "Criterion",
    "DeterminationDateError",
    "Expense",
    "HouseholdNotAssessableError",
    "HouseholdSnapshot",
    "Income",
    "InvalidSnapshotError",
    "Member",
    "MissingParameterError",
    "Outcome",
    "ParameterError",
    "ParameterSet",
    "ParameterTable",
    "ParameterValue",
    "RulesError",
    "Source",
    "drug_assistance",
    "income_support",
    "load_table",
    "shipped_table",
    "snap",
    "values_in_force",
]
