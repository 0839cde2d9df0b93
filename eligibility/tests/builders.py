"""Small builders for rule tests: plain objects, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eligibility.rules import Asset, Expense, HouseholdSnapshot, Income, Member

#: A date in FY 2026, not in the application month: no proration unless a test asks for it.
DAY = date(2025, 11, 15)
APPLIED = date(2025, 10, 1)
LONG_AGO = date(2020, 1, 1)


def person(member_id: str = "a", age: int = 30, *, on: date = DAY, disabled: bool = False) -> Member:
    """A member who is `age` on `on` (born on January 1, or on `on`'s day for age 0)."""
    return Member(id=member_id, date_of_birth=date(on.year - age, 1, 1), disabled=disabled)


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
