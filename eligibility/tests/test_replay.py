"""A stored determination (snapshot + outcome as JSON) replays to the cent, years later. No database."""

import json
from datetime import date
from decimal import Decimal

import pytest

from eligibility.rules import (
    PROGRAMS,
    HouseholdSnapshot,
    Outcome,
    ParameterSet,
    ParameterTable,
    ParameterValue,
    shipped_table,
    snap,
)
from eligibility.tests.builders import DAY, expense, household, income, people, person


def stored_household() -> HouseholdSnapshot:
    return household(
        (person("m0", 41), person("m1", 66), person("m2", 9)),
        incomes=[
            income("612.40", member="m0", kind="earned", frequency="biweekly"),
            income("1080.25", member="m1", kind="benefits"),
            income("1500", member="m0", kind="other", frequency="yearly", end=date(2026, 5, 31)),
        ],
        expenses=[expense("rent", "1125"), expense("medical", "88.60", member="m1"), expense("dependent_care", "140")],
    )


def store(snapshot: HouseholdSnapshot, outcome: Outcome) -> str:
    """What the Django layer will keep on a determination row."""
    return json.dumps({"snapshot": snapshot.to_dict(), "outcome": outcome.to_dict()})


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_replay_from_the_stored_json_gives_the_same_outcome(program):
    rules = PROGRAMS[program]
    snapshot = stored_household()
    original = rules.determine(snapshot, DAY)

    record = json.loads(store(snapshot, original))
    replayed_snapshot = HouseholdSnapshot.from_dict(record["snapshot"])
    recorded = Outcome.from_dict(record["outcome"])
    params = rules.prepare(ParameterSet.from_used(recorded.parameters_used, recorded.determination_date))
    replayed = rules.evaluate(replayed_snapshot, params, recorded.determination_date)

    assert replayed == original
    assert recorded == original
    assert replayed.monthly_amount == original.monthly_amount
    assert [line.explanation for line in replayed.criteria] == [line.explanation for line in original.criteria]


def test_replay_uses_the_recorded_values_even_after_the_table_changes():
    snapshot = household(people(2), incomes=[income("900", member="m0", kind="earned")])
    original = snap.determine(snapshot, DAY)
    # $900 - 20% - $209 = $511 net; 30% = $153.30 -> $154; $546 - $154 = $392.
    assert original.monthly_amount == Decimal("392.00")

    # A correction published later: a different FY 2026 maximum for two people.
    def is_fy2026_maximum(v: ParameterValue) -> bool:
        return v.name == "snap.maximum_allotment" and v.effective_from == date(2025, 10, 1)

    old = next(v for v in shipped_table("snap") if is_fy2026_maximum(v))
    new_value = ParameterValue(
        name=old.name, value={**old.value, "2": Decimal("550")}, effective_from=old.effective_from, source=old.source
    )
    table = ParameterTable([*(v for v in shipped_table("snap") if not is_fy2026_maximum(v)), new_value])

    assert snap.determine(snapshot, DAY, table).monthly_amount == original.monthly_amount + 4
    params = snap.prepare(ParameterSet.from_used(original.parameters_used, DAY))
    assert snap.evaluate(snapshot, params, DAY) == original
