"""What a rule returns (an `Outcome` with one `Criterion` per line of explanation), or raises.

Every error a rule raises is a `RulesError`, a `ValueError` whose message names what is wrong
(the member, the income, the parameter and the date). A rule never returns an amount it could
not compute from complete, valid input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any


class RulesError(ValueError):
    """Base class: the input or the parameters cannot give a trustworthy answer."""


class InvalidSnapshotError(RulesError):
    """The household snapshot is malformed: no members, a negative amount, an unknown kind..."""


class DeterminationDateError(RulesError):
    """The determination date is impossible for this snapshot (before the application date, say)."""


class HouseholdNotAssessableError(RulesError):
    """The household is valid, but this program's rules do not say how to assess it."""


class MissingParameterError(RulesError):
    """No value of a parameter is in force on the date asked for (or it is still to be set by the state)."""

    def __init__(self, name: str, day: date, detail: str = "") -> None:
        self.name = name
        self.day = day
        message = f"Missing parameter {name!r} for {day.isoformat()}"
        super().__init__(f"{message}: {detail}" if detail else message)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One line of a determination: what was measured, against what, and what it means to the client.

    `figure` is the household's amount (money, a count or a percentage, as the name says),
    `limit` the program's threshold or cap (None when the line has none), and `explanation`
    one sentence a client would understand.
    """

    name: str
    figure: Decimal | None
    limit: Decimal | None
    passed: bool
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "figure": None if self.figure is None else str(self.figure),
            "limit": None if self.limit is None else str(self.limit),
            "passed": self.passed,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Criterion:
        return cls(
            name=data["name"],
            figure=None if data["figure"] is None else Decimal(data["figure"]),
            limit=None if data["limit"] is None else Decimal(data["limit"]),
            passed=bool(data["passed"]),
            explanation=data["explanation"],
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one program's rules for one household on one date.

    `monthly_amount` is money only (Decimal, two places): the benefit for the benefit month,
    zero when nothing is payable. A program whose answer is not money puts it in its own
    field: drug assistance gives its co-pay in `copay_percent` (30 means the client pays 30%
    of the cost of each eligible prescription), so a payment run can never read a percentage
    as dollars.

    `parameters_used` maps each parameter name to its value, `effective_from` and `source`,
    in JSON-ready form: store it with the determination, and `ParameterSet.from_used` rebuilds
    exactly these values to replay the decision years later.
    """

    program: str
    determination_date: date
    eligible: bool
    monthly_amount: Decimal
    criteria: tuple[Criterion, ...]
    parameters_used: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    copay_percent: Decimal | None = None

    def criterion(self, name: str) -> Criterion:
        """The line called `name` (KeyError naming the lines there are if none is)."""
        for line in self.criteria:
            if line.name == name:
                return line
        raise KeyError(f"No criterion {name!r}; this outcome has {[c.name for c in self.criteria]}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "determination_date": self.determination_date.isoformat(),
            "eligible": self.eligible,
            "monthly_amount": str(self.monthly_amount),
            "copay_percent": None if self.copay_percent is None else str(self.copay_percent),
            "criteria": [line.to_dict() for line in self.criteria],
            "parameters_used": _plain(self.parameters_used),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        return cls(
            program=data["program"],
            determination_date=date.fromisoformat(data["determination_date"]),
            eligible=bool(data["eligible"]),
            monthly_amount=Decimal(data["monthly_amount"]),
            copay_percent=None if data.get("copay_percent") is None else Decimal(data["copay_percent"]),
            criteria=tuple(Criterion.from_dict(line) for line in data["criteria"]),
            parameters_used=MappingProxyType(dict(data["parameters_used"])),
        )


def _plain(value: Any) -> Any:
    """A deep copy of nested mappings and sequences as plain dicts and lists (for JSON)."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def percent(value: Decimal) -> str:
    """20% or 7.5%."""
    return f"{value.normalize():f}%"
