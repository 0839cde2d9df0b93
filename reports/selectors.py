"""The dashboards' figures: one query per figure, whatever the number of rows behind it.

A dashboard looks at a `Scope`: a supervisor's team, an office, or the agency. Figures are
counts and sums; the rows behind a number (`drill_rows`) are filtered again by the access rule,
so a viewer who may not see a client (an auditor, an administrator without a grant) gets the
figures and no names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case as Case_
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.access import case_scope
from accounts.models import Office, User
from appeals.models import Appeal
from appeals.selectors import DUE_SOON_DAYS, appeal_outcome_counts
from assistance.models import Budget, Issuance, Overpayment
from assistance.selectors.overpayments import overpayments_recovered
from casework import participation
from casework.models import Case
from casework.selectors.attendance import participation_rate_families
from casework.selectors.inquiries import inquiries_by_day
from core.dates import day_bounds
from core.money import format_money
from eligibility.models import Determination, Enrollment, Program, Review
from eligibility.rules.snap_expedited import decision_days
from referrals.models import Referral

ZERO = Decimal("0.00")

#: An undecided application this close to its deadline is listed as nearly late.
NEARLY_LATE_DAYS = 5


@dataclass(frozen=True)
class Scope:
    """Whose cases a dashboard counts: a supervisor's team, one office, or every office."""

    kind: str  # "team", "office" or "agency"
    label: str
    office_id: int | None = None
    supervisor_id: int | None = None

    def case_filter(self, prefix: str = "") -> Q:
        if self.kind == "team":
            return Q(**{f"{prefix}assigned_worker__team__supervisor_id": self.supervisor_id})
        if self.kind == "office" or self.office_id:
            return Q(**{f"{prefix}office_id": self.office_id})
        return Q()


def scope_for(*, user: User, kind: str, office: Office | None = None) -> Scope | None:
    """The scope `user` may look at, or None: a supervisor their team and their office; an office
    manager their office; admins and auditors any office or the agency (`accounts.access`)."""
    from accounts.access import may_read_office_figures, may_see_agency_figures, may_supervise

    if kind == "team" and may_supervise(user):
        return Scope("team", f"Team of {user}", office_id=user.office_id, supervisor_id=user.pk)
    if kind == "office":
        if may_see_agency_figures(user) and office is not None:
            return Scope("office", str(office), office_id=office.pk)
        if may_read_office_figures(user, office.pk if office else user.office_id):
            return Scope("office", str(user.office), office_id=user.office_id)
    if kind == "agency" and may_see_agency_figures(user):
        if office is not None:
            return Scope("office", str(office), office_id=office.pk)
        return Scope("agency", "Every office")
    return None


