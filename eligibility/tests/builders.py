"""Small builders for rule tests: plain objects, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eligibility.rules import Asset, Expense, HouseholdSnapshot, Income, Member, ParameterTable, ParameterValue, Source

#: A date in FY 2026, not in the application month: no proration unless a test asks for it.
DAY = date(2025, 11, 15)
APPLIED = date(2025, 10, 1)
LONG_AGO = date(2020, 1, 1)


def person(member_id: str = "a", age: int = 30, *, on: date = DAY, **flags) -> Member:
    """A member who is `age` on `on` (born on January 1), with any of Member's flags (disabled, student…)."""
    return Member(id=member_id, date_of_birth=date(on.year - age, 1, 1), **flags)


def people(count: int, *, age: int = 30) -> tuple[Member, ...]:
    return tuple(person(f"m{index}", age) for index in range(count))


def income(
    amount: str | int,
    *,
    member: str = "a",
    kind: str = "benefits",
    frequency: str = "monthly",
    start: date = LONG_AGO,
    end: date | None = None,
) -> Income:
    return Income(member_id=member, kind=kind, amount=Decimal(amount), frequency=frequency, start=start, end=end)


def expense(
    kind: str,
    amount: str | int,
    *,
    frequency: str = "monthly",
    start: date = LONG_AGO,
    end: date | None = None,
    member: str | None = None,
) -> Expense:
    return Expense(kind=kind, amount=Decimal(amount), frequency=frequency, start=start, end=end, member_id=member)


def asset(value: str | int, *, kind: str = "bank_account", exempt: bool = False) -> Asset:
    return Asset(kind=kind, value=Decimal(value), exempt=exempt)


def household(
    members: tuple[Member, ...] | Member = (),
    *,
    incomes=(),
    expenses=(),
    assets=(),
    applied: date = APPLIED,
    homeless: bool = False,
    free_shelter: bool = False,
) -> HouseholdSnapshot:
    if isinstance(members, Member):
        members = (members,)
    return HouseholdSnapshot(
        members=members or (person(),),
        application_date=applied,
        incomes=tuple(incomes),
        expenses=tuple(expenses),
        assets=tuple(assets),
        homeless=homeless,
        receives_free_shelter=free_shelter,
    )


def with_values(table: ParameterTable, **values) -> ParameterTable:
    """`table` with other values of some parameters from 2025-10-01 (example figures, not a state's)."""
    names = {f"snap.{name}" for name in values}
    replaced = [
        ParameterValue(
            name=f"snap.{name}",
            value=value,
            effective_from=date(2025, 10, 1),
            source=Source(title="test value", url="n/a"),
            example=True,
        )
        for name, value in values.items()
    ]
    kept = [v for v in table if not (v.name in names and v.effective_from == date(2025, 10, 1))]
    return ParameterTable([*kept, *replaced])
