"""Scheduled activities, the week's attendance, and the monthly participation review.

The hours an employment plan requires each week come from the TANF work participation
rules (45 CFR 261.31 and 261.32; see `casework.participation` for how a month is counted).
"""

from calendar import month_name
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_value
from casework import participation as arithmetic
from casework.models import AttendanceEntry, Case, Plan, ScheduledActivity, Task, WorkActivity
from casework.selectors import attendance as selectors
from casework.services.plans import check_client_of_case
from casework.services.tasks import task_create
from clients.models import Client

Action = AuditEvent.Action

CENT = Decimal("0.01")
DAY_HOURS = Decimal("24")
MAX_WEEKLY_HOURS = Decimal("80")  # the table's check constraint
# Time for the worker to reach the client and ask about good cause before anything else happens.
PARTICIPATION_FOLLOW_UP_DAYS = 10


def _check_may_work(user: User) -> None:
    if not access.may_work_cases(user):
        raise PermissionDenied(_("Only caseworkers and supervisors record attendance."))


# Scheduled activities ------------------------------------------------------------------------------


def scheduled_activity_create(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    name: str,
    weekly_hours: Decimal,
    starts_on: date,
    ends_on: date | None = None,
    work_activity: WorkActivity | None = None,
) -> ScheduledActivity:
    """Schedule a client of the case for an activity with weekly hours, optionally one of their employment plan's."""
    _check_may_work(acting_user)
    errors = {}
    if not name.strip():
        errors["name"] = "Name the activity."
    if weekly_hours is None or not Decimal("0") < weekly_hours <= MAX_WEEKLY_HOURS:
        errors["weekly_hours"] = f"Weekly hours are more than 0 and at most {MAX_WEEKLY_HOURS}."
    if starts_on is None:
        errors["starts_on"] = "Give the first day."
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The last day cannot come before the first."
    if errors:
        raise ValidationError(errors)
    return _schedule(
        acting_user=acting_user, case=case, client=client, work_activity=work_activity, name=name.strip(),
        weekly_hours=weekly_hours, starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip


def scheduled_session_create(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    name: str,
    day: date,
    hours: Decimal,
    work_activity: WorkActivity | None = None,
) -> ScheduledActivity:
    """Schedule a client of the case for a session held on one day (a job club, a training day) and its hours:
    the month of `day` requires those hours (`casework.participation`)."""
    _check_may_work(acting_user)
    errors = {}
    if not name.strip():
        errors["name"] = "Name the activity."
    if hours is None or not Decimal("0") < hours <= DAY_HOURS:
        errors["hours"] = f"A session runs more than 0 and at most {DAY_HOURS} hours."
    if day is None:
        errors["day"] = "Give the day."
    if errors:
        raise ValidationError(errors)
    return _schedule(
        acting_user=acting_user, case=case, client=client, work_activity=work_activity, name=name.strip(),
        session_hours=hours, starts_on=day, ends_on=day,
    )  # fmt: skip


def _schedule(
    *, acting_user: User, case: Case, client: Client, work_activity: WorkActivity | None, **fields
) -> ScheduledActivity:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_active:
            raise ValidationError(_("The case is closed; reopen it to schedule activities."))
        check_client_of_case(case=case, client=client)
        if work_activity is not None:
            plan = work_activity.plan
            if plan.case_id != case.pk or plan.client_id != client.pk or plan.kind != Plan.Kind.EMPLOYMENT:
                raise ValidationError(
                    {"work_activity": _("Choose an activity of %(client)s's employment plan.") % {"client": client}}
                )
            if plan.status != Plan.Status.AGREED:
                raise ValidationError({"work_activity": _("Choose an activity of the plan as agreed.")})
        activity = ScheduledActivity.objects.create(case=case, client=client, work_activity=work_activity, **fields)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=activity,
            client_ids=[client.pk],
            changes={
                **{key: [None, audit_value(value)] for key, value in fields.items()},
                "work_activity_id": [None, work_activity.pk if work_activity else None],
            },
        )
    return activity


