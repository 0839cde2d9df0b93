"""Reads of inquiries and complaints, and their daily and monthly figures.

An inquiry belongs to its office: the office's caseworkers and supervisors see it, except
that one about a client is seen only by those the access rule lets see that client. The
case it is linked to is shown only to those who may see the case, so each row carries
`client_visible` and `case_visible`, decided by the database.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from accounts.access import case_scope, client_scope
from accounts.models import Office, User
from casework.models import Case, Inquiry
from clients.models import Client
from core.dates import day_bounds

WORKER_GROUPS = ["caseworker", "supervisor"]


def inquiries_visible(*, user) -> QuerySet[Inquiry]:
    """The inquiries of the user's office, if they are one of its caseworkers or supervisors.

    An inquiry about a client follows that client's access rule too: what it says about a
    restricted client is for their worker and supervisor only.
    """
    if not access.signed_in(user) or not access.may_work_cases(user) or not user.office_id:
        return Inquiry.objects.none()
    about_visible_client = Q(client__isnull=True) | client_scope(user, prefix="client__", include_merged=True)
    return Inquiry.objects.filter(about_visible_client, office_id=user.office_id)


def with_links(inquiries: QuerySet[Inquiry], *, user) -> QuerySet[Inquiry]:
    """Each inquiry with its handler and whether `user` may see its linked client and case."""
    return inquiries.select_related("handled_by", "client", "case").annotate(
        client_visible=Exists(Client.objects.filter(client_scope(user), pk=OuterRef("client_id"))),
        case_visible=Exists(Case.objects.filter(case_scope(user), pk=OuterRef("case_id"))),
    )


def inquiry_get(*, user, pk: int) -> Inquiry:
    """The inquiry if it is of the user's office, else 404."""
    return get_object_or_404(
        with_links(inquiries_visible(user=user), user=user).select_related("recorded_by", "office"), pk=pk
    )


def inquiry_list(
    *, user, status: str = "", overdue: bool = False, mine: bool = False, today: date | None = None
) -> QuerySet[Inquiry]:
    """The office's inquiries, newest first; `overdue` keeps open ones past their response date, oldest due first."""
    today = today or timezone.localdate()
    inquiries = inquiries_visible(user=user)
    if status in Inquiry.Status.values:
        inquiries = inquiries.filter(status=status)
    if mine:
        inquiries = inquiries.filter(handled_by=user)
    if overdue:
        inquiries = inquiries.filter(status=Inquiry.Status.OPEN, response_due_on__lt=today).order_by(
            "response_due_on", "id"
        )
    else:
        inquiries = inquiries.order_by("-received_at", "-id")
    return with_links(inquiries, user=user)


def inquiry_handlers(*, office_id: int | None) -> QuerySet[User]:
    """Who may handle the office's inquiries: its active caseworkers and supervisors."""
    return (
        User.objects.filter(office_id=office_id, is_active=True, groups__name__in=WORKER_GROUPS)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# Figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsRow:
    period: date
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class StatisticsTable:
    """Rows of periods, one column per choice, and the totals of each column."""

    columns: tuple[str, ...]
    rows: tuple[StatisticsRow, ...]

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row.counts[i] for row in self.rows) for i in range(len(self.columns)))

    @property
    def busy_rows(self) -> tuple[StatisticsRow, ...]:
        """The periods in which something was counted: a month of empty days says nothing."""
        return tuple(row for row in self.rows if row.total)

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass(frozen=True)
class InquiryStatistics:
    start: date
    end: date
    by_day: StatisticsTable  # day x channel
    by_month: StatisticsTable  # month x subject


def statistics_offices(*, user) -> list[Office]:
    """Offices whose figures the user may choose: every office for an auditor, otherwise their own."""
    if access.may_work_cases(user):
        return [user.office] if user.office_id else []
    return list(Office.objects.order_by("name"))


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _received(*, office_id: int | None, start: date, end: date, kind: str = "") -> QuerySet[Inquiry]:
    low, high = day_bounds(start, end)
    inquiries = Inquiry.objects.filter(received_at__gte=low, received_at__lt=high)
    if office_id is not None:
        inquiries = inquiries.filter(office_id=office_id)
    if kind in Inquiry.Kind.values:
        inquiries = inquiries.filter(kind=kind)
    return inquiries


def _by_day(inquiries: QuerySet[Inquiry], start: date, end: date) -> StatisticsTable:
    per_day = {
        (_as_date(row["day"]), row["channel"]): row["n"]
        for row in inquiries.annotate(day=TruncDate("received_at"))
        .values("day", "channel")
        .annotate(n=Count("id"))
        .order_by()
    }
    channels = Inquiry.Channel
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return StatisticsTable(
        columns=tuple(channels.labels),
        rows=tuple(StatisticsRow(day, tuple(per_day.get((day, c), 0) for c in channels.values)) for day in days),
    )


def inquiries_by_day(*, office_id: int | None, start: date, end: date) -> StatisticsTable:
    """Inquiries received from `start` to `end` (local days, inclusive) per day and channel, one
    aggregate query: the daily call statistics. `office_id` None counts every office."""
    return _by_day(_received(office_id=office_id, start=start, end=end), start, end)


def inquiry_statistics(*, office: Office | None, start: date, end: date, kind: str = "") -> InquiryStatistics:
    """Inquiries received from `start` to `end` (local days, inclusive), counted per day and channel and
    per month and subject, in two aggregate queries whatever the number of inquiries.

    `office` None counts every office (for auditors); callers check who may see which office.
    Months at either end count only the days inside the range.
    """
    inquiries = _received(office_id=office.pk if office is not None else None, start=start, end=end, kind=kind)
    per_month = {
        (_as_date(row["month"]), row["subject"]): row["n"]
        for row in inquiries.annotate(month=TruncMonth("received_at"))
        .values("month", "subject")
        .annotate(n=Count("id"))
        .order_by()
    }
    subjects = Inquiry.Subject
    return InquiryStatistics(
        start=start,
        end=end,
        by_day=_by_day(inquiries, start, end),
        by_month=StatisticsTable(
            columns=tuple(subjects.labels),
            rows=tuple(
                StatisticsRow(month, tuple(per_month.get((month, s), 0) for s in subjects.values))
                for month in _months(start, end)
            ),
        ),
    )
