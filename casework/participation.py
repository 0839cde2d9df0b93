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


# The work participation rate ------------------------------------------------------------------------------
#
# The figures of the federal rate, in one place. The rate a State must reach: 50 % of all families
# (45 CFR 261.21) and 90 % of two-parent families (45 CFR 261.23). The hours a family must average
# each week of the month to count as engaged in work: 30 (45 CFR 261.31), 20 for a single parent or
# caretaker relative of a child under 6 (45 CFR 261.35), 35 between the parents of a two-parent family
# (45 CFR 261.32).

ALL_FAMILY_RATE_TARGET = Decimal("50")
TWO_PARENT_RATE_TARGET = Decimal("90")
WEEKLY_HOURS_ALL_FAMILIES = Decimal("30")
WEEKLY_HOURS_SINGLE_PARENT_CHILD_UNDER_6 = Decimal("20")
WEEKLY_HOURS_TWO_PARENT = Decimal("35")
ADULT_AGE = 18
YOUNG_CHILD_AGE = 6


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Family:
    """A family counted in the rate: its work-eligible adults' countable hours in the month, and whether
    it has two parents and a child under 6 (read from its household, see `family_from_members`)."""

    adults_hours: tuple[Decimal, ...]
    two_parent: bool
    child_under_6: bool

    @property
    def weekly_hours_required(self) -> Decimal:
        if self.two_parent:
            return WEEKLY_HOURS_TWO_PARENT
        if self.child_under_6:
            return WEEKLY_HOURS_SINGLE_PARENT_CHILD_UNDER_6
        return WEEKLY_HOURS_ALL_FAMILIES

    def hours_required(self, year: int, month: int) -> Decimal:
        """The weekly average over the month, counted as `required_hours` counts a weekly activity."""
        first, _last = month_bounds(year, month)
        return required_hours([Schedule(weekly_hours=self.weekly_hours_required, starts_on=first)], year, month)

    def hours(self) -> Decimal:
        """Two parents' hours add up (45 CFR 261.32); a one-parent family counts its best-attending adult."""
        if self.two_parent:
            return sum(self.adults_hours, ZERO)
        return max(self.adults_hours, default=ZERO)

    def meets(self, year: int, month: int) -> bool:
        return self.hours() >= self.hours_required(year, month)


def family_from_members(members: Iterable[tuple[date, bool, Decimal]], year: int, month: int) -> Family | None:
    """A family from its household members as recorded: for each, (date of birth, is a parent or caretaker:
    the head, their spouse or partner, countable hours in the month).

    Approximations, because the household does not record more: the work-eligible adults are the head,
    spouse and partner aged 18 or more on the first of the month (45 CFR 261.2(n)'s exclusions, such as an
    SSI recipient or a non-recipient parent, are not applied); a family is two-parent when it has two of
    them and a member under 18; its youngest child is its youngest member under 18. None when the family
    has no work-eligible adult (it is not in the rate)."""
    first, _last = month_bounds(year, month)
    adults: list[Decimal] = []
    children = 0
    youngest: int | None = None
    for born, caretaker, hours in members:
        age = age_on(born, first)
        if caretaker and age >= ADULT_AGE:
            adults.append(hours)
        elif age < ADULT_AGE:
            children += 1
            youngest = age if youngest is None else min(youngest, age)
    if not adults:
        return None
    return Family(
        adults_hours=tuple(adults),
        two_parent=len(adults) >= 2 and children > 0,
        child_under_6=youngest is not None and youngest < YOUNG_CHILD_AGE,
    )


@dataclass(frozen=True)
class ParticipationRate:
    families: int
    engaged: int
    two_parent_families: int
    two_parent_engaged: int

    @staticmethod
    def percent(part: int, whole: int) -> Decimal | None:
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if whole else None

    @property
    def all_family_rate(self) -> Decimal | None:
        return self.percent(self.engaged, self.families)

    @property
    def two_parent_rate(self) -> Decimal | None:
        return self.percent(self.two_parent_engaged, self.two_parent_families)


def participation_rate(families: Iterable[Family], year: int, month: int) -> ParticipationRate:
    """The month's rate: families meeting their hours over the families counted, overall and two-parent."""
    counted = list(families)
    two = [f for f in counted if f.two_parent]
    return ParticipationRate(
        families=len(counted),
        engaged=sum(f.meets(year, month) for f in counted),
        two_parent_families=len(two),
        two_parent_engaged=sum(f.meets(year, month) for f in two),
    )
