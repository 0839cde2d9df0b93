"""Dated rule parameters: every value has an `effective_from` and a source.

A `ParameterTable` holds every version of every parameter of a program (the shipped ones live
in `eligibility/rules/data/*.json`; the Django layer will keep the same rows in a table the
admins edit). `values_in_force(table, day)` picks, for each name, the version with the latest
`effective_from` on or before `day`, and raises `MissingParameterError` naming the parameter
and the date when there is none. Each program then `prepare`s the `ParameterSet` once into an
immutable object its rule reads without parsing anything, so batches stay fast.

Values: amounts are Decimal (written as strings in JSON: "1696", "198.99"; a JSON number is
refused, because a float cannot hold cents exactly), tables are read-only mappings, lists are
tuples, and `null` marks a value the state (or province) must set before the rule can use it.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from threading import Lock
from types import MappingProxyType
from typing import Any

from eligibility.rules.result import DeterminationDateError, MissingParameterError, RulesError
from eligibility.rules.snapshot import FREQUENCIES

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FILES = {
    "snap": "snap_us48.json",
    "income_support": "income_support_nl.json",
    "drug_assistance": "drug_assistance_nl.json",
    "senior_drug_coverage": "senior_drug_coverage_nl.json",
}
#: A state's own figures and options, layered over a program's shipped file when that state is
#: chosen (`shipped_table("snap", state="ct")`, `manage.py eligibility_load_parameters --state ct`):
#: each adds versions of the same names that take effect from their dates. The federal file
#: leaves what a state sets as null, so a state not chosen is never assumed.
STATE_FILES = {
    "snap": {"ct": "snap_ct.json"},
}

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class ParameterError(RulesError):
    """A parameter exists but its value has the wrong shape (a missing household size, say)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from: a title a person can cite and the address to check it."""

    title: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """One version of one parameter. `example`: an illustrative value, not an official rate."""

    name: str
    value: Any
    effective_from: date
    source: Source
    note: str = ""
    example: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "value": encode_value(self.value),
            "effective_from": self.effective_from.isoformat(),
            "source": self.source.to_dict(),
        }
        if self.note:
            data["note"] = self.note
        if self.example:
            data["example"] = True
        return data


class ParameterTable:
    """Every version of every parameter of a program, by name, latest first."""

    __slots__ = ("_versions",)

    def __init__(self, values: Iterable[ParameterValue]) -> None:
        versions: dict[str, list[ParameterValue]] = {}
        for value in values:
            same_name = versions.setdefault(value.name, [])
            if any(other.effective_from == value.effective_from for other in same_name):
                raise ParameterError(
                    f"parameter {value.name!r} has two values effective from {value.effective_from.isoformat()}"
                )
            same_name.append(value)
        self._versions = {
            name: tuple(sorted(items, key=lambda v: v.effective_from, reverse=True)) for name, items in versions.items()
        }

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._versions))

    def versions(self, name: str) -> tuple[ParameterValue, ...]:
        """All versions of `name`, latest first (empty if the table has none)."""
        return self._versions.get(name, ())

    def in_force(self, name: str, day: date) -> ParameterValue | None:
        for version in self._versions.get(name, ()):
            if version.effective_from <= day:
                return version
        return None

    def __iter__(self):
        for name in sorted(self._versions):
            yield from reversed(self._versions[name])

    def __len__(self) -> int:
        return sum(len(items) for items in self._versions.values())


class ParameterSet:
    """The values of a program's parameters in force on one day, with where each came from.

    The same values hold from `valid_from` (the latest `effective_from` among them) to
    `valid_until` (the day before the next version of any of them takes effect; None when no
    later version is known), so one prepared set serves every determination in that span.
    """

    __slots__ = ("day", "entries", "valid_from", "valid_until")

    def __init__(self, day: date, entries: Mapping[str, ParameterValue], valid_until: date | None = None) -> None:
        self.day = day
        self.entries = MappingProxyType(dict(entries))
        self.valid_from = max((entry.effective_from for entry in self.entries.values()), default=day)
        self.valid_until = valid_until

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __getitem__(self, name: str) -> Any:
        """The value of `name`; MissingParameterError if it is absent or still to be set."""
        entry = self.entries.get(name)
        if entry is None:
            raise MissingParameterError(name, self.day, "no value is in force on that date")
        if entry.value is None:
            raise MissingParameterError(
                name, self.day, f"{entry.note or 'it has no value'} (effective {entry.effective_from.isoformat()})"
            )
        return entry.value

    def get(self, name: str) -> Any:
        """The value of `name`, or None if absent or still to be set."""
        entry = self.entries.get(name)
        return None if entry is None else entry.value

    def used(self) -> dict[str, Any]:
        """JSON-ready record of every value in this set: what a determination stores."""
        return {name: self.entries[name].to_dict() for name in sorted(self.entries)}

    @classmethod
    def from_used(cls, used: Mapping[str, Any], day: date) -> ParameterSet:
        """Rebuild the exact values a stored determination used (see `Outcome.parameters_used`)."""
        return cls(day, {name: _entry(name, record) for name, record in used.items()})


def values_in_force(
    table: ParameterTable, day: date, *, required: Iterable[str] | None = None, optional: Iterable[str] = ()
) -> ParameterSet:
    """For each parameter name, the version with the latest `effective_from` on or before `day`.

    `required` defaults to every name in the table; one with no version in force raises
    MissingParameterError naming it and the date. `optional` names are taken when in force and
    left out otherwise (the rule raises later, and only if it turns out to need them).
    """
    names = table.names if required is None else tuple(required)
    entries: dict[str, ParameterValue] = {}
    for name in names:
        version = table.in_force(name, day)
        if version is None:
            versions = table.versions(name)
            detail = (
                f"the earliest value takes effect on {versions[-1].effective_from.isoformat()}"
                if versions
                else "the table has no value for it at all"
            )
            raise MissingParameterError(name, day, detail)
        entries[name] = version
    for name in optional:
        version = table.in_force(name, day)
        if version is not None:
            entries[name] = version
    upcoming = [
        version.effective_from
        for name in (*names, *optional)
        for version in table.versions(name)
        if version.effective_from > day
    ]
    valid_until = min(upcoming) - timedelta(days=1) if upcoming else None
    return ParameterSet(day, entries, valid_until)


def check_in_force(program: str, valid_from: date, valid_until: date | None, day: date) -> None:
    """Refuse to apply prepared parameters to a date they do not cover (a wrong year's rates)."""
    if day < valid_from or (valid_until is not None and day > valid_until):
        span = f"{valid_from.isoformat()} to {valid_until.isoformat() if valid_until else 'open'}"
        raise DeterminationDateError(
            f"the {program} parameters given hold from {span}, not on {day.isoformat()}; "
            "prepare the values in force on the determination date"
        )


# Loading the shipped tables ---------------------------------------------------------------


def decode_value(value: Any, where: str = "value") -> Any:
    """JSON to rule values: numeric strings to Decimal, objects to read-only mappings, lists to tuples."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return Decimal(value) if _NUMBER.fullmatch(value) else value
    if isinstance(value, int | float):
        raise ParameterError(f"{where}: write amounts as strings ('{value}'), JSON numbers may lose cents")
    if isinstance(value, Mapping):
        return MappingProxyType({str(key): decode_value(item, f"{where}.{key}") for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(decode_value(item, f"{where}[{index}]") for index, item in enumerate(value))
    raise ParameterError(f"{where}: unsupported value {value!r}")


def encode_value(value: Any) -> Any:
    """Rule values back to JSON: Decimal to string, mappings to dicts, tuples to lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {key: encode_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return value


def _entry(name: str, record: Mapping[str, Any]) -> ParameterValue:
    try:
        source = record["source"]
        return ParameterValue(
            name=name,
            value=decode_value(record["value"], name),
            effective_from=date.fromisoformat(record["effective_from"]),
            source=Source(title=source["title"], url=source["url"]),
            note=record.get("note", ""),
            example=bool(record.get("example", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, RulesError):
            raise
        raise ParameterError(
            f"parameter {name!r} is malformed ({error!r}); it needs value, effective_from and source"
        ) from None


def table_from_dict(data: Mapping[str, Any]) -> ParameterTable:
    """A table from the JSON shape of the shipped files: {"parameters": [{name, effective_from, ...}]}."""
    return ParameterTable(_entry(record.get("name", "?"), record) for record in data["parameters"])


def load_table(*paths: str | Path) -> ParameterTable:
    """One table from one or more files of the shipped shape, layered in order."""
    records: list[Any] = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            records.extend(json.load(handle)["parameters"])
    return table_from_dict({"parameters": records})


@cache
def shipped_table(program: str, state: str | None = None) -> ParameterTable:
    """The parameter table shipped with the code for `program` ("snap", "income_support", ...),
    with a state's file layered over it when `state` is given ("ct")."""
    try:
        filenames = [SHIPPED_FILES[program]]
    except KeyError:
        raise ParameterError(f"no shipped parameters for program {program!r}; known: {sorted(SHIPPED_FILES)}") from None
    if state is not None:
        filenames.append(state_file(program, state))
    return load_table(*(DATA_DIR / filename for filename in filenames))


def state_file(program: str, state: str) -> str:
    """The file of a state's figures for `program`; ParameterError naming the states shipped."""
    states = STATE_FILES.get(program, {})
    try:
        return states[state]
    except KeyError:
        raise ParameterError(
            f"no {program} parameters shipped for state {state!r}; shipped: {sorted(states)}"
        ) from None


class PreparedCache:
    """A small, bounded, thread-safe cache of prepared parameters by (table, day).

    Tables are compared by identity, so a table rebuilt from the database is a new key; the
    oldest entries are dropped past `maxsize`, so rebuilt tables are not kept alive for ever.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self._items: OrderedDict[tuple[int, date], tuple[ParameterTable, Any]] = OrderedDict()
        self._lock = Lock()
        self.maxsize = maxsize

    def get(self, table: ParameterTable, day: date, build: Callable[[], Any]) -> Any:
        key = (id(table), day)
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] is table:
                self._items.move_to_end(key)
                return item[1]
        value = build()
        with self._lock:
            self._items[key] = (table, value)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value


# Helpers for the programs' `prepare` functions --------------------------------------------


def size_table(value: Mapping[str, Decimal], name: str, *, sizes: int = 8) -> tuple[tuple[Decimal, ...], Decimal]:
    """A by-household-size table {"1": .., ..., "8": .., "each_additional": ..} as (by size, increment).

    The tuple is indexed by size (index 0 unused), so a rule reads `table[size]` without a dict.
    """
    try:
        by_size = (Decimal(0), *(Decimal(value[str(size)]) for size in range(1, sizes + 1)))
        return by_size, Decimal(value["each_additional"])
    except KeyError as missing:
        raise ParameterError(f"parameter {name!r} lacks the entry {missing.args[0]!r}") from None


def by_size(table: tuple[tuple[Decimal, ...], Decimal], size: int) -> Decimal:
    """The value for a household of `size`, adding the increment for each member past the last size."""
    values, increment = table
    last = len(values) - 1
    return values[size] if size <= last else values[last] + increment * (size - last)


def frequency_factors(value: Mapping[str, Mapping[str, Decimal]], name: str) -> dict[str, tuple[Decimal, Decimal]]:
    """{"weekly": {"multiply": "4.3", "divide": "1"}, ...} as {frequency: (multiply, divide)}.

    Every frequency must be present: a missing one would silently count an income as nothing.
    """
    missing = FREQUENCIES - set(value)
    if missing:
        raise ParameterError(f"parameter {name!r} lacks the frequencies {sorted(missing)}")
    try:
        return {freq: (Decimal(value[freq]["multiply"]), Decimal(value[freq]["divide"])) for freq in FREQUENCIES}
    except KeyError as missing_key:
        raise ParameterError(f"parameter {name!r}: each frequency needs {missing_key.args[0]!r}") from None
