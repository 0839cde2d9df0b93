"""The household snapshot: validation with clear errors, and its JSON round trip. No database."""

import ast
import json
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from eligibility.rules import (
    Asset,
    Expense,
    HouseholdSnapshot,
    Income,
    InvalidSnapshotError,
    Member,
)
from eligibility.rules.snapshot import ASSET_KINDS, EXPENSE_KINDS, FREQUENCIES, INCOME_KINDS
from eligibility.tests.builders import asset, expense, household, income, person

REPO = Path(__file__).resolve().parents[2]


def test_a_household_with_no_members_is_refused():
    with pytest.raises(InvalidSnapshotError, match="the household has no members"):
        HouseholdSnapshot(members=(), application_date=date(2025, 10, 1))


def test_negative_income_is_refused_naming_the_member():
    with pytest.raises(InvalidSnapshotError, match=r"earned income of member 'a' is negative \(-5\)"):
        Income(member_id="a", kind="earned", amount=Decimal("-5"), frequency="monthly", start=date(2025, 1, 1))


@pytest.mark.parametrize(
    "build",
    [
        lambda: expense("rent", "-1"),
        lambda: asset("-100"),
    ],
)
def test_negative_expenses_and_assets_are_refused(build):
    with pytest.raises(InvalidSnapshotError, match="is negative"):
        build()


def test_float_amounts_are_refused():
    with pytest.raises(InvalidSnapshotError, match=r"not 12\.5"):
        Income(member_id="a", kind="earned", amount=12.5, frequency="monthly", start=date(2025, 1, 1))


def test_strings_and_ints_become_decimals():
    assert income("12.50").amount == Decimal("12.50")
    assert Asset(kind="cash", value=7).value == Decimal(7)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: income("1", kind="salary"), "unknown income kind 'salary'"),
        (lambda: income("1", frequency="daily"), "unknown frequency 'daily'"),
        (lambda: expense("food", "1"), "unknown expense kind 'food'"),
        (lambda: asset("1", kind="gold"), "unknown asset kind 'gold'"),
        (lambda: income("1", start=date(2025, 5, 1), end=date(2025, 4, 30)), "ends \\(2025-04-30\\) before it starts"),
        (lambda: income("nan"), "not a finite amount"),
        (lambda: income("1", start=datetime(2025, 5, 1, 9, 0)), "rules take dates, not datetimes"),
    ],
)
def test_malformed_records_are_refused_with_a_clear_message(build, message):
    with pytest.raises(InvalidSnapshotError, match=message):
        build()


def test_records_must_name_members_of_the_household():
    with pytest.raises(InvalidSnapshotError, match="names member 'ghost', who is not in the household"):
        household(person("a"), incomes=[income("100", member="ghost")])
    with pytest.raises(InvalidSnapshotError, match="names member 'ghost'"):
        household(person("a"), expenses=[expense("medical", "10", member="ghost")])


def test_member_ids_must_be_unique():
    with pytest.raises(InvalidSnapshotError, match="member ids must be unique"):
        household((person("a"), person("a")))


def test_the_snapshot_is_immutable():
    snapshot = household(person("a"), incomes=[income("100")])

    with pytest.raises(AttributeError):
        snapshot.homeless = True  # type: ignore[misc]
    assert isinstance(snapshot.incomes, tuple)


def full_snapshot() -> HouseholdSnapshot:
    return HouseholdSnapshot(
        members=(
            Member(id="17", date_of_birth=date(1958, 3, 9), disabled=True),
            Member(id="18", date_of_birth=date(2012, 12, 31)),
        ),
        application_date=date(2025, 10, 14),
        incomes=(
            Income(
                member_id="17", kind="benefits", amount=Decimal("1234.56"), frequency="monthly", start=date(2024, 1, 1)
            ),
            Income(
                member_id="17",
                kind="earned",
                amount=Decimal("212.5"),
                frequency="biweekly",
                start=date(2025, 6, 2),
                end=date(2026, 1, 31),
            ),
        ),
        expenses=(
            Expense(kind="rent", amount=Decimal("850.00"), frequency="monthly", start=date(2023, 9, 1)),
            Expense(
                kind="medical", amount=Decimal("42.10"), frequency="monthly", start=date(2025, 1, 1), member_id="17"
            ),
        ),
        assets=(
            Asset(kind="bank_account", value=Decimal("1500.75"), member_id="17"),
            Asset(kind="property", value=Decimal("180000"), exempt=True),
        ),
        homeless=False,
        receives_free_shelter=False,
    )


def test_json_round_trip_gives_back_the_same_snapshot():
    snapshot = full_snapshot()

    stored = json.dumps(snapshot.to_dict())
    again = HouseholdSnapshot.from_dict(json.loads(stored))

    assert again == snapshot
    assert again.incomes[1].amount == Decimal("212.5")
    assert '"amount": "1234.56"' in stored  # money as strings, never floats


def test_from_dict_refuses_an_unknown_version_and_missing_fields():
    data = full_snapshot().to_dict()

    with pytest.raises(InvalidSnapshotError, match="snapshot version 3 is not supported"):
        HouseholdSnapshot.from_dict({**data, "version": 3})
    del data["members"]
    with pytest.raises(InvalidSnapshotError, match="lacks the field 'members'"):
        HouseholdSnapshot.from_dict(data)


def test_from_dict_validates_like_the_constructor():
    data = full_snapshot().to_dict()
    data["incomes"][0]["amount"] = "-1"

    with pytest.raises(InvalidSnapshotError, match="is negative"):
        HouseholdSnapshot.from_dict(data)


def _choices(path: Path, model: str, inner: str | None) -> set[str]:
    """The values of a TextChoices class in clients/models.py, read without importing Django."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == model:
            target = node
            if inner:
                target = next(n for n in node.body if isinstance(n, ast.ClassDef) and n.name == inner)
            return {
                stmt.value.elts[0].value
                for stmt in target.body
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple)
            }
    raise AssertionError(f"{model} not found")


def test_kinds_match_the_clients_models():
    models = REPO / "clients" / "models.py"

    assert _choices(models, "Income", "Kind") == INCOME_KINDS
    assert _choices(models, "Expense", "Kind") == EXPENSE_KINDS
    assert _choices(models, "Asset", "Kind") == ASSET_KINDS
    assert _choices(models, "Frequency", None) == FREQUENCIES


def test_the_rules_import_no_django():
    code = "import sys, eligibility.rules; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