def scheduled_activity_end(*, acting_user: User, activity: ScheduledActivity, ends_on: date) -> ScheduledActivity:
    """Set the last day of an activity; attendance already recorded after it keeps it from ending earlier."""
    _check_may_work(acting_user)
    if ends_on is None:
        raise ValidationError({"ends_on": _("Give the last day.")})
    with transaction.atomic():
        activity = ScheduledActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.is_session:
            raise ValidationError({"ends_on": _("A session is held on its one day.")})
        if ends_on < activity.starts_on:
            raise ValidationError({"ends_on": f"The activity starts on {activity.starts_on:%Y-%m-%d}."})
        later = activity.entries.filter(day__gt=ends_on).order_by("-day").values_list("day", flat=True).first()
        if later is not None:
            raise ValidationError({"ends_on": f"Attendance is recorded up to {later:%Y-%m-%d}."})
        if activity.ends_on == ends_on:
            return activity
        old = activity.ends_on
        activity.ends_on = ends_on
        activity.save(update_fields=["ends_on"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=activity,
            client_ids=[activity.client_id],
            changes={"ends_on": [audit_value(old), audit_value(ends_on)]},
        )
    return activity


# A week of attendance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    """The hours of one activity on one day, as entered."""

    activity_id: int
    day: date
    hours_scheduled: Decimal
    hours_attended: Decimal
    excused: bool = False
    good_cause: str = ""


def _summary(hours_scheduled, hours_attended, excused, good_cause) -> dict:
    """An entry's values for the trail, hours to the cent so that 6 and 6.00 compare equal."""
    return {
        "scheduled": audit_value(hours_scheduled.quantize(CENT)),
        "attended": audit_value(hours_attended.quantize(CENT)),
        "excused": excused,
        "good_cause": good_cause,
    }


def _check_hours(value: Decimal | None, label: str) -> str | None:
    if value is None:
        return f"Enter the hours {label} (0 if none)."
    if value < 0:
        return "Hours cannot be negative."
    if value > DAY_HOURS:
        return "A day has 24 hours; enter 24 or less."
    return None


def attendance_week_record(
    *, acting_user: User, case: Case, client: Client, monday: date, rows: Sequence[AttendanceRow]
) -> list[AttendanceEntry]:
    """Record a week of a client's attendance: each row makes or replaces the entry of its activity and day.

    All or nothing: if any row is refused, nothing is saved, and the error names the row
    (`ValidationError` keyed "<row index>:<field>"). A row is refused for hours below 0 or
    above 24 (attended may exceed scheduled), a day outside the week, outside the activity's
    dates or still to come, or more than 24 hours attended by the client on one day in all.
    """
    _check_may_work(acting_user)
    if monday.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    sunday = monday + timedelta(days=6)
    today = timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    with transaction.atomic():
        # The activities are locked first, so two people saving the same week take turns.
        ids = sorted({row.activity_id for row in rows})
        activities = {
            a.pk: a
            for a in ScheduledActivity.objects.select_for_update()
            .filter(pk__in=ids, case=case, client=client)
            .order_by("pk")
        }
        existing = {
            (e.activity_id, e.day): e
            for e in AttendanceEntry.objects.filter(
                activity__case=case, activity__client=client, day__range=(monday, sunday)
            )
        }
        seen: set[tuple[int, date]] = set()
        for index, row in enumerate(rows):
            activity = activities.get(row.activity_id)
            if activity is None:
                errors[f"{index}:"].append(f"This is not one of {client}'s activities on this case.")
                continue
            for field, label in (("hours_scheduled", "scheduled"), ("hours_attended", "attended")):
                problem = _check_hours(getattr(row, field), label)
                if problem:
                    errors[f"{index}:{field}"].append(problem)
            if not monday <= row.day <= sunday:
                errors[f"{index}:hours_attended"].append(f"{row.day:%a %d %b} is not in the week of {monday:%d %b}.")
            elif not activity.runs_on(row.day):
                until = f" to {activity.ends_on:%a %d %b %Y}" if activity.ends_on else ""
                errors[f"{index}:hours_attended"].append(
                    f"{activity.name} runs from {activity.starts_on:%a %d %b %Y}{until}; "
                    f"{row.day:%a %d %b} is outside its dates."
                )
            elif row.day > today:
                errors[f"{index}:hours_attended"].append(f"{row.day:%a %d %b} has not come yet.")
            if (row.activity_id, row.day) in seen:
                errors[f"{index}:"].append(f"{activity.name} on {row.day:%a %d %b} is entered twice.")
            seen.add((row.activity_id, row.day))
            if len(row.good_cause) > 200:
                errors[f"{index}:good_cause"].append("Keep the good cause to 200 characters.")
        # One person attends at most 24 hours a day, however many activities.
        per_day: dict[date, Decimal] = defaultdict(Decimal)
        for (activity_id, day), entry in existing.items():
            if (activity_id, day) not in seen:
                per_day[day] += entry.hours_attended
        for row in rows:
            if row.hours_attended is not None and row.activity_id in activities:
                per_day[row.day] += row.hours_attended
        for index, row in enumerate(rows):
            alone_fine = row.hours_attended is not None and 0 <= row.hours_attended <= DAY_HOURS
            if row.activity_id in activities and alone_fine and per_day[row.day] > DAY_HOURS:
                errors[f"{index}:hours_attended"].append(
                    f"{per_day[row.day]} hours attended on {row.day:%a %d %b} across activities; a day has 24."
                )
        if errors:
            raise ValidationError(dict(errors))

        saved: list[AttendanceEntry] = []
        changes: dict[str, list] = {}
        now = timezone.now()
        for row in rows:
            activity = activities[row.activity_id]
            values = {
                "hours_scheduled": row.hours_scheduled,
                "hours_attended": row.hours_attended,
                "excused": row.excused,
                "good_cause": row.good_cause.strip(),
            }
            entry = existing.get((row.activity_id, row.day))
            label = f"{row.day.isoformat()} {activity.name} (#{activity.pk})"
            if entry is None:
                entry = AttendanceEntry.objects.create(
                    activity=activity, day=row.day, entered_by=acting_user, entered_at=now, **values
                )
                changes[label] = [None, _summary(**values)]
            else:
                before = _summary(entry.hours_scheduled, entry.hours_attended, entry.excused, entry.good_cause)
                if before == _summary(**values):
                    saved.append(entry)
                    continue
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.entered_by = acting_user
                entry.entered_at = now
                entry.save(update_fields=[*values, "entered_by", "entered_at"])
                changes[label] = [before, _summary(**values)]
            saved.append(entry)
        if changes:
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                object_type=AttendanceEntry._meta.label_lower,
                object_id=f"{client.pk}:{monday.isoformat()}",
                object_repr=f"Attendance of {client}, week of {monday:%Y-%m-%d}",
                client_ids=[client.pk],
                changes=changes,
            )
    return saved


