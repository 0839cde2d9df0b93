"""The household as the rules see it: an immutable snapshot, and its JSON round trip.

A determination stores `snapshot.to_dict()` with its outcome; `HouseholdSnapshot.from_dict`
rebuilds the same snapshot years later, so the decision can be replayed to the cent.

Kinds and frequencies are the values of `clients.models` (`Income.Kind`, `Expense.Kind`,
`Asset.Kind`, `Frequency`), repeated here as plain strings so this module needs no Django;
a test keeps the two lists in step.

Building a snapshot from the database (for the Django layer): one `Member` per current
household member (client id, date of birth, and from the person's facts in force on the
determination date: `disabled`, `blind`, `student`), the household `homeless` when a member's
homelessness fact is in force (`receives_free_shelter` when none of them pays for shelter),
one `Income` / `Expense` per `clients.Income` / `clients.Expense` row whose dates overlap the
period assessed (`member_id` = the row's client), one `Asset` per asset not disposed of on the
determination date, with `exempt=True` for assets the program does not count (the home and
its lot, for instance).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from clients.kinds import UTILITY_KINDS as _utility_kinds
from eligibility.rules.result import DeterminationDateError, InvalidSnapshotError

#: 2 added a member's `blind` and `student`. Documents of every version listed here are still read:
#: a stored determination is replayed years later (a version-1 member is neither blind nor a student).
SNAPSHOT_VERSION = 2
READABLE_VERSIONS = frozenset({1, 2})

INCOME_KINDS = frozenset({"earned", "self_employment", "benefits", "child_support", "other"})
EXPENSE_KINDS = frozenset(
    {
        "rent",
        "mortgage",
        "heating_cooling",
        "electricity",
        "gas_fuel",
        "water",
        "sewer",
        "trash",
        "telephone",
        "utilities",
        "dependent_care",
        "medical",
        "child_support_paid",
        "other",
    }
)
#: Expense kinds that are utilities (`clients.kinds`).
UTILITY_KINDS = frozenset(_utility_kinds)
ASSET_KINDS = frozenset({"cash", "bank_account", "vehicle", "property", "investment", "other"})
FREQUENCIES = frozenset({"weekly", "biweekly", "semimonthly", "monthly", "yearly"})

#: Income kinds that are earnings (wages, and self-employment net of its costs).
EARNED_KINDS = frozenset({"earned", "self_employment"})

ZERO = Decimal("0")


def _as_decimal(value: Any, what: str) -> Decimal:
    """Money in: Decimal, int or a numeric string; never float (it cannot hold cents exactly)."""
    if isinstance(value, bool | float):
        raise InvalidSnapshotError(f"{what} must be a Decimal or a string such as '12.50', not {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise InvalidSnapshotError(f"{what} is not a number: {value!r}") from None
    else:
        raise InvalidSnapshotError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not amount.is_finite():
        raise InvalidSnapshotError(f"{what} is not a finite amount: {value!r}")
    if amount < 0:
        raise InvalidSnapshotError(f"{what} is negative ({amount}); amounts are recorded as positive numbers")
    return amount


def _as_date(value: Any, what: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidSnapshotError(f"{what} must be a date (rules take dates, not datetimes), not {value!r}")
    return value


def _check_period(start: date, end: date | None, what: str) -> None:
    if end is not None and end < start:
        raise InvalidSnapshotError(f"{what} ends ({end.isoformat()}) before it starts ({start.isoformat()})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A person in the household.

    `disabled`: receives a benefit that the "elderly or disabled member" definition of 7 CFR 271.2
    lists (SSI, Social Security disability, disability-related Medicaid, a VA disability...);
    `blind`: receives such a benefit for blindness (271.2 counts it as a disability).
    `student`: enrolled at least half time in an institution of higher education with no exemption
    of 7 CFR 273.5(b)(2)-(11) recorded; whether the age exemption (b)(1) applies is the program's
    business, as it depends on the determination date.
    """

    id: str
    date_of_birth: date
    disabled: bool = False
    blind: bool = False
    student: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidSnapshotError(f"a member's id must be a non-empty string, not {self.id!r}")
        _as_date(self.date_of_birth, f"date of birth of member {self.id!r}")

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True, slots=True, kw_only=True)
class Income:
    """An amount a member receives at a frequency from `start` until `end` (inclusive; None: ongoing)."""

    member_id: str
    kind: str
    amount: Decimal
    frequency: str
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        what = f"{self.kind} income of member {self.member_id!r}"
        if self.kind not in INCOME_KINDS:
            raise InvalidSnapshotError(f"unknown income kind {self.kind!r}; expected one of {sorted(INCOME_KINDS)}")
        if self.frequency not in FREQUENCIES:
            raise InvalidSnapshotError(f"{what} has unknown frequency {self.frequency!r}")
        object.__setattr__(self, "amount", _as_decimal(self.amount, f"the amount of {what}"))
        _as_date(self.start, f"the start of {what}")
        _as_date(self.end, f"the end of {what}", optional=True)
        _check_period(self.start, self.end, what)


