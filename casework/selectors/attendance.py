"""Reads for attendance: the tab, a client's week, a month's participation, and the monthly job."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import client_scope
from casework import participation as arithmetic
from casework.models import AttendanceEntry, Case, Plan, ScheduledActivity, WorkActivity
from casework.selectors.plans import case_clients
from clients.models import Client, HouseholdMembership


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _runs_between(first: date, last: date) -> Q:
    return Q(starts_on__lte=last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=first))


def schedule_of(activity: ScheduledActivity) -> arithmetic.Schedule:
    return arithmetic.Schedule(
        weekly_hours=activity.weekly_hours,
        starts_on=activity.starts_on,
        ends_on=activity.ends_on,
        session_hours=activity.session_hours,
    )


def day_of(entry: AttendanceEntry) -> arithmetic.Day:
    return arithmetic.Day(
        day=entry.day,
        hours_scheduled=entry.hours_scheduled,
        hours_attended=entry.hours_attended,
        excused=entry.excused,
        good_cause=entry.good_cause,
    )


@dataclass
class ClientAttendance:
    """One client's activities on the case and their participation in the month shown."""

    client: Client
    activities: list[ScheduledActivity]
    participation: arithmetic.Participation
    month_ended: bool


def case_attendance(*, user, case: Case, year: int, month: int, today: date) -> list[ClientAttendance]:
    """For the attendance tab: each client (that the user may see) with scheduled activities on the case,
    their activities, and the month's required and countable hours. Two queries, whatever the numbers."""
    first, last = arithmetic.month_bounds(year, month)
    activities = (
        ScheduledActivity.objects.filter(client_scope(user, prefix="client__"), case=case)
        .select_related("client", "work_activity")
        .prefetch_related(
            Prefetch(
                "entries", queryset=AttendanceEntry.objects.filter(day__range=(first, last)), to_attr="month_entries"
            )
        )
        .order_by("client__last_name", "client__first_name", "client_id", "starts_on", "id")
    )
    grouped: dict[int, list[ScheduledActivity]] = {}
    for activity in activities:
        grouped.setdefault(activity.client_id, []).append(activity)
    rows = []
    for items in grouped.values():
        running = [a for a in items if a.starts_on <= last and (a.ends_on is None or a.ends_on >= first)]
        result = arithmetic.participation(
            [schedule_of(a) for a in running],
            [day_of(e) for a in running for e in a.month_entries],
            year,
            month,
        )
        rows.append(
            ClientAttendance(
                client=items[0].client,
                activities=items,
                participation=result,
                month_ended=arithmetic.month_has_ended(year, month, today),
            )
        )
    return rows


def case_client_get(*, user, case: Case, pk: int) -> Client:
    """A client of the case (primary, or a current household member) the user may see; else 404."""
    return get_object_or_404(case_clients(user=user, case=case), pk=pk)


def week_activities(*, case: Case, client: Client, monday: date) -> list[ScheduledActivity]:
    """The client's activities on the case that run on some day of the week, each with that week's entries."""
    sunday = monday + timedelta(days=6)
    return list(
        ScheduledActivity.objects.filter(_runs_between(monday, sunday), case=case, client=client)
        .prefetch_related(
            Prefetch(
                "entries", queryset=AttendanceEntry.objects.filter(day__range=(monday, sunday)), to_attr="week_entries"
            )
        )
        .order_by("starts_on", "id")
    )


def schedulable_work_activities(*, case: Case, clients: QuerySet[Client]) -> QuerySet[WorkActivity]:
    """Work activities of the agreed employment plans on the case, to link a schedule to."""
    return (
        WorkActivity.objects.filter(
            plan__case=case,
            plan__client__in=clients,
            plan__kind=Plan.Kind.EMPLOYMENT,
            plan__status=Plan.Status.AGREED,
        )
        .select_related("plan__client")
        .order_by("plan__client__last_name", "id")
    )


def participation_for(*, case: Case, client: Client, year: int, month: int) -> arithmetic.Participation:
    """The month's participation of a client on a case, for the review job (not scoped to a user)."""
    first, last = arithmetic.month_bounds(year, month)
    activities = list(ScheduledActivity.objects.filter(_runs_between(first, last), case=case, client=client))
    entries = AttendanceEntry.objects.filter(activity__in=activities, day__range=(first, last))
    return arithmetic.participation([schedule_of(a) for a in activities], [day_of(e) for e in entries], year, month)


def participation_pairs(*, year: int, month: int) -> list[tuple[int, int]]:
    """(case id, client id) of everyone with an activity running in the month, for the monthly review."""
    first, last = arithmetic.month_bounds(year, month)
    return list(
        ScheduledActivity.objects.filter(_runs_between(first, last))
        .values_list("case_id", "client_id")
        .distinct()
        .order_by("case_id", "client_id")
    )


#: Who in a household is a parent or caretaker relative for the participation rate (see `family_from_members`).
CARETAKERS = (
    HouseholdMembership.Relationship.HEAD,
    HouseholdMembership.Relationship.SPOUSE,
    HouseholdMembership.Relationship.PARTNER,
)


def participation_rate_families(*, cases: QuerySet[Case], year: int, month: int) -> list[arithmetic.Family]:
    """The families of `cases` (one per case, its household's members in the month) with their work-eligible
    adults' countable hours, as the attendance tab counts them. Two queries, whatever the numbers."""
    first, last = arithmetic.month_bounds(year, month)
    members = (
        HouseholdMembership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first),
            start_date__lte=last,
            household__cases__in=cases,
        )
        .values_list("household__cases__id", "client_id", "client__date_of_birth", "relationship")
        .order_by("household__cases__id", "client_id")
        .distinct()
    )
    entries = AttendanceEntry.objects.filter(activity__case__in=cases, day__range=(first, last)).values_list(
        "activity__case_id", "activity__client_id", "day", "hours_scheduled", "hours_attended", "excused", "good_cause"
    )
    days: dict[tuple[int, int], list[arithmetic.Day]] = {}
    for case_id, client_id, *fields in entries:
        days.setdefault((case_id, client_id), []).append(arithmetic.Day(*fields))
    households: dict[int, list[tuple[int, date, bool]]] = {}
    for case_id, client_id, born, relationship in members:
        households.setdefault(case_id, []).append((client_id, born, relationship in CARETAKERS))
    families = []
    for case_id, people in households.items():
        family = arithmetic.family_from_members(
            [
                (
                    born,
                    caretaker,
                    arithmetic.participation([], days.get((case_id, client_id), []), year, month).countable,
                )
                for client_id, born, caretaker in people
            ],
            year,
            month,
        )
        if family is not None:
            families.append(family)
    return families
