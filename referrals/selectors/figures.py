"""Referral figures per month, without names: five queries whatever the number of referrals.

A referral counts in the month it was made (its `created_at`, in the agency's time zone).
"Share completed" is the part of that month's referrals that ended with the client getting
the service; "days to completion" run from sending to the completed move, and their median
is taken over the month's completed referrals, in Python, the same on every database.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import median

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Office, Role
from referrals.models import Referral

S = Referral.Status


@dataclass
class MonthRow:
    month: date | None  # None for the totals of a range
    made: int = 0
    completed: int = 0
    not_completed: int = 0
    declined: int = 0
    withdrawn: int = 0
    open: int = 0
    days_to_completion: list[float] = field(default_factory=list)

    @property
    def share_completed(self) -> float | None:
        return self.completed / self.made if self.made else None

    @property
    def median_days(self) -> float | None:
        return round(median(self.days_to_completion), 1) if self.days_to_completion else None


def total_row(rows: list[MonthRow]) -> MonthRow:
    """The range's totals: counts summed, the median over every completed referral of the range."""
    total = MonthRow(month=None)
    for row in rows:
        for name in ("made", "completed", "not_completed", "declined", "withdrawn", "open"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.days_to_completion.extend(row.days_to_completion)
    return total


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _start(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


def figures_scope(*, user, office: Office | None = None) -> QuerySet[Referral]:
    """Auditors and admins see every office (or the one asked for); a supervisor their own office."""
    referrals = Referral.objects.all()
    if {Role.AUDITOR, Role.ADMIN} & user.roles:
        return referrals.filter(case__office=office) if office else referrals
    if Role.SUPERVISOR in user.roles and user.office_id:
        return referrals.filter(case__office_id=user.office_id)
    return referrals.none()


def referral_figures(*, user, month: date, months: int = 12, office: Office | None = None) -> dict:
    """The `months` months up to `month` in a table, and `month` broken down by organization,
    category and outcome."""
    first = add_months(month, -(months - 1))
    scope = figures_scope(user=user, office=office)
    in_range = scope.filter(created_at__gte=_start(first), created_at__lt=_start(add_months(month, 1)))
    in_month = scope.filter(created_at__gte=_start(month), created_at__lt=_start(add_months(month, 1)))

    rows = {add_months(first, i): MonthRow(month=add_months(first, i)) for i in range(months)}
    monthly = (
        in_range.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            made=Count("id"),
            completed=Count("id", filter=Q(status=S.COMPLETED)),
            not_completed=Count("id", filter=Q(status=S.NOT_COMPLETED)),
            declined=Count("id", filter=Q(status=S.DECLINED)),
            withdrawn=Count("id", filter=Q(status=S.WITHDRAWN)),
            open=Count("id", filter=Q(status__in=Referral.OPEN)),
        )
        .order_by("month")
    )
    for values in monthly:
        moment = values.pop("month")
        key = (timezone.localtime(moment) if isinstance(moment, datetime) else moment).replace(day=1)
        key = key.date() if isinstance(key, datetime) else key
        if key in rows:
            for name, number in values.items():
                setattr(rows[key], name, number)
    completed = in_range.filter(status=S.COMPLETED).values_list("created_at", "sent_at", "closed_at")
    for created_at, sent_at, closed_at in completed:
        key = timezone.localtime(created_at).date().replace(day=1)
        rows[key].days_to_completion.append((closed_at - (sent_at or created_at)).total_seconds() / 86400)

    by_organization = list(
        in_month.values("organization__name").annotate(n=Count("id")).order_by("-n", "organization__name")
    )
    by_category = list(
        in_month.values("service__categories__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "service__categories__name")
    )
    by_outcome = list(in_month.values("status", "outcome").annotate(n=Count("id")).order_by("-n", "status"))
    statuses, outcomes = dict(S.choices), dict(Referral.Outcome.choices)
    return {
        "months": list(rows.values()),
        # A year of empty months says nothing: the page lists the months in which referrals were made.
        "busy_months": [row for row in rows.values() if row.made],
        "total": total_row(list(rows.values())),
        "month": rows[month],
        "by_organization": [(r["organization__name"], r["n"]) for r in by_organization],
        "by_category": [(r["service__categories__name"] or "No category", r["n"]) for r in by_category],
        "by_outcome": [
            (statuses[r["status"]] + (f": {outcomes[r['outcome']].lower()}" if r["outcome"] else ""), r["n"])
            for r in by_outcome
        ],
    }


# How receiving organizations answer: per organization and service, and month by month ---------


@dataclass
class PartnerRow:
    """One organization's service (or a month): how referrals sent to it were answered."""

    organization: str
    service: str
    month: date | None = None
    sent: int = 0
    accepted: int = 0  # accepted, then served or not
    declined: int = 0
    completed: int = 0
    not_completed: int = 0
    days_to_respond: list[float] = field(default_factory=list)
    reasons_not_served: dict[str, int] = field(default_factory=dict)

    @property
    def responded(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.responded if self.responded else None

    @property
    def served_rate(self) -> float | None:
        """Of the accepted referrals whose outcome is known, the share that ended with the client served."""
        known = self.completed + self.not_completed
        return self.completed / known if known else None

    @property
    def median_days_to_respond(self) -> float | None:
        return round(median(self.days_to_respond), 1) if self.days_to_respond else None


def partner_figures(*, user, month: date, months: int = 12, office: Office | None = None) -> dict:
    """Referrals sent in the `months` months up to `month`: per organization and service, and per month.

    Two queries whatever the number of referrals: the counts grouped in the database, then the
    moments of the answered ones for the days to respond (a median, taken in Python).
    """
    first = add_months(month, -(months - 1))
    sent = figures_scope(user=user, office=office).filter(
        sent_at__gte=_start(first), sent_at__lt=_start(add_months(month, 1))
    )
    accepted_q = Q(status__in=[S.ACCEPTED, S.COMPLETED, S.NOT_COMPLETED])
    grouped = (
        sent.annotate(month=TruncMonth("sent_at"))
        .values("organization__name", "service__name", "month", "status", "outcome")
        .annotate(n=Count("id"), accepted=Count("id", filter=accepted_q))
        .order_by()
    )
    by_service: dict[tuple[str, str], PartnerRow] = {}
    by_month = {add_months(first, i): PartnerRow("", "", month=add_months(first, i)) for i in range(months)}
    outcomes = dict(Referral.Outcome.choices)
    for values in grouped:
        moment = values["month"]
        key = (timezone.localtime(moment) if isinstance(moment, datetime) else moment).replace(day=1)
        key = key.date() if isinstance(key, datetime) else key
        service_key = (values["organization__name"], values["service__name"])
        rows = [by_service.setdefault(service_key, PartnerRow(*service_key))]
        if key in by_month:
            rows.append(by_month[key])
        for row in rows:
            row.sent += values["n"]
            row.accepted += values["accepted"]
            row.declined += values["n"] if values["status"] == S.DECLINED else 0
            row.completed += values["n"] if values["status"] == S.COMPLETED else 0
            if values["status"] == S.NOT_COMPLETED:
                row.not_completed += values["n"]
                label = outcomes.get(values["outcome"], values["outcome"])
                row.reasons_not_served[label] = row.reasons_not_served.get(label, 0) + values["n"]
    answered = sent.filter(partner_responded_at__isnull=False).values_list(
        "organization__name", "service__name", "sent_at", "partner_responded_at"
    )
    for organization, service, sent_at, responded_at in answered:
        days = (responded_at - sent_at).total_seconds() / 86400
        by_service[(organization, service)].days_to_respond.append(days)
        key = timezone.localtime(sent_at).date().replace(day=1)
        if key in by_month:
            by_month[key].days_to_respond.append(days)
    return {
        "services": sorted(by_service.values(), key=lambda r: (r.organization, r.service)),
        "months": list(by_month.values()),
    }