@dataclass
class Figure:
    """One section of a dashboard: a table (the record), a text summary, and a chart of one column."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    summary: str = ""
    chart: list[tuple[str, Decimal | int]] = field(default_factory=list)
    #: Rows listed under the table (late applications, say), each with the case for its drill link.
    listed: list[dict] = field(default_factory=list)
    drill: str = ""  # the drill-down's name in `drill_rows`, when its numbers lead to rows


def _worker_name(row: dict) -> str:
    full = f"{row['assigned_worker__first_name']} {row['assigned_worker__last_name']}".strip()
    return full or row["assigned_worker__username"]


# The casework and money page -------------------------------------------------------------------------


def caseload_figure(scope: Scope, today: date) -> Figure:
    """Active cases per worker against their office's limits, and the reviews due and overdue on them."""
    rows = (
        Case.objects.filter(scope.case_filter(), status__in=Case.ACTIVE)
        .values(
            "assigned_worker_id",
            "assigned_worker__first_name",
            "assigned_worker__last_name",
            "assigned_worker__username",
            "office__recommended_caseload",
            "office__maximum_caseload",
        )
        .annotate(
            cases=Count("id", distinct=True),
            reviews_due=Count(
                "enrollments__reviews",
                filter=Q(enrollments__reviews__status=Review.Status.OPEN, enrollments__reviews__due_on__gte=today),
                distinct=True,
            ),
            reviews_overdue=Count(
                "enrollments__reviews",
                filter=Q(enrollments__reviews__status=Review.Status.OPEN, enrollments__reviews__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by("-cases", "assigned_worker__last_name")
    )
    figure = Figure(
        "caseload",
        "Caseload per worker against the limit",
        ["Worker", "Active cases", "Recommended", "Maximum", "Reviews due", "Reviews overdue"],
        drill="caseload",
    )
    over = 0
    for row in rows:
        name = _worker_name(row)
        figure.rows.append(
            [
                name,
                row["cases"],
                row["office__recommended_caseload"],
                row["office__maximum_caseload"],
                row["reviews_due"],
                row["reviews_overdue"],
            ]
        )
        figure.listed.append({"worker_id": row["assigned_worker_id"]})
        figure.chart.append((name, row["cases"]))
        over += row["cases"] > row["office__maximum_caseload"]
    total = sum(r[1] for r in figure.rows)
    overdue = sum(r[5] for r in figure.rows)
    figure.summary = (
        f"{total} active case{'s' if total != 1 else ''} among {len(figure.rows)} worker"
        f"{'s' if len(figure.rows) != 1 else ''}; {over} above the maximum caseload; {overdue} review"
        f"{'s' if overdue != 1 else ''} overdue."
    )
    return figure


def snap_deadline(application_date: date, *, expedited: bool | None = False) -> date:
    """The day a SNAP application must be decided by: the 30th day after it (7 CFR 273.2(g)(1)), or
    the 7th when screened for expedited service (273.2(i)(3)(i); `eligibility.rules.snap_expedited`)."""
    return application_date + timedelta(days=decision_days(expedited=expedited))


def timeliness_figure(scope: Scope, start: date, end: date, today: date, viewer: User | None = None) -> Figure:
    """SNAP applications of the range: decided in time, decided late, undecided, late and nearly late listed.

    A listed application names its case only when `viewer` may open that case (the access rule); for
    anyone else (an auditor, say) it shows its dates and state, and the count stays whole."""
    visible = (
        Case_(When(case_scope(viewer, prefix="case__"), then=Value(True)), default=Value(False))
        if viewer is not None
        else Value(False)
    )
    applications = (
        Enrollment.objects.filter(
            scope.case_filter("case__"),
            program__rules_module=Program.RulesModule.SNAP,
            application_date__range=(start, end),
        )
        .annotate(
            decided_at=Min(
                "determinations__finalised_at", filter=~Q(determinations__status=Determination.Status.DRAFT)
            ),
            case_visible=visible,
        )
        .values("id", "case_id", "case__number", "application_date", "expedited", "decided_at", "case_visible")
        .order_by("application_date", "id")
    )
    counts = {"In time": 0, "Late": 0, "Waiting, not yet late": 0, "Waiting, past the deadline": 0}
    expedited = 0
    figure = Figure(
        "timeliness",
        "SNAP applications decided in time (30 days, 7 CFR 273.2(g); 7 days if expedited, 273.2(i))",
        ["Outcome", "Applications"],
        drill="timeliness",
    )
    for row in applications:
        due = snap_deadline(row["application_date"], expedited=row["expedited"])
        decided = timezone.localdate(row["decided_at"]) if row["decided_at"] else None
        if decided:
            key = "In time" if decided <= due else "Late"
        else:
            key = "Waiting, not yet late" if today <= due else "Waiting, past the deadline"
        counts[key] += 1
        expedited += bool(row["expedited"])
        late = (decided and decided > due) or (not decided and today > due)
        nearly = not decided and today <= due and (due - today).days <= NEARLY_LATE_DAYS
        if late or nearly:
            figure.listed.append(
                {
                    "case_id": row["case_id"] if row["case_visible"] else None,
                    "case_number": row["case__number"] if row["case_visible"] else "",
                    "applied": row["application_date"],
                    "due": due,
                    "state": ("late" if late else "nearly late") + (" (expedited)" if row["expedited"] else ""),
                }
            )
    figure.rows = [[k, v] for k, v in counts.items()]
    figure.chart = list(counts.items())
    decided_total = counts["In time"] + counts["Late"]
    share = f"{100 * counts['In time'] / decided_total:.1f}%" if decided_total else "no decision yet"
    figure.summary = (
        f"{sum(counts.values())} SNAP applications made in the range; decided in time: {share}; "
        f"{sum(1 for x in figure.listed if x['state'].startswith('late'))} late, "
        f"{sum(1 for x in figure.listed if x['state'].startswith('nearly'))} nearly late; "
        f"{expedited} screened for expedited service (7 days)."
    )
    return figure


def determinations_figure(scope: Scope, start: date, end: date) -> Figure:
    low, high = day_bounds(start, end)
    rows = (
        Determination.objects.filter(
            scope.case_filter("enrollment__case__"), finalised_at__gte=low, finalised_at__lt=high
        )
        .exclude(status=Determination.Status.DRAFT)
        .values("enrollment__program__name", "status")
        .annotate(n=Count("id"))
        .order_by("enrollment__program__name", "status")
    )
    labels = dict(Determination.Status.choices)
    figure = Figure("determinations", "Determinations by outcome", ["Program", "Outcome", "Determinations"])
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        figure.rows.append([row["enrollment__program__name"], labels[row["status"]], row["n"]])
        totals[labels[row["status"]]] += row["n"]
    figure.chart = sorted(totals.items())
    figure.summary = "; ".join(f"{k}: {v}" for k, v in figure.chart) or "No determination in the range."
    return figure


def assistance_figures(scope: Scope, start: date, end: date, now: datetime) -> tuple[Figure, Figure]:
    """Issued by kind and month (one query with the approvals waiting), against the programs' budgets."""
    low, high = day_bounds(start, end)
    rows = (
        Issuance.objects.filter(scope.case_filter("case__"))
        .filter(
            Q(status=Issuance.Status.ISSUED, issued_at__gte=low, issued_at__lt=high) | Q(status=Issuance.Status.PENDING)
        )
        .values("status", "kind", "program__name", month=TruncMonth("issued_at"))
        .annotate(total=Sum("amount"), n=Count("id"), oldest=Min("requested_at"))
        .order_by("month", "kind")
    )
    budgets = {
        b["program__name"]: b["total"]
        for b in Budget.objects.filter(starts_on__lte=end, ends_on__gte=start)
        .values("program__name")
        .annotate(total=Sum("amount"))
    }
    kinds = dict(Issuance.Kind.choices)
    issued = Figure(
        "assistance", "Assistance issued by kind and month", ["Month", "Kind", "Payments", "Amount"], drill="issued"
    )
    waiting = Figure(
        "approvals", "Approvals waiting", ["Kind", "Waiting", "Amount", "Oldest (days)"], drill="approvals"
    )
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_program: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["status"] == Issuance.Status.PENDING:
            age = (now - row["oldest"]).days
            waiting.rows.append([kinds[row["kind"]], row["n"], format_money(row["total"]), age])
            waiting.chart.append((kinds[row["kind"]], row["n"]))
            continue
        issued.rows.append(
            [
                row["month"].strftime("%Y-%m") if row["month"] else "",
                kinds[row["kind"]],
                row["n"],
                format_money(row["total"]),
            ]
        )
        by_kind[kinds[row["kind"]]] += row["total"]
        by_program[row["program__name"]] += row["total"]
    issued.chart = sorted(by_kind.items())
    against = [
        f"{program}: {format_money(by_program.get(program, ZERO))} of a {format_money(budget)} budget"
        for program, budget in sorted(budgets.items())
    ]
    issued.summary = f"{format_money(sum(by_kind.values(), ZERO))} issued in the range. " + (
        "; ".join(against) + "." if against else "No budget covers the range."
    )
    issued.listed = [{"program": p, "issued": by_program.get(p, ZERO), "budget": b} for p, b in sorted(budgets.items())]
    oldest = max((r[3] for r in waiting.rows), default=0)
    count = sum(r[1] for r in waiting.rows)
    waiting.summary = f"{count} request{'s' if count != 1 else ''} waiting for a supervisor; the oldest {oldest} days."
    return issued, waiting


def overpayments_figure(scope: Scope, start: date, end: date) -> Figure:
    low, high = day_bounds(start, end)
    base = Overpayment.objects.filter(scope.case_filter("case__"))
    totals = base.aggregate(
        established=Sum("amount", filter=Q(established_at__gte=low, established_at__lt=high)),
        established_n=Count("id", filter=Q(established_at__gte=low, established_at__lt=high)),
        outstanding=Sum("balance", filter=~Q(status=Overpayment.Status.WRITTEN_OFF)),
    )
    recovered = overpayments_recovered(cases=scope.case_filter("case__"))
    figure = Figure("overpayments", "Overpayments", ["Figure", "Amount"], drill="overpayments")
    values = [
        ("Established in the range", totals["established"] or ZERO),
        ("Recovered to date", recovered),
        ("Outstanding", totals["outstanding"] or ZERO),
    ]
    figure.rows = [[label, format_money(value)] for label, value in values]
    figure.chart = values
    figure.summary = (
        f"{totals['established_n']} overpayments established in the range for "
        f"{format_money(values[0][1])}; {format_money(values[1][1])} recovered and "
        f"{format_money(values[2][1])} outstanding on all of them."
    )
    return figure


def participation_rate_figure(scope: Scope, end: date) -> Figure:
    """The TANF work participation rate of the month the range ends in, against its two targets.

    The families counted are the scope's cases with an active Income Support (cash assistance) enrollment
    today, the status history aside; their hours are what casework counts on the attendance tab. Two queries."""
    year, month = end.year, end.month
    cases = Case.objects.filter(
        scope.case_filter(),
        enrollments__program__rules_module=Program.RulesModule.INCOME_SUPPORT,
        enrollments__status=Enrollment.Status.ACTIVE,
    ).values("id")
    rate = participation.participation_rate(
        participation_rate_families(cases=cases, year=year, month=month), year, month
    )
    label = f"{end:%B %Y}"
    figure = Figure(
        "participation",
        f"Work participation rate, {label} (45 CFR 261.21, 261.23)",
        ["Families", "Counted", "Meeting the hours", "Rate", "Target"],
    )

    def shown(value: Decimal | None) -> str:
        return f"{value}%" if value is not None else "no family"

    figure.rows = [
        [
            "All families",
            rate.families,
            rate.engaged,
            shown(rate.all_family_rate),
            f"{participation.ALL_FAMILY_RATE_TARGET}%",
        ],
        [
            "Two-parent families",
            rate.two_parent_families,
            rate.two_parent_engaged,
            shown(rate.two_parent_rate),
            f"{participation.TWO_PARENT_RATE_TARGET}%",
        ],
    ]
    figure.chart = [
        ("All families", rate.all_family_rate or Decimal(0)),
        ("All families: target", participation.ALL_FAMILY_RATE_TARGET),
        ("Two-parent families", rate.two_parent_rate or Decimal(0)),
        ("Two-parent families: target", participation.TWO_PARENT_RATE_TARGET),
    ]

    def said(value: Decimal | None, target: Decimal) -> str:
        if value is None:
            return "no family counted"
        return f"{value}%, {'meeting' if value >= target else 'below'} the {target}% target"

    figure.summary = (
        f"In {label}, {rate.engaged} of {rate.families} families receiving Income Support with a work-eligible "
        f"adult met their hours: {said(rate.all_family_rate, participation.ALL_FAMILY_RATE_TARGET)}. "
        f"Two-parent families: {rate.two_parent_engaged} of {rate.two_parent_families}, "
        f"{said(rate.two_parent_rate, participation.TWO_PARENT_RATE_TARGET)}."
    )
    return figure


def casework_dashboard(*, scope: Scope, start: date, end: date, viewer: User | None = None) -> list[Figure]:
    """The first page: caseloads and reviews, the participation rate, SNAP timeliness, determinations. Five queries."""
    today = timezone.localdate()
    return [
        caseload_figure(scope, today),
        participation_rate_figure(scope, end),
        timeliness_figure(scope, start, end, today, viewer),
        determinations_figure(scope, start, end),
    ]


def money_dashboard(*, scope: Scope, start: date, end: date) -> list[Figure]:
    """The second page: assistance against budget, approvals waiting, overpayments. Four queries."""
    issued, waiting = assistance_figures(scope, start, end, timezone.now())
    return [issued, waiting, overpayments_figure(scope, start, end)]


# The services page -----------------------------------------------------------------------------------


def referrals_figure(scope: Scope, start: date, end: date) -> Figure:
    low, high = day_bounds(start, end)
    rows = (
        Referral.objects.filter(scope.case_filter("case__"), created_at__gte=low, created_at__lt=high)
        .values("status", "outcome")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=Q(closed_at__isnull=False)),
            waited=Sum(
                ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField()),
                filter=Q(closed_at__isnull=False),
            ),
        )
        .order_by("status", "outcome")
    )
    statuses = dict(Referral.Status.choices)
    outcomes = dict(Referral.Outcome.choices)
    figure = Figure("referrals", "Referrals by outcome", ["Status", "Outcome", "Referrals", "Average days to close"])
    total_days, closed = 0.0, 0
    for row in rows:
        average = ""
        if row["answered"]:
            days = row["waited"].total_seconds() / 86400
            average = f"{days / row['answered']:.1f}"
            total_days += days
            closed += row["answered"]
        label = statuses[row["status"]] + (f" ({outcomes[row['outcome']]})" if row["outcome"] else "")
        figure.rows.append([statuses[row["status"]], outcomes.get(row["outcome"], ""), row["n"], average])
        figure.chart.append((label, row["n"]))
    count = sum(r[2] for r in figure.rows)
    figure.summary = f"{count} referrals made in the range" + (
        f"; closed on average {total_days / closed:.1f} days after being made." if closed else "."
    )
    return figure


