"""Monthly work participation: the arithmetic, with no Django, tested alone.

Background: under TANF a work-eligible adult counts as engaged in work for a month when
they take part in work activities for an average of at least 30 hours a week (45 CFR
261.31, the overall rate; 20 hours for a single parent of a child under six, 45 CFR
261.35) or, in a two-parent family, 35 hours combined (45 CFR 261.32). An employment
plan turns that into weekly hours per activity; this module turns weekly hours into the
hours a calendar month requires and compares them with what was attended.

What we count here, as the agency's policy and simpler than the federal reporting rules:

- required = the sum over the activities of weekly_hours * (days the activity runs in the
  month / 7), plus the hours of each one-day session held in the month, rounded to 2
  decimals (half up) once, at the end;
- countable = hours attended + hours of excused absences (the hours scheduled but not
  attended on a day marked excused). 45 CFR 261.60(b) caps the excused hours a State may
  report (80 hours a year, 16 a month, plus 10 holidays); that cap is not applied here;
- a month is short when countable < required; any good cause recorded on a day of the
  month is for the worker to weigh, so a short month with good cause makes no task.
"""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Schedule:
    """An activity the client is scheduled to attend: its weekly hours and the dates it runs,
    or a session on one day (`starts_on`) with its hours that day."""

    weekly_hours: Decimal | None
    starts_on: date
    ends_on: date | None = None
    session_hours: Decimal | None = None

    def hours_in(self, year: int, month: int) -> Decimal:
        """What the month requires of this activity, unrounded."""
        if self.session_hours is not None:
            first, last = month_bounds(year, month)
            return self.session_hours if first <= self.starts_on <= last else ZERO
        return self.weekly_hours * days_running(self, year, month) / 7


@dataclass(frozen=True)
class Day:
    """One day's attendance at one activity."""

    day: date
    hours_scheduled: Decimal
    hours_attended: Decimal
    excused: bool = False
    good_cause: str = ""

    @property
    def excused_hours(self) -> Decimal:
        """Hours scheduled but missed, when the absence was excused."""
        if not self.excused:
            return ZERO
        return max(self.hours_scheduled - self.hours_attended, ZERO)


@dataclass(frozen=True)
class Participation:
    year: int
    month: int
    required: Decimal
    attended: Decimal
    excused: Decimal
    good_cause: bool

    @property
    def countable(self) -> Decimal:
        return self.attended + self.excused

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.countable, ZERO)

    @property
    def is_short(self) -> bool:
        return self.countable < self.required

    @property
    def needs_follow_up(self) -> bool:
        """Under the requirement, and nothing recorded that could explain it."""
        return self.is_short and not self.good_cause


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def days_running(schedule: Schedule, year: int, month: int) -> int:
    """How many days of the month fall between the activity's start and end (inclusive)."""
    first, last = month_bounds(year, month)
    start = max(first, schedule.starts_on)
    end = last if schedule.ends_on is None else min(last, schedule.ends_on)
    return max((end - start).days + 1, 0)


def required_hours(schedules: Iterable[Schedule], year: int, month: int) -> Decimal:
    """Sum of weekly_hours * days running / 7 and of the month's sessions' hours, rounded to the cent once
    (30 h/week in a 30-day month: 128.57)."""
    total = sum((s.hours_in(year, month) for s in schedules), ZERO)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def participation(schedules: Iterable[Schedule], days: Iterable[Day], year: int, month: int) -> Participation:
    """The month's requirement against what the client attended; days outside the month are ignored."""
    first, last = month_bounds(year, month)
    in_month = [d for d in days if first <= d.day <= last]
    return Participation(
        year=year,
        month=month,
        required=required_hours(schedules, year, month),
        attended=sum((d.hours_attended for d in in_month), ZERO),
        excused=sum((d.excused_hours for d in in_month), ZERO),
        good_cause=any(d.good_cause.strip() for d in in_month),
    )


def month_has_ended(year: int, month: int, today: date) -> bool:
    """Only a month that is fully past can be judged: its last day is before today."""
    return month_bounds(year, month)[1] < today


def parse_month(text: str) -> tuple[int, int]:
    """'2026-03' -> (2026, 3); ValueError otherwise."""
    year_text, sep, month_text = text.strip().partition("-")
    if not sep or len(year_text) != 4 or not year_text.isdigit() or not month_text.isdigit():
        raise ValueError(f"{text!r} is not a month written YYYY-MM.")
    year, month = int(year_text), int(month_text)
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError(f"{text!r} is not a month written YYYY-MM.")
    return year, month


def previous_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