# The monthly participation review ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationReview:
    participation: arithmetic.Participation
    task: Task | None
    task_created: bool


def participation_key(*, client: Client, year: int, month: int) -> str:
    return f"participation:{client.pk}:{year}-{month:02d}"


def participation_review(*, case: Case, client: Client, year: int, month: int) -> ParticipationReview:
    """Compare a client's month (fully past) with the hours their activities require.

    Short of the requirement with no good cause recorded on any day of the month, it puts a
    "participation" task on the case worker's list, once however often it runs. The hours
    follow the TANF work participation rules (45 CFR 261.31, 261.32); the arithmetic is
    `casework.participation.participation`.
    """
    if not 1 <= month <= 12:
        raise ValidationError(_("A month is 1 to 12."))
    today = timezone.localdate()
    if not arithmetic.month_has_ended(year, month, today):
        raise ValidationError(
            _("%(value)s %(year)s has not ended; review a month once it is over.")
            % {"value": month_name[month], "year": year}
        )
    result = selectors.participation_for(case=case, client=client, year=year, month=month)
    if not result.needs_follow_up:
        return ParticipationReview(participation=result, task=None, task_created=False)
    key = participation_key(client=client, year=year, month=month)
    with transaction.atomic():
        existed = Task.objects.filter(dedupe_key=key).exists()
        task = task_create(
            case=case,
            kind=Task.Kind.PARTICIPATION,
            title=f"Participation shortfall: {client}, {month_name[month]} {year}",
            due_on=today + timedelta(days=PARTICIPATION_FOLLOW_UP_DAYS),
            details=(
                f"{result.countable} countable hours (attended {result.attended}, excused {result.excused}) "
                f"of {result.required} required; {result.shortfall} short. No good cause is recorded. "
                "Contact the client about the missed hours."
            ),
            dedupe_key=key,
        )
    return ParticipationReview(participation=result, task=task, task_created=not existed)
