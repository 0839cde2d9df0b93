"""Reading the values of an HSDS row: older column spellings, numbers, dates, links, and
the model's own field checks; and the import's report."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from referrals.models import Service

# Older HSDS spellings of a column, by table: {table: {our name: (their names...)}}.
COLUMN_ALIASES = {
    "organization": {"website": ("url",)},
    "service": {"fees_description": ("fees",), "eligibility_description": ("eligibility",)},
    "language": {"name": ("language",)},
    "schedule": {"byday": ("weekday",)},
    "service_taxonomy": {"taxonomy_term_id": ("taxonomy_id",)},
    "taxonomy_term": {"taxonomy": ("vocabulary",)},
}
SERVICE_STATUSES = {s.lower(): s for s in Service.Status.values}
ADDRESS_FIELDS = ("address_hsds_id", "address_1", "address_2", "city", "state_province", "postal_code", "country")


class Bad(Exception):
    pass


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportReport:
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def summary(self) -> str:
        return "; ".join(f"{table}: {counts}" for table, counts in self.counts.items())


def column_value(table: str, row: dict[str, str], name: str) -> str:
    if row.get(name):
        return row[name]
    for alias in COLUMN_ALIASES.get(table, {}).get(name, ()):
        if row.get(alias):
            return row[alias]
    return ""


def url(text: str) -> str:
    """Publishers often leave out the scheme ('www.example.org'); a link needs one."""
    return f"http://{text}" if text and "://" not in text else text


def whole_number(text: str) -> int | None:
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Bad(f"'{text}' is not a number") from None
    if number != number.to_integral_value() or number < 0:
        raise Bad(f"'{text}' is not a whole number of zero or more")
    return int(number)


def decimal_in_range(text: str, low: int, high: int) -> Decimal | None:
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Bad(f"'{text}' is not a number") from None
    if not low <= number <= high:
        raise Bad(f"{text} is outside {low} to {high}")
    return number.quantize(Decimal("0.000001"))


def date_or_none(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise Bad(f"'{text}' is not a date (YYYY-MM-DD)") from None


def datetime_or_none(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Bad(f"'{text}' is not a date and time (ISO 8601)") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def model_errors(instance: models.Model, exclude: Iterable[str]) -> list[str]:
    """What the model's own field checks say about the values (lengths, emails, URLs, required)."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    return []
