"""The reports' writes: an export's audit event, the monthly report kept as a record, and the
message that tells the managers it is made."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import monthly_report_recipient_scope
from accounts.models import User
from assistance.models import Issuance
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case
from core.dates import day_bounds
from core.money import CENT
from correspondence.models import StaffMessage
from correspondence.services import staff_message_send
from reports.exports import figures_csv, figures_pdf, figures_xlsx
from reports.figures import Figure, assistance_by_kind_render, cases_render, figure_stored, served_render
from reports.models import MonthlyReport
from reports.selectors import Scope, timeliness_figure


def dashboard_export(
    *, acting_user: User, scope: Scope, figures: Sequence[Figure], fmt: str, start: date, end: date
) -> bytes:
    """The dashboard's tables as CSV or XLSX, recorded in the trail as a file handed out."""
    if fmt not in {"csv", "xlsx"}:
        raise ValueError(f"No export as {fmt!r}: CSV or XLSX.")
    content = figures_csv(figures).encode() if fmt == "csv" else figures_xlsx(figures)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.DOWNLOAD,
        object_type="reports.dashboard",
        object_id=scope.kind,
        object_repr=f"Dashboard: {scope.label}"[:200],
        changes={"format": fmt, "from": start.isoformat(), "to": end.isoformat(), "office": scope.office_id},
    )
    return content


def _monthly_figures(month: date) -> list[Figure]:
    """The month's figures, each written from numbers it keeps (`Figure.data`) so a reader in
    another language reads the same report in theirs."""
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    low, high = day_bounds(month, end)
    cases = Case.objects.aggregate(
        opened=Count("id", filter=Q(opened_on__range=(month, end))),
        closed=Count("id", filter=Q(closed_on__range=(month, end))),
    )
    opened = cases_render({"opened": cases["opened"], "closed": cases["closed"]})
    paid = Issuance.objects.filter(status=Issuance.Status.ISSUED, issued_at__gte=low, issued_at__lt=high)
    served = served_render(
        {
            "programs": [
                [row["program__name"], row["clients"]]
                for row in paid.values("program__name")
                .annotate(clients=Count("client_id", distinct=True))
                .order_by("program__name")
            ]
        }
    )
    by_kind = assistance_by_kind_render(
        {
            "kinds": [
                [row["kind"], str(row["total"].quantize(CENT))]
                for row in paid.values("kind").annotate(total=Sum("amount")).order_by("kind")
            ]
        }
    )
    timeliness = timeliness_figure(Scope("agency", ""), month, end, end)
    timeliness.listed = []
    return [opened, served, by_kind, timeliness]


def monthly_report_make(*, month: date) -> MonthlyReport:
    """The month's statistical report, made once: a second call returns the one already made.

    Its figures are kept as numbers and shown in each reader's language; its CSV and PDF are kept as
    made, in the language active then, and served as they are to readers of that language."""
    month = month.replace(day=1)
    existing = MonthlyReport.objects.filter(month=month).first()
    if existing:
        return existing
    figures = _monthly_figures(month)
    pdf = figures_pdf(month=month, figures=figures)
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(
                month=month,
                figures=[figure_stored(f) for f in figures],
                language=get_language() or settings.LANGUAGE_CODE,
                csv=figures_csv(figures),
                pdf=pdf,
            )
    except IntegrityError:  # made meanwhile by another run of the job
        return MonthlyReport.objects.get(month=month)


def monthly_report_deliver(*, report: MonthlyReport) -> list[StaffMessage]:
    """Tell each manager the month's report is made, once, in their language, with the link to its page.

    The report counts every office (`_monthly_figures`), so it goes to each office's managers and to
    the administrators (`accounts.access.monthly_report_recipient_scope`). The message holds the
    month and the link, nothing about a client. Safe to run twice: nobody is told twice."""
    month = f"{report.month:%Y-%m}"
    link = reverse("reports:monthly_report", args=[month])

    def wording() -> tuple[str, str]:
        named = date_format(report.month, "F Y")
        return (
            _("Monthly statistical report, %(month)s") % {"month": named},
            _(
                "The agency's statistical report for %(month)s is made: cases opened and closed, clients "
                "served, assistance by kind and SNAP timeliness, for every office. Open it from this message."
            )
            % {"month": named},
        )

    recipients = User.objects.filter(monthly_report_recipient_scope()).distinct().order_by("pk")
    return staff_message_send(
        recipients=recipients, key=f"monthly-report:{month}", wording=wording, link=link, job="monthly report"
    )
