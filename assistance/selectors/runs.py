"""Reads for the monthly payment run: which enrollments a month pays, why others are not paid, and the pages.

An enrollment is paid for a benefit month when it is active with a monthly amount above zero,
its program is issuing, its case is not closed, it has an approved determination, and its
certification period covers the month (started on or before the month's last day, ended on or
after its first). An active enrollment whose certification ended before the month is not paid:
its review was not completed in time, and the overdue-review job will suspend it; the run
report lists it with that reason so the worker can act.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from accounts.access import case_scope, client_scope
from assistance.models import Issuance, PaymentRun
from casework.models import Case
from eligibility.models import Determination, Enrollment

Status = Enrollment.Status
ZERO = Decimal("0.00")

#: Not due this month: counted in the report, not listed.
NOT_DUE = ("suspended", "no monthly amount")


def month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def approved_determination() -> Exists:
    return Exists(Determination.objects.filter(enrollment=OuterRef("pk"), status=Determination.Status.APPROVED))


def paid_for(period: date):
    """The enrollment already has its recurring benefit for `period` (from any run): a boolean expression.

    On PostgreSQL the EXISTS carries `OFFSET 0`, which keeps it a per-enrollment probe of the
    unique (enrollment, period) index. Without it the planner turns it into a join, and while a
    run is inserting a month's issuances the table's statistics still say there are none for
    the month: it then picks a nested loop that rescans every new issuance for each enrollment
    (minutes at 100,000, seen in the benchmark). The probe costs the same whatever the statistics say.
    """
    if connection.vendor != "postgresql":
        return Exists(Issuance.objects.filter(enrollment=OuterRef("pk"), kind=Issuance.Kind.RECURRING, period=period))
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {Issuance._meta.db_table} paid WHERE paid.enrollment_id = "
        f"{Enrollment._meta.db_table}.id AND paid.kind = %s AND paid.period = %s OFFSET 0)",
        (Issuance.Kind.RECURRING.value, period),
        output_field=BooleanField(),
    )


def payable(period: date) -> Q:
    """The enrollments the run pays for `period` (see the module's docstring); `why_not_paid` mirrors it."""
    return (
        Q(status=Status.ACTIVE, monthly_amount__gt=0, program__is_active=True)
        & ~Q(case__status=Case.Status.CLOSED)
        & Q(certification_start__lte=month_end(period), certification_end__gte=period)
        & approved_determination()
    )


def pending(period: date) -> QuerySet[Enrollment]:
    """The enrollments still to pay for `period`."""
    return Enrollment.objects.alias(paid=paid_for(period)).filter(payable(period), paid=False)


def pending_enrollment_ids(*, period: date) -> list[int]:
    """The enrollments still to pay for `period`, in id order (one query)."""
    return list(pending(period).order_by("pk").values_list("pk", flat=True))


def pending_exists(*, period: date) -> bool:
    return pending(period).exists()


@dataclass(frozen=True, slots=True)
class Unpaid:
    """An active or suspended enrollment without its recurring benefit for the month."""

    enrollment_id: int
    status: str
    monthly_amount: Decimal
    certification_start: date | None
    certification_end: date | None
    case_status: str
    case_id: int
    case_number: str
    program_code: str
    program_active: bool
    decided: bool


def why_not_paid(row: Unpaid, period: date) -> tuple[str, str] | None:
    """Why the run does not pay this enrollment for `period`, as (kind, explanation); None when it should."""
    if row.status == Status.SUSPENDED:
        return "suspended", "suspended"
    if row.status != Status.ACTIVE:
        return row.status, row.status
    if row.monthly_amount <= 0:
        return "no monthly amount", "no monthly amount"
    if not row.program_active:
        return "program not issuing", "the program is not issuing"
    if row.case_status == Case.Status.CLOSED:
        return "case closed", "the case is closed"
    if row.certification_start is None or row.certification_end is None:
        return "no certification period", "no certification period on record"
    if row.certification_end < period:
        return "certification ended", (
            f"certification ended {row.certification_end:%Y-%m-%d}; the review was not completed"
        )
    if row.certification_start > month_end(period):
        return "certification not started", f"certification starts {row.certification_start:%Y-%m-%d}"
    if not row.decided:
        return "no approved determination", "no approved determination"
    return None


def unpaid_enrollments(*, period: date) -> list[Unpaid]:
    """Active and suspended enrollments without a recurring benefit for `period`, in id order (one query)."""
    rows = (
        Enrollment.objects.alias(paid=paid_for(period))
        .filter(status__in=[Status.ACTIVE, Status.SUSPENDED], paid=False)
        .annotate(decided=approved_determination())
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "monthly_amount",
            "certification_start",
            "certification_end",
            "case__status",
            "case_id",
            "case__number",
            "program__code",
            "program__is_active",
            "decided",
        )
    )
    return [Unpaid(*row) for row in rows]