@dataclass(frozen=True, slots=True, kw_only=True)
class Expense:
    """An amount the household pays. `member_id` says whose it is (it matters for medical costs)."""

    kind: str
    amount: Decimal
    frequency: str
    start: date
    end: date | None = None
    member_id: str | None = None

    def __post_init__(self) -> None:
        what = f"{self.kind} expense" + (f" of member {self.member_id!r}" if self.member_id else "")
        if self.kind not in EXPENSE_KINDS:
            raise InvalidSnapshotError(f"unknown expense kind {self.kind!r}; expected one of {sorted(EXPENSE_KINDS)}")
        if self.frequency not in FREQUENCIES:
            raise InvalidSnapshotError(f"{what} has unknown frequency {self.frequency!r}")
        object.__setattr__(self, "amount", _as_decimal(self.amount, f"the amount of the {what}"))
        _as_date(self.start, f"the start of the {what}")
        _as_date(self.end, f"the end of the {what}", optional=True)
        _check_period(self.start, self.end, f"the {what}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """Something the household owns, at its value. `exempt`: the program does not count it."""

    kind: str
    value: Decimal
    member_id: str | None = None
    exempt: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ASSET_KINDS:
            raise InvalidSnapshotError(f"unknown asset kind {self.kind!r}; expected one of {sorted(ASSET_KINDS)}")
        object.__setattr__(self, "value", _as_decimal(self.value, f"the value of the {self.kind} asset"))


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdSnapshot:
    """Everything the rules read about a household, frozen at the moment of the determination.

    `homeless`: the household has no fixed, regular night-time residence; `receives_free_shelter`:
    it is homeless but pays nothing for shelter all month (SNAP then gives no homeless shelter
    deduction, 7 CFR 273.9(d)(6)(i)).
    """

    members: tuple[Member, ...]
    application_date: date
    incomes: tuple[Income, ...] = ()
    expenses: tuple[Expense, ...] = ()
    assets: tuple[Asset, ...] = ()
    homeless: bool = False
    receives_free_shelter: bool = False

    def __post_init__(self) -> None:
        for name, kind in (("members", Member), ("incomes", Income), ("expenses", Expense), ("assets", Asset)):
            items = tuple(getattr(self, name))
            for item in items:
                if not isinstance(item, kind):
                    raise InvalidSnapshotError(f"{name} must hold {kind.__name__} objects, not {item!r}")
            object.__setattr__(self, name, items)
        if not self.members:
            raise InvalidSnapshotError("the household has no members; a snapshot needs at least one person")
        _as_date(self.application_date, "the application date")
        ids = [member.id for member in self.members]
        if len(set(ids)) != len(ids):
            raise InvalidSnapshotError(f"member ids must be unique, got {ids}")
        known = set(ids)
        for income in self.incomes:
            if income.member_id not in known:
                raise InvalidSnapshotError(
                    f"{income.kind} income names member {income.member_id!r}, who is not in the household"
                )
        for item in (*self.expenses, *self.assets):
            if item.member_id is not None and item.member_id not in known:
                raise InvalidSnapshotError(
                    f"{item.kind} {type(item).__name__.lower()} names member {item.member_id!r}, "
                    "who is not in the household"
                )

    # JSON round trip ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, money as decimal strings (never floats)."""
        return {
            "version": SNAPSHOT_VERSION,
            "application_date": self.application_date.isoformat(),
            "homeless": self.homeless,
            "receives_free_shelter": self.receives_free_shelter,
            "members": [
                {
                    "id": m.id,
                    "date_of_birth": m.date_of_birth.isoformat(),
                    "disabled": m.disabled,
                    "blind": m.blind,
                    "student": m.student,
                }
                for m in self.members
            ],
            "incomes": [
                {
                    "member_id": i.member_id,
                    "kind": i.kind,
                    "amount": str(i.amount),
                    "frequency": i.frequency,
                    "start": i.start.isoformat(),
                    "end": None if i.end is None else i.end.isoformat(),
                }
                for i in self.incomes
            ],
            "expenses": [
                {
                    "kind": e.kind,
                    "amount": str(e.amount),
                    "frequency": e.frequency,
                    "start": e.start.isoformat(),
                    "end": None if e.end is None else e.end.isoformat(),
                    "member_id": e.member_id,
                }
                for e in self.expenses
            ],
            "assets": [
                {"kind": a.kind, "value": str(a.value), "member_id": a.member_id, "exempt": a.exempt}
                for a in self.assets
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HouseholdSnapshot:
        """Rebuild a snapshot stored with `to_dict`; a malformed document raises InvalidSnapshotError."""
        version = data.get("version")
        if isinstance(version, bool) or version not in READABLE_VERSIONS:
            raise InvalidSnapshotError(
                f"snapshot version {version!r} is not supported (expected one of {sorted(READABLE_VERSIONS)})"
            )
        try:
            return cls(
                application_date=_iso(data["application_date"], "application_date"),
                homeless=_flag(data.get("homeless", False), "homeless"),
                receives_free_shelter=_flag(data.get("receives_free_shelter", False), "receives_free_shelter"),
                members=tuple(
                    Member(
                        id=str(m["id"]),
                        date_of_birth=_iso(m["date_of_birth"], "date_of_birth"),
                        disabled=_flag(m.get("disabled", False), "disabled"),
                        blind=_flag(m.get("blind", False), "blind") if version >= 2 else False,
                        student=_flag(m.get("student", False), "student") if version >= 2 else False,
                    )
                    for m in data["members"]
                ),
                incomes=tuple(
                    Income(
                        member_id=str(i["member_id"]),
                        kind=i["kind"],
                        amount=i["amount"],
                        frequency=i["frequency"],
                        start=_iso(i["start"], "start"),
                        end=_iso(i.get("end"), "end", optional=True),
                    )
                    for i in data.get("incomes", ())
                ),
                expenses=tuple(
                    Expense(
                        kind=e["kind"],
                        amount=e["amount"],
                        frequency=e["frequency"],
                        start=_iso(e["start"], "start"),
                        end=_iso(e.get("end"), "end", optional=True),
                        member_id=None if e.get("member_id") is None else str(e["member_id"]),
                    )
                    for e in data.get("expenses", ())
                ),
                assets=tuple(
                    Asset(
                        kind=a["kind"],
                        value=a["value"],
                        member_id=None if a.get("member_id") is None else str(a["member_id"]),
                        exempt=_flag(a.get("exempt", False), "exempt"),
                    )
                    for a in data.get("assets", ())
                ),
            )
        except KeyError as missing:
            raise InvalidSnapshotError(f"the stored snapshot lacks the field {missing.args[0]!r}") from None


def snapshot_upgrade(data: Mapping[str, Any]) -> dict[str, Any]:
    """A stored snapshot document as the current version writes it (a version-1 member gains
    `blind` and `student`, both false), so a stored and a new snapshot compare by what they say,
    not by the version that wrote them. A document that cannot be read is given back as it is."""
    try:
        return HouseholdSnapshot.from_dict(data).to_dict()
    except InvalidSnapshotError:
        return dict(data)


def _iso(value: Any, what: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidSnapshotError(f"{what} must be an ISO date such as '2025-10-01', not {value!r}") from None


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidSnapshotError(f"{what} must be true or false, not {value!r}")
    return value


# Helpers the program rules share ---------------------------------------------------------


@lru_cache(maxsize=1024)
def month_bounds(year: int, month: int) -> tuple[date, date, int]:
    """(first day, last day, number of days) of a calendar month: the benefit period."""
    days = calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, days), days


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def monthly_figure(amount: Decimal, factor: tuple[Decimal, Decimal]) -> Decimal:
    """An amount at its frequency as a monthly figure (exact: rounding is the program's business)."""
    multiply, divide = factor
    figure = amount * multiply if multiply != 1 else amount
    return figure / divide if divide != 1 else figure


def days_covered(start: date, end: date | None, first: date, last: date) -> int:
    """How many days of [first, last] fall within [start, end] (end None: ongoing)."""
    if start > last or (end is not None and end < first):
        return 0
    begin = start if start > first else first
    finish = last if end is None or end > last else end
    return (finish - begin).days + 1


def check_determination_date(snapshot: HouseholdSnapshot, day: Any) -> date:
    """The determination date, if it is a date on or after the application date."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DeterminationDateError(f"the determination date must be a date, not {day!r}")
    if day < snapshot.application_date:
        raise DeterminationDateError(
            f"the determination date {day.isoformat()} is before the application date "
            f"{snapshot.application_date.isoformat()}"
        )
    return day