def inquiries_figure(scope: Scope, start: date, end: date) -> Figure:
    """The daily call statistics of the scope's office (every office for the agency), as casework counts them."""
    table = inquiries_by_day(office_id=scope.office_id, start=start, end=end)
    figure = Figure("inquiries", "Inquiries per day and channel", ["Day", "Channel", "Inquiries"])
    for row in table.busy_rows:
        figure.rows.extend(
            [row.period.isoformat(), channel, n] for channel, n in zip(table.columns, row.counts, strict=True) if n
        )
    figure.chart = sorted((channel, n) for channel, n in zip(table.columns, table.totals, strict=True) if n)
    figure.summary = f"{table.total} inquiries on {len(table.busy_rows)} days with any; " + (
        ", ".join(f"{k}: {v}" for k, v in figure.chart) or "none in the range."
    )
    return figure


def appeals_figure(scope: Scope, start: date, end: date, today: date) -> Figure:
    """Appeals requested in the range by outcome, and the open ones against their decision deadline."""
    statuses = dict(Appeal.Status.choices)
    decisions = dict(Appeal.Decision.choices)
    figure = Figure(
        "appeals",
        "Appeals by outcome and deadline",
        ["Outcome", "Requested in the range", "Decision overdue", f"Decision due within {DUE_SOON_DAYS} days"],
    )
    for row in appeal_outcome_counts(cases=scope.case_filter("case__"), start=start, end=end, today=today):
        label = decisions[row["decision"]] if row["decision"] else statuses[row["status"]]
        figure.rows.append([label, row["requested"], row["overdue"], row["due_soon"]])
        figure.chart.append((label, row["requested"]))
    requested = sum(r[1] for r in figure.rows)
    overdue = sum(r[2] for r in figure.rows)
    due_soon = sum(r[3] for r in figure.rows)
    figure.summary = (
        f"{requested} appeal{'s' if requested != 1 else ''} requested in the range; of the open ones, "
        f"{overdue} past the decision date and {due_soon} due within {DUE_SOON_DAYS} days."
    )
    return figure


def services_dashboard(*, scope: Scope, start: date, end: date) -> list[Figure]:
    """The third page: referrals, inquiries, appeals."""
    today = timezone.localdate()
    return [
        referrals_figure(scope, start, end),
        inquiries_figure(scope, start, end),
        appeals_figure(scope, start, end, today),
    ]


# Drilling down ---------------------------------------------------------------------------------------

DRILLS = {"caseload", "timeliness", "approvals", "issued", "overpayments"}


def drill_cases(
    *, user: User, scope: Scope, drill: str, start: date, end: date, worker_id: int | None = None
) -> QuerySet:
    """The cases behind a figure, only those `user` may see (the access rule), in one query."""
    cases = Case.objects.filter(scope.case_filter(), case_scope(user)).select_related(
        "primary_client", "assigned_worker", "office"
    )
    low, high = day_bounds(start, end)
    if drill == "caseload":
        cases = cases.filter(status__in=Case.ACTIVE)
        if worker_id:
            cases = cases.filter(assigned_worker_id=worker_id)
    elif drill == "timeliness":
        cases = cases.filter(
            enrollments__program__rules_module=Program.RulesModule.SNAP,
            enrollments__application_date__range=(start, end),
        )
    elif drill == "approvals":
        cases = cases.filter(issuances__status=Issuance.Status.PENDING)
    elif drill == "issued":
        cases = cases.filter(
            issuances__status=Issuance.Status.ISSUED, issuances__issued_at__gte=low, issuances__issued_at__lt=high
        )
    elif drill == "overpayments":
        cases = cases.filter(overpayments__isnull=False)
    else:
        return Case.objects.none()
    return cases.distinct().order_by("number")[:500]
