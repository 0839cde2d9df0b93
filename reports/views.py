"""The dashboards (team, office, agency), their exports and drill-downs, and the monthly reports.

Every page here only reads (the export's audit event aside), so it is marked for the replica.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import may_read_dashboards, may_see_agency_figures
from accounts.models import Office, User
from audit.services import audit_page_read
from core.charts import bar_chart
from core.dates import parse_iso_date, parse_month
from core.replica import replica_reads
from reports import selectors
from reports.exports import XLSX_TYPE, monthly_report_csv, monthly_report_pdf
from reports.figures import figures_from_stored
from reports.models import MonthlyReport
from reports.services import dashboard_export

KINDS = {"team": _("Team dashboard"), "office": _("Office dashboard"), "agency": _("Agency dashboard")}
#: A dashboard's pages; each costs at most ten queries, the sign-in and the menu included.
PAGES = {
    "casework": _("Caseloads and timeliness"),
    "money": _("Money"),
    "services": _("Services and inquiries"),
}


def _filters(request: HttpRequest) -> tuple[date, date, list[str]]:
    """The date range asked for, or the last 30 days; a bad or reversed range is said, not guessed."""
    today = timezone.localdate()
    errors = []
    start = parse_iso_date(request.GET.get("start"))
    end = parse_iso_date(request.GET.get("end"))
    if (request.GET.get("start") and start is None) or (request.GET.get("end") and end is None):
        errors.append(gettext("Dates are written as YYYY-MM-DD; the last 30 days are shown instead."))
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        errors.append(gettext("The range starts after it ends; the last 30 days to its end are shown instead."))
        start = end - timedelta(days=29)
    if (end - start).days > 731:
        errors.append(gettext("A range is at most two years; its last two years are shown."))
        start = end - timedelta(days=731)
    return start, end, errors


def _scope(request: HttpRequest, kind: str) -> tuple[selectors.Scope, list[Office], Office | None]:
    if kind not in KINDS or not may_read_dashboards(request.user):
        raise PermissionDenied(_("Dashboards are for supervisors, office managers, administrators and auditors."))
    asked = request.GET.get("office", "")
    if may_see_agency_figures(request.user):
        offices = list(Office.objects.order_by("name"))
        office = next((o for o in offices if str(o.pk) == asked), None)
    else:
        # Only their own office is offered; asking for another is refused below, not answered with theirs.
        offices = []
        office = Office.objects.filter(pk=asked).first() if asked.isdigit() else None
        if asked and office is None:
            raise Http404
    scope = selectors.scope_for(user=request.user, kind=kind, office=office)
    if scope is None:
        raise PermissionDenied(
            _("The %(dashboard)s is not among the dashboards you may open.") % {"dashboard": str(KINDS[kind]).lower()}
        )
    return scope, offices, office


def _figures(scope: selectors.Scope, page: str, start: date, end: date, viewer: User) -> list[selectors.Figure]:
    if page == "services":
        return selectors.services_dashboard(scope=scope, start=start, end=end)
    if page == "money":
        return selectors.money_dashboard(scope=scope, start=start, end=end)
    return selectors.casework_dashboard(scope=scope, start=start, end=end, viewer=viewer)


@replica_reads
@login_required
def dashboard(request: HttpRequest, kind: str, page: str = "casework") -> HttpResponse:
    if page not in PAGES:
        raise Http404
    scope, offices, office = _scope(request, kind)
    start, end, errors = _filters(request)
    figures = _figures(scope, page, start, end, request.user)
    for figure in figures:
        figure.svg = bar_chart(
            chart_id=f"chart-{figure.key}",
            title=figure.title,
            desc=figure.summary,
            bars=figure.chart,
        )
    query = f"start={start.isoformat()}&end={end.isoformat()}" + (f"&office={office.pk}" if office else "")
    # Every number may lead to its rows: the drill-down lists only the cases the viewer may open.
    for figure in figures:
        links = [""] * len(figure.rows)
        if figure.key == "caseload":
            base = reverse("reports:drill", args=[kind, "caseload"])
            links = [f"{base}?{query}&worker={row['worker_id']}" for row in figure.listed]
        figure.table = list(zip(figure.rows, links, strict=True))
    return render(
        request,
        "reports/dashboard.html",
        {
            "kind": kind,
            "title": KINDS[kind],
            "page": page,
            "pages": PAGES,
            "scope": scope,
            "figures": figures,
            "start": start,
            "end": end,
            "errors": errors,
            "offices": offices,
            "office": office,
            "query": query,
            "kinds": [
                (k, label)
                for k, label in KINDS.items()
                if selectors.scope_for(user=request.user, kind=k, office=office)
            ],
        },
    )


@replica_reads
@login_required
def dashboard_download(request: HttpRequest, kind: str, page: str, fmt: str) -> HttpResponse:
    if page not in PAGES or fmt not in {"csv", "xlsx"}:
        raise Http404
    scope, _offices, _office = _scope(request, kind)
    start, end, _errors = _filters(request)
    figures = _figures(scope, page, start, end, request.user)
    content = dashboard_export(acting_user=request.user, scope=scope, figures=figures, fmt=fmt, start=start, end=end)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE)
    name = f"{kind}-{page}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@replica_reads
@login_required
def drill(request: HttpRequest, kind: str, name: str) -> HttpResponse:
    """The cases behind a number: only those the viewer may see, and the read is audited."""
    if name not in selectors.DRILLS:
        raise Http404
    scope, _offices, office = _scope(request, kind)
    start, end, errors = _filters(request)
    worker = request.GET.get("worker")
    cases = list(
        selectors.drill_cases(
            user=request.user,
            scope=scope,
            drill=name,
            start=start,
            end=end,
            worker_id=int(worker) if worker and worker.isdigit() else None,
        )
    )
    audit_page_read(
        actor=request.user,
        page=f"{KINDS[kind]}: {name}",
        client_ids=[c.primary_client_id for c in cases],
        object_type="reports.drill",
    )
    return render(
        request,
        "reports/drill.html",
        {
            "cases": cases,
            "name": name,
            "kind": kind,
            "title": KINDS[kind],
            "scope": scope,
            "start": start,
            "end": end,
            "errors": errors,
            "back": reverse("reports:dashboard", args=[kind])
            + f"?start={start}&end={end}"
            + (f"&office={office.pk}" if office else ""),
        },
    )


@replica_reads
@login_required
def monthly_reports(request: HttpRequest) -> HttpResponse:
    if not may_read_dashboards(request.user):
        raise PermissionDenied(
            _("The monthly reports are for supervisors, office managers, administrators and auditors.")
        )
    reports = MonthlyReport.objects.defer("pdf", "csv")
    return render(request, "reports/monthly_reports.html", {"reports": reports})


@replica_reads
@login_required
def monthly_report(request: HttpRequest, month: str, fmt: str = "") -> HttpResponse:
    if not may_read_dashboards(request.user):
        raise PermissionDenied(
            _("The monthly reports are for supervisors, office managers, administrators and auditors.")
        )
    day = parse_month(month)
    if day is None:
        raise Http404
    report = get_object_or_404(MonthlyReport, month=day)
    if fmt == "pdf":
        response = HttpResponse(monthly_report_pdf(report), content_type="application/pdf")
    elif fmt == "csv":
        response = HttpResponse(monthly_report_csv(report), content_type="text/csv; charset=utf-8")
    elif not fmt:
        figures = figures_from_stored(report.figures)
        return render(request, "reports/monthly_report.html", {"report": report, "figures": figures})
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="monthly-report-{month}.{fmt}"'
    return response
