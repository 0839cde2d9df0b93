"""The payment run pages, for supervisors and administrators: the runs, one run's report, its payment file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from assistance.models import PaymentRun
from assistance.selectors import runs as selectors
from assistance.services.runs import payment_file_issue
from audit.services import audit_page_read


def _require_run_access(request: HttpRequest) -> None:
    if not request.user.has_perm("assistance.see_payment_runs"):
        raise PermissionDenied(_("Payment runs are for supervisors, finance and administrators."))


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require_run_access(request)
    page = selectors.run_list(page=request.GET.get("page"))
    return render(request, "assistance/run_list.html", {"page": page})


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_run_access(request)
    run = selectors.run_get(pk=pk)
    progress = selectors.run_progress(run=run) if run.status == PaymentRun.Status.RUNNING else None
    report, named = selectors.run_report_for(user=request.user, run=run)
    audit_page_read(
        actor=request.user, page="payment run report", object_type="assistance.paymentrun", client_ids=named
    )
    return render(request, "assistance/run_detail.html", {"run": run, "report": report, "progress": progress})


@login_required
def run_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The payment file as CSV, recorded in the audit trail with every payee it names."""
    _require_run_access(request)
    if not request.user.has_perm("assistance.download_payment_file"):
        raise PermissionDenied(_("Payment files are for supervisors and finance."))
    run = selectors.run_get(pk=pk)
    if run.status != PaymentRun.Status.COMPLETED:
        messages.error(request, _("The payment file is ready once the run is complete."))
        return redirect("assistance:run_detail", pk=run.pk)
    content = payment_file_issue(acting_user=request.user, run=run)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{run.period:%Y-%m}.csv"'
    return response
