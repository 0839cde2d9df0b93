"""Reads of appointments: a case's tab, a worker's day and week, a supervisor's team, the jobs'
lists, the iCalendar feed, and the on-call roster. Scoped by the case access rule."""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from accounts.access import case_scope
from accounts.models import CaseAccess, OnCallShift, Role, User
from casework.models import Appointment, AppointmentParticipant, AppointmentStatusChange, CalendarFeed, Case
from clients.models import Client

WORKER_GROUPS = [Role.CASEWORKER, Role.SUPERVISOR]


def appointments_visible(*, user) -> QuerySet[Appointment]:
    """Appointments on cases `user` may see."""
    return Appointment.objects.filter(case_scope(user, prefix="case__"))


def appointment_get(*, user, pk: int) -> Appointment:
    """The appointment with its history and participants if `user` may see its case, else 404."""
    return get_object_or_404(
        appointments_visible(user=user)
        .select_related("case", "client", "worker", "created_by", "rescheduled_to", "reminder", "missed_notice")
        .prefetch_related(
            Prefetch("status_changes", queryset=AppointmentStatusChange.objects.select_related("changed_by")),
            Prefetch("participants", queryset=AppointmentParticipant.objects.select_related("user")),
        ),
        pk=pk,
    )


def appointment_rescheduled_from(*, appointment: Appointment) -> Appointment | None:
    return Appointment.objects.filter(rescheduled_to=appointment).first()


def case_appointments(*, case: Case) -> list[Appointment]:
    """All appointments of a case the caller fetched through `case_get`, latest first."""
    return list(Appointment.objects.filter(case=case).select_related("client", "worker").order_by("-starts_at", "-id"))


def case_clients(*, case: Case) -> list[Client]:
    """The clients of a case (its access rows), for choosing whom an appointment is with."""
    return list(Client.objects.filter(pk__in=CaseAccess.objects.filter(case_id=case.pk).values("client_id")))


def case_client(*, case: Case, client_id: int) -> Client:
    return get_object_or_404(
        Client.objects.filter(pk__in=CaseAccess.objects.filter(case_id=case.pk).values("client_id")), pk=client_id
    )


def _day_bounds(first: date, days: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(first + timedelta(days=days), time.min, tzinfo=zone)
    return start, end


def calendar_workers(*, user: User) -> list[User]:
    """Whose calendar `user` may open: their own, and a supervisor's team members'."""
    workers = [user]
    if access.may_supervise(user):
        workers += list(
            User.objects.filter(team__supervisor=user, is_active=True)
            .exclude(pk=user.pk)
            .order_by("last_name", "first_name", "username")
        )
    return workers


def calendar(*, user: User, workers: list[User], first: date, days: int) -> list[Appointment]:
    """The appointments of `workers` from `first` for `days` days, on cases `user` may see.

    A fixed number of queries whatever the number of rows (case and client come along).
    Cancelled and rescheduled ones are left out: their time is free.
    """
    start, end = _day_bounds(first, days)
    return list(
        appointments_visible(user=user)
        .filter(worker__in=workers, starts_at__lt=end, ends_at__gt=start)
        .exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED])
        .select_related("case", "client", "worker")
        .order_by("starts_at", "worker__last_name", "id")
    )


def by_day(appointments: list[Appointment], *, first: date, days: int) -> list[tuple[date, list[Appointment]]]:
    """The appointments grouped by their local start date, one entry per day even when empty."""
    grouped: dict[date, list[Appointment]] = {first + timedelta(days=n): [] for n in range(days)}
    for appointment in appointments:
        day = timezone.localdate(appointment.starts_at)
        if day in grouped:
            grouped[day].append(appointment)
    return list(grouped.items())


def appointments_to_remind(*, now: datetime, days: int) -> list[int]:
    """Scheduled appointments not yet reminded that start between now and the end of the day `days` ahead."""
    _start, end = _day_bounds(timezone.localdate(now) + timedelta(days=days), 1)
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.SCHEDULED,
            reminder_sent_at__isnull=True,
            reminder_problem="",
            starts_at__gt=now,
            starts_at__lt=end,
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )


def appointments_unmarked(*, now: datetime) -> list[int]:
    """Scheduled appointments that ended before now and nobody marked kept or missed."""
    return list(
        Appointment.objects.filter(status=Appointment.Status.SCHEDULED, ends_at__lte=now)
        .order_by("ends_at")
        .values_list("pk", flat=True)
    )


def feed_of(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_get(*, token: str) -> CalendarFeed:
    return get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)


def feed_appointments(*, worker: User, now: datetime) -> list[Appointment]:
    """The worker's appointments from 60 days ago onwards, for their calendar feed. Only the case is
    loaded: the feed names no client."""
    return list(
        Appointment.objects.filter(worker=worker, starts_at__gte=now - timedelta(days=60))
        .select_related("case")
        .only("pk", "kind", "status", "starts_at", "ends_at", "created_at", "case__number")
        .order_by("starts_at")
    )


def on_call_roster(*, office_id: int, now: datetime, days: int = 14) -> list[OnCallShift]:
    """An office's shifts running now or starting in the next `days` days, cancelled ones aside."""
    return list(
        OnCallShift.objects.filter(
            office_id=office_id, cancelled_at__isnull=True, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
        )
        .select_related("user", "office")
        .order_by("starts_at")
    )


def on_call_now(*, office_id: int, now: datetime) -> list[OnCallShift]:
    return [shift for shift in on_call_roster(office_id=office_id, now=now, days=1) if shift.starts_at <= now]


def roster_workers(*, office_id: int) -> QuerySet[User]:
    """Who may be put on call for an office: its active caseworkers and supervisors."""
    return (
        User.objects.filter(office_id=office_id, is_active=True, groups__name__in=WORKER_GROUPS)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
