"""Plausible dates: the range a date of each kind may fall in, so 1850, 2150 or 0001-01-01 is refused.

Today is `timezone.localdate()`, so a frozen clock in tests moves every range with it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from django.utils import timezone

EARLIEST = date(1900, 1, 1)


class DateKind(enum.Enum):
    BIRTH = "birth"  # from 1900-01-01 to today
    EVENT = "event"  # something that happened: not after today, not before the person was born
    PLANNED = "planned"  # a due, target or review date: from a year ago to five years ahead
    EXPIRY = "expiry"  # when a document or a consent lapses: within twenty years either way


def _years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plausible_range(kind: DateKind, *, born: date | None = None) -> tuple[date, date]:
    today = timezone.localdate()
    if kind is DateKind.BIRTH:
        return EARLIEST, today
    if kind is DateKind.EVENT:
        return max(EARLIEST, born or EARLIEST), today
    if kind is DateKind.PLANNED:
        # A task or step written up a little late may be due in the recent past; plans, reviews
        # and certification periods run a few years at most.
        return _years(today, -1), _years(today, 5)
    # Identity documents run up to ten years, and a lapsed one is still worth recording.
    return _years(today, -20), _years(today, 20)


def plausible_date_error(day: date, kind: DateKind, *, born: date | None = None) -> str | None:
    """What is wrong with `day` as a date of `kind`, in words; None when it is plausible."""
    earliest, latest = plausible_range(kind, born=born)
    if kind is DateKind.BIRTH and not earliest <= day <= latest:
        return f"Enter a date of birth between {earliest:%Y-%m-%d} and today."
    if kind is DateKind.EVENT:
        if day > latest:
            return "Enter a date that has already happened (today or earlier)."
        if born and day < born:
            return f"This date is before the client's date of birth ({born:%Y-%m-%d})."
        if day < earliest:
            return f"Enter a date from {earliest:%Y-%m-%d} on."
        return None
    if not earliest <= day <= latest:
        return f"Enter a date between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}."
    return None


# Reading dates typed in a query, months and the day's bounds -----------------------------------


def parse_iso_date(text: str | None) -> date | None:
    """A date written YYYY-MM-DD, or None when there is none or it is not one."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_month(text: str | None) -> date | None:
    """The first of a month written YYYY-MM, or None."""
    return parse_iso_date(f"{text}-01") if text and len(text) == 7 else None


def add_months(month: date, months: int) -> date:
    """The first of the month `months` after (or before, negative) the month of `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments that bound the local days from `start` to `end` inclusive: [start 00:00, the day after end)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )
