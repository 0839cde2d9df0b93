"""The dashboards' figures: one query per figure, whatever the number of rows behind it.

A dashboard looks at a `Scope`: a supervisor's team, an office, or the agency. Figures are
counts and sums; the rows behind a number (`drill_rows`) are filtered again by the access rule,
so a viewer who may not see a client (an auditor, an administrator without a grant) gets the
figures and no names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case as Case_
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from reports.figures import TIMELINESS_STATES, Figure, timeliness_render

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
        return Scope("team", _("Team of %(name)s") % {"name": user}, office_id=user.office_id, supervisor_id=user.pk)
    if kind == "office":
        if may_see_agency_figures(user) and office is not None:
            return Scope("office", str(office), office_id=office.pk)
        if may_read_office_figures(user, office.pk if office else user.office_id):
            return Scope("office", str(user.office), office_id=user.office_id)
    if kind == "agency" and may_see_agency_figures(user):
        if office is not None:
            return Scope("office", str(office), office_id=office.pk)
        return Scope("agency", _("Every office"))
    return None


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
        _("Caseload per worker against the limit"),
        [_("Worker"), _("Active cases"), _("Recommended"), _("Maximum"), _("Reviews due"), _("Reviews overdue")],
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
    figure.summary = ngettext(
        "%(count)s active case among %(workers)s; %(over)s above the maximum caseload; %(reviews)s overdue.",
        "%(count)s active cases among %(workers)s; %(over)s above the maximum caseload; %(reviews)s overdue.",
        total,
    ) % {
        "count": total,
        # Translators: "N workers" in "N active cases among N workers".
        "workers": ngettext("%(count)s worker", "%(count)s workers", len(figure.rows)) % {"count": len(figure.rows)},
        "over": over,
        # Translators: "N reviews" in "...; N reviews overdue."
        "reviews": ngettext("%(count)s review", "%(count)s reviews", overdue) % {"count": overdue},
    }
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
    counts = {"in_time": 0, "late": 0, "waiting": 0, "overdue": 0}
    expedited = 0
    listed = []
    for row in applications:
        due = snap_deadline(row["application_date"], expedited=row["expedited"])
        decided = timezone.localdate(row["decided_at"]) if row["decided_at"] else None
        in_time = decided <= due if decided else today <= due
        key = ("in_time" if in_time else "late") if decided else ("waiting" if in_time else "overdue")
        counts[key] += 1
        expedited += bool(row["expedited"])
        late = bool((decided and decided > due) or (not decided and today > due))
        nearly = not decided and today <= due and (due - today).days <= NEARLY_LATE_DAYS
        if late or nearly:
            listed.append(
                {
                    "case_id": row["case_id"] if row["case_visible"] else None,
                    "case_number": row["case__number"] if row["case_visible"] else "",
                    "applied": row["application_date"],
                    "due": due,
                    "late": late,
                    "state": str(TIMELINESS_STATES[(late, bool(row["expedited"]))]),
                }
            )
    figure = timeliness_render(
        {
            "counts": counts,
            "late": sum(1 for x in listed if x["late"]),
            "nearly_late": sum(1 for x in listed if not x["late"]),
            "expedited": expedited,
        }
    )
    figure.listed = listed
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
    figure = Figure("determinations", _("Determinations by outcome"), [_("Program"), _("Outcome"), _("Determinations")])
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        figure.rows.append([row["enrollment__program__name"], str(labels[row["status"]]), row["n"]])
        totals[str(labels[row["status"]])] += row["n"]
    figure.chart = sorted(totals.items())
    figure.summary = "; ".join(_("%(outcome)s: %(count)s") % {"outcome": k, "count": v} for k, v in figure.chart) or _(
        "No determination in the range."
    )
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
        "assistance",
        _("Assistance issued by kind and month"),
        [_("Month"), _("Kind"), _("Payments"), _("Amount")],
        drill="issued",
    )
    waiting = Figure(
        "approvals",
        _("Approvals waiting"),
        [_("Kind"), _("Waiting"), _("Amount"), _("Oldest (days)")],
        drill="approvals",
    )
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_program: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["status"] == Issuance.Status.PENDING:
            age = (now - row["oldest"]).days
            waiting.rows.append([str(kinds[row["kind"]]), row["n"], format_money(row["total"]), age])
            waiting.chart.append((str(kinds[row["kind"]]), row["n"]))
            continue
        issued.rows.append(
            [
                row["month"].strftime("%Y-%m") if row["month"] else "",
                str(kinds[row["kind"]]),
                row["n"],
                format_money(row["total"]),
            ]
        )
        by_kind[str(kinds[row["kind"]])] += row["total"]
        by_program[row["program__name"]] += row["total"]
    issued.chart = sorted(by_kind.items())
    against = [
        _("%(program)s: %(issued)s of a %(budget)s budget")
        % {"program": program, "issued": format_money(by_program.get(program, ZERO)), "budget": format_money(budget)}
        for program, budget in sorted(budgets.items())
    ]
    spent = {"amount": format_money(sum(by_kind.values(), ZERO))}
    if against:
        issued.summary = _("%(amount)s issued in the range. %(budgets)s.") % {**spent, "budgets": "; ".join(against)}
    else:
        issued.summary = _("%(amount)s issued in the range. No budget covers the range.") % spent
    issued.listed = [{"program": p, "issued": by_program.get(p, ZERO), "budget": b} for p, b in sorted(budgets.items())]
    oldest = max((r[3] for r in waiting.rows), default=0)
    count = sum(r[1] for r in waiting.rows)
    waiting.summary = ngettext(
        "%(count)s request waiting for a supervisor; the oldest %(days)s.",
        "%(count)s requests waiting for a supervisor; the oldest %(days)s.",
        count,
    ) % {
        "count": count,
        # Translators: "N days" in "...; the oldest N days."
        "days": ngettext("%(count)s day", "%(count)s days", oldest) % {"count": oldest},
    }
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
    figure = Figure("overpayments", _("Overpayments"), [_("Figure"), _("Amount")], drill="overpayments")
    values = [
        (_("Established in the range"), totals["established"] or ZERO),
        (_("Recovered to date"), recovered),
        (_("Outstanding"), totals["outstanding"] or ZERO),
    ]
    figure.rows = [[label, format_money(value)] for label, value in values]
    figure.chart = values
    figure.summary = ngettext(
        "%(count)s overpayment established in the range for %(established)s; %(recovered)s recovered and "
        "%(outstanding)s outstanding on all of them.",
        "%(count)s overpayments established in the range for %(established)s; %(recovered)s recovered and "
        "%(outstanding)s outstanding on all of them.",
        totals["established_n"],
    ) % {
        "count": totals["established_n"],
        "established": format_money(values[0][1]),
        "recovered": format_money(values[1][1]),
        "outstanding": format_money(values[2][1]),
    }
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
    label = date_format(end, "F Y")
    figure = Figure(
        "participation",
        _("Work participation rate, %(month)s (45 CFR 261.21, 261.23)") % {"month": label},
        [_("Families"), _("Counted"), _("Meeting the hours"), _("Rate"), _("Target")],
    )

    def shown(value: Decimal | None) -> str:
        return f"{value}%" if value is not None else _("no family")

    figure.rows = [
        [
            _("All families"),
            rate.families,
            rate.engaged,
            shown(rate.all_family_rate),
            f"{participation.ALL_FAMILY_RATE_TARGET}%",
        ],
        [
            _("Two-parent families"),
            rate.two_parent_families,
            rate.two_parent_engaged,
            shown(rate.two_parent_rate),
            f"{participation.TWO_PARENT_RATE_TARGET}%",
        ],
    ]
    figure.chart = [
        (_("All families"), rate.all_family_rate or Decimal(0)),
        (_("All families: target"), participation.ALL_FAMILY_RATE_TARGET),
        (_("Two-parent families"), rate.two_parent_rate or Decimal(0)),
        (_("Two-parent families: target"), participation.TWO_PARENT_RATE_TARGET),
    ]
    figure.summary = f"{_all_families_said(rate, label)} {_two_parent_families_said(rate)}"
    return figure


def _all_families_said(rate: participation.ParticipationRate, month: str) -> str:
    """The all-family rate in one sentence: meeting its target, below it, or no family counted."""
    values = {
        "month": month,
        "engaged": rate.engaged,
        "families": rate.families,
        "rate": rate.all_family_rate,
        "target": participation.ALL_FAMILY_RATE_TARGET,
    }
    if rate.all_family_rate is None:
        return (
            _(
                "In %(month)s, %(engaged)s of %(families)s families receiving Income Support with a work-eligible "
                "adult met their hours: no family counted."
            )
            % values
        )
    if rate.all_family_rate >= participation.ALL_FAMILY_RATE_TARGET:
        text = ngettext(
            "In %(month)s, %(engaged)s of %(families)s family receiving Income Support with a work-eligible "
            "adult met their hours: %(rate)s%%, meeting the %(target)s%% target.",
            "In %(month)s, %(engaged)s of %(families)s families receiving Income Support with a work-eligible "
            "adult met their hours: %(rate)s%%, meeting the %(target)s%% target.",
            rate.families,
        )
    else:
        text = ngettext(
            "In %(month)s, %(engaged)s of %(families)s family receiving Income Support with a work-eligible "
            "adult met their hours: %(rate)s%%, below the %(target)s%% target.",
            "In %(month)s, %(engaged)s of %(families)s families receiving Income Support with a work-eligible "
            "adult met their hours: %(rate)s%%, below the %(target)s%% target.",
            rate.families,
        )
    return text % values


def _two_parent_families_said(rate: participation.ParticipationRate) -> str:
    """The two-parent rate in one sentence: meeting its target, below it, or no family counted."""
    values = {
        "engaged": rate.two_parent_engaged,
        "families": rate.two_parent_families,
        "rate": rate.two_parent_rate,
        "target": participation.TWO_PARENT_RATE_TARGET,
    }
    if rate.two_parent_rate is None:
        return _("Two-parent families: %(engaged)s of %(families)s, no family counted.") % values
    if rate.two_parent_rate >= participation.TWO_PARENT_RATE_TARGET:
        return _("Two-parent families: %(engaged)s of %(families)s, %(rate)s%%, meeting the %(target)s%% target.") % (
            values
        )
    return _("Two-parent families: %(engaged)s of %(families)s, %(rate)s%%, below the %(target)s%% target.") % values


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
    figure = Figure(
        "referrals",
        _("Referrals by outcome"),
        [_("Status"), _("Outcome"), _("Referrals"), _("Average days to close")],
    )
    total_days, closed = 0.0, 0
    for row in rows:
        average = ""
        if row["answered"]:
            days = row["waited"].total_seconds() / 86400
            average = f"{days / row['answered']:.1f}"
            total_days += days
            closed += row["answered"]
        status, outcome = str(statuses[row["status"]]), str(outcomes.get(row["outcome"], ""))
        label = _("%(status)s (%(outcome)s)") % {"status": status, "outcome": outcome} if outcome else status
        figure.rows.append([status, outcome, row["n"], average])
        figure.chart.append((label, row["n"]))
    count = sum(r[2] for r in figure.rows)
    if closed:
        figure.summary = ngettext(
            "%(count)s referral made in the range; closed on average %(days)s days after being made.",
            "%(count)s referrals made in the range; closed on average %(days)s days after being made.",
            count,
        ) % {"count": count, "days": f"{total_days / closed:.1f}"}
    else:
        figure.summary = ngettext(
            "%(count)s referral made in the range.", "%(count)s referrals made in the range.", count
        ) % {"count": count}
    return figure


def inquiries_figure(scope: Scope, start: date, end: date) -> Figure:
    """The daily call statistics of the scope's office (every office for the agency), as casework counts them."""
    table = inquiries_by_day(office_id=scope.office_id, start=start, end=end)
    figure = Figure("inquiries", _("Inquiries per day and channel"), [_("Day"), _("Channel"), _("Inquiries")])
    channels = [str(channel) for channel in table.columns]
    for row in table.busy_rows:
        figure.rows.extend(
            [row.period.isoformat(), channel, n] for channel, n in zip(channels, row.counts, strict=True) if n
        )
    figure.chart = sorted((channel, n) for channel, n in zip(channels, table.totals, strict=True) if n)
    if figure.chart:
        figure.summary = ngettext(
            "%(count)s inquiry on %(days)s with any; %(channels)s.",
            "%(count)s inquiries on %(days)s with any; %(channels)s.",
            table.total,
        ) % {
            "count": table.total,
            # Translators: "N days" in "N inquiries on N days with any".
            "days": ngettext("%(count)s day", "%(count)s days", len(table.busy_rows)) % {"count": len(table.busy_rows)},
            "channels": ", ".join(_("%(channel)s: %(count)s") % {"channel": k, "count": v} for k, v in figure.chart),
        }
    else:
        figure.summary = _("No inquiry in the range.")
    return figure


def appeals_figure(scope: Scope, start: date, end: date, today: date) -> Figure:
    """Appeals requested in the range by outcome, and the open ones against their decision deadline."""
    statuses = dict(Appeal.Status.choices)
    decisions = dict(Appeal.Decision.choices)
    figure = Figure(
        "appeals",
        _("Appeals by outcome and deadline"),
        [
            _("Outcome"),
            _("Requested in the range"),
            _("Decision overdue"),
            _("Decision due within %(days)s days") % {"days": DUE_SOON_DAYS},
        ],
    )
    for row in appeal_outcome_counts(cases=scope.case_filter("case__"), start=start, end=end, today=today):
        label = str(decisions[row["decision"]] if row["decision"] else statuses[row["status"]])
        figure.rows.append([label, row["requested"], row["overdue"], row["due_soon"]])
        figure.chart.append((label, row["requested"]))
    requested = sum(r[1] for r in figure.rows)
    overdue = sum(r[2] for r in figure.rows)
    due_soon = sum(r[3] for r in figure.rows)
    figure.summary = ngettext(
        "%(count)s appeal requested in the range; of the open ones, %(overdue)s past the decision date and "
        "%(due_soon)s due within %(days)s days.",
        "%(count)s appeals requested in the range; of the open ones, %(overdue)s past the decision date and "
        "%(due_soon)s due within %(days)s days.",
        requested,
    ) % {"count": requested, "overdue": overdue, "due_soon": due_soon, "days": DUE_SOON_DAYS}
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
