"""The officer's lists: special authorization requests by status and age, and out-of-province
claims. Each fetches through the access rule and records which clients it showed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.services import audit_page_read
from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from core.forms import add_service_errors
from health_coverage import selectors, services
from health_coverage.forms import SpecialAuthorizationActionForm, SpecialAuthorizationForm
from health_coverage.models import OutOfProvinceClaim, SpecialAuthorization

WORK = "casework.work_cases"
PAGE_SIZE = 50


@login_required
@permission_required(WORK, raise_exception=True)
def special_authorization_list(request: HttpRequest) -> HttpResponse:
    """Requests by status, oldest first, with how many days each has waited since receipt."""
    status = request.GET.get("status", "open")
    rows = selectors.special_authorizations(user=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    audit_page_read(actor=request.user, page="special authorization requests", client_ids=[r.client_id for r in page])
    return render(
        request,
        "coverage/special_authorization_list.html",
        {
            "page": page,
            "rows": [(r, (today - r.received_on).days) for r in page],
            "status": status,
            "statuses": [("open", _("Open"), None)]
            + [
                (value, label, n)
                for (value, label), n in zip(
                    SpecialAuthorization.Status.choices,
                    selectors.special_authorization_counts(user=request.user).values(),
                    strict=True,
                )
            ],
        },
    )


@login_required
@permission_required(WORK, raise_exception=True)
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.out_of_province_claims(user=request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_page_read(actor=request.user, page="out-of-province claims", client_ids=[c.client_id for c in page])
    return render(
        request,
        "coverage/claim_list.html",
        {"page": page, "status": status, "statuses": OutOfProvinceClaim.Status.choices},
    )


@login_required
@permission_required(WORK, raise_exception=True)
def case_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's health coverage: its requests, restrictions, claims, decisions and travel."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = SpecialAuthorizationForm(documents=selectors.case_documents(case=case))
    return case_page(
        request, case, "coverage", "coverage/case_coverage.html", form=form, **selectors.case_coverage(case=case)
    )


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def special_authorization_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = SpecialAuthorizationForm(request.POST, documents=selectors.case_documents(case=case))
    if form.is_valid():
        try:
            sa = services.special_authorization_receive(
                acting_user=request.user,
                case=case,
                client=case.primary_client,
                drug=form.cleaned_data["drug"],
                din=form.cleaned_data["din"],
                prescriber=form.cleaned_data["prescriber"],
                criteria_claimed=form.cleaned_data["criteria_claimed"],
                received_on=form.cleaned_data["received_on"],
                evidence=list(form.cleaned_data["evidence"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Special authorization request for %(drug)s recorded as received.") % {"drug": sa.drug}
            )
            return redirect("coverage:special_authorization_detail", sa.pk)
    return case_page(
        request, case, "coverage", "coverage/case_coverage.html", status=400, form=form,
        **selectors.case_coverage(case=case),
    )  # fmt: skip


@login_required
@permission_required(WORK, raise_exception=True)
def special_authorization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sa = selectors.special_authorization_get(user=request.user, pk=pk)
    form = SpecialAuthorizationActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "review":
                services.special_authorization_review(acting_user=request.user, request=sa, note=data["reasons"])
            elif data["action"] == "more_info":
                services.special_authorization_request_information(
                    acting_user=request.user, request=sa, needed=data["reasons"]
                )
            else:
                services.special_authorization_decide(
                    acting_user=request.user, request=sa, approve=data["action"] == "approve",
                    reasons=data["reasons"], approved_from=data["approved_from"], approved_until=data["approved_until"],
                )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved; the client is told of any decision or request for information."))
            return redirect("coverage:special_authorization_detail", sa.pk)
    return case_page(
        request, sa.case, "coverage", "coverage/special_authorization_detail.html",
        status=400 if form.errors else 200, sa=sa, form=form, is_open=sa.status in SpecialAuthorization.OPEN,
        history=list(sa.status_changes.select_related("changed_by")), evidence=list(sa.evidence.all()),
    )  # fmt: skip