# Pages -----------------------------------------------------------------------------------


def run_payments(*, user, run: PaymentRun) -> QuerySet[Issuance]:
    """The payments in `user`'s payment file: the agency's for finance, else those to clients they may see.

    `user` None is the run itself building the file it keeps (no person reads it here). A
    benefit withheld in full for an overpayment pays nothing and is not a payment.
    """
    payments = Issuance.objects.filter(payment_run=run, kind=Issuance.Kind.RECURRING, amount__gt=F("recovered"))
    if user is not None and not user.has_perm("assistance.read_agency_payments"):
        payments = payments.filter(client_scope(user, prefix="client__", include_merged=True))
    return payments


def run_report_for(*, user, run: PaymentRun) -> tuple[dict, list[int]]:
    """The run's report as `user` may read it, and the clients it names.

    Figures are the agency's and name nobody; the list of enrollments not paid keeps only the
    cases the user may open (finance and administrators without break-glass see none).
    """
    report = dict(run.report or {})
    skipped = report.get("skipped") or []
    visible = dict(
        Case.objects.filter(case_scope(user), pk__in={item["case_id"] for item in skipped}).values_list(
            "pk", "primary_client_id"
        )
    )
    report["skipped"] = [item for item in skipped if item["case_id"] in visible]
    return report, sorted(set(visible.values()))


def run_list(*, page: int | str | None = 1, per_page: int = 24) -> Page:
    """The runs, newest month first, each with its figures (two queries besides the count).

    A completed run's figures are its report; a running one's are counted live from its issuances.
    """
    runs = Paginator(PaymentRun.objects.select_related("started_by").order_by("-period"), per_page).get_page(page)
    running = [run.pk for run in runs if run.status == PaymentRun.Status.RUNNING]
    live = run_figures(run_ids=running) if running else {}
    for run in runs:
        run.figures = live.get(run.pk) or _report_figures(run)
    return runs


def run_get(*, pk: int) -> PaymentRun:
    return get_object_or_404(PaymentRun.objects.select_related("started_by"), pk=pk)


def run_figures(*, run_ids: list[int]) -> dict[int, dict]:
    """Issued count and totals of running runs, from their issuances (one query)."""
    rows = (
        Issuance.objects.filter(payment_run_id__in=run_ids)
        .values("payment_run_id")
        .annotate(n=Count("id"), total=Sum("amount"), withheld=Sum("recovered"))
    )
    figures = {pk: {"issued": 0, "gross": ZERO, "recovered": ZERO, "net": ZERO} for pk in run_ids}
    for row in rows:
        figures[row["payment_run_id"]] = {
            "issued": row["n"],
            "gross": row["total"],
            "recovered": row["withheld"],
            "net": row["total"] - row["withheld"],
        }
    return figures


def last_moved(run_id: int | None = None) -> Subquery:
    """When a run last moved: the issue time of its newest issuance (a backward read of the run's index)."""
    newest = Issuance.objects.filter(payment_run=OuterRef("pk") if run_id is None else run_id).order_by("-id")
    return Subquery(newest.values("issued_at")[:1])


def stalled(since: datetime) -> Q:
    """The rule for a run that stopped moving, on runs annotated with `moved=last_moved(...)`: running,
    and started, last resumed and last paid before `since`.

    Such a run's batches were lost: taken by a worker that died, or never sent. A run still
    paying a batch at least every few minutes is moving.
    """
    return (
        Q(status=PaymentRun.Status.RUNNING, started_at__lt=since)
        & (Q(resumed_at__isnull=True) | Q(resumed_at__lt=since))
        & (Q(moved__isnull=True) | Q(moved__lt=since))
    )


def stalled_run_ids(*, since: datetime) -> list[int]:
    """The runs that have not moved since `since` (`stalled`), oldest period first."""
    return list(
        PaymentRun.objects.annotate(moved=last_moved())
        .filter(stalled(since))
        .order_by("period")
        .values_list("pk", flat=True)
    )


def run_progress(*, run: PaymentRun) -> dict:
    """A running run's figures so far and how many enrollments it still has to pay."""
    figures = run_figures(run_ids=[run.pk])[run.pk]
    figures["pending"] = pending(run.period).count()
    return figures


def _report_figures(run: PaymentRun) -> dict:
    report = run.report or {}
    return {
        "issued": report.get("issued", 0),
        "gross": Decimal(report.get("gross", "0")),
        "recovered": Decimal(report.get("recovered", "0")),
        "net": Decimal(report.get("net", "0")),
    }
