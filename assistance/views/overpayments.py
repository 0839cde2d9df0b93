"""Pages of overpayments: the case's tab, one overpayment with its actions, establishing one by hand,
and the supervisors' queue of write-offs.

Each page fetches through the access rule (404 otherwise) and records the read like every case
page; each action binds its form, calls one service and redirects, or shows the page again with
the service's error beside what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from assistance.forms.overpayments import (
    MAX_ROWS,
    AgreementEndForm,
    AgreementForm,
    EstablishForm,
    ReasonForm,
    RepaymentForm,
    WriteOffDecideForm,
    WriteOffRequestForm,
    period_formset,
)
from assistance.models import Overpayment
from assistance.selectors import overpayments as selectors
from assistance.services import overpayments as services
from audit.models import AuditEvent
from audit.services import audit_record
from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from core.forms import add_service_errors
from core.money import format_money

WORK = "casework.work_cases"
SUPERVISE = "casework.supervise"
PAGE_SIZE = 25
Status = Overpayment.Status


@login_required
def case_overpayments(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case_page(
        request,
        case,
        "overpayments",
        "assistance/overpayment_case.html",
        overpayments=selectors.case_overpayments(case=case),
    )


def _establish_forms(request: HttpRequest, case, data=None) -> tuple[EstablishForm, object]:
    form = EstablishForm(
        data, **selectors.establish_choices(user=request.user, case=case), initial={"client": case.primary_client_id}
    )
    rows = request.GET.get("rows", "")
    formset = period_formset(data, rows=int(rows) if rows.isdigit() else 6)
    return form, formset


@login_required
@permission_required(WORK, raise_exception=True)
def overpayment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Establish an overpayment found by an investigation: what was alleged and found, month by month."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    form, formset = _establish_forms(request, case, request.POST if request.method == "POST" else None)
    # Both are checked, so every mistake shows at once.
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        periods = [
            (row.cleaned_data["period"], row.cleaned_data["amount"])
            for row in formset
            if row.cleaned_data.get("period") and row.cleaned_data.get("amount")
        ]
        try:
            overpayment = services.overpayment_establish(
                acting_user=request.user,
                case=case,
                client=form.cleaned_data["client"],
                program=form.cleaned_data["program"],
                reason=form.cleaned_data["reason"],
                allegation=form.cleaned_data["allegation"],
                findings=form.cleaned_data["findings"],
                outcome=form.cleaned_data["outcome"],
                periods=periods,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Overpayment of %(value)s established.") % {"value": format_money(overpayment.amount)}
            )
            return redirect("assistance:overpayment_detail", overpayment.pk)
    return case_page(
        request,
        case,
        "overpayments",
        "assistance/overpayment_form.html",
        form=form,
        formset=formset,
        max_rows=MAX_ROWS,
    )


def _detail(request: HttpRequest, overpayment: Overpayment, **bound) -> HttpResponse:
    """The overpayment's page with the forms this user may use now; `bound` replaces one with what was posted."""
    page = selectors.overpayment_page(overpayment=overpayment)
    user = request.user
    may_work, may_supervise = user.has_perm(WORK), user.has_perm(SUPERVISE)
    is_open = overpayment.status in Overpayment.OPEN
    agreement = page["active_agreement"]
    forms = {
        "reason_form": ReasonForm(initial={"reason": overpayment.reason})
        if may_work
        and overpayment.status == Status.ESTABLISHED
        and overpayment.balance == overpayment.amount
        and agreement is None
        else None,
        "write_off_form": WriteOffRequestForm() if may_work and is_open else None,
        "decide_form": WriteOffDecideForm()
        if may_supervise
        and overpayment.status == Status.WRITE_OFF_PENDING
        and overpayment.write_off_requested_by_id != user.pk
        else None,
        "agreement_form": AgreementForm() if may_work and is_open and agreement is None else None,
        "agreement_end_form": AgreementEndForm() if may_work and agreement is not None else None,
        "repayment_form": RepaymentForm() if may_work and is_open else None,
    }
    forms.update(bound)
    return case_page(
        request,
        overpayment.case,
        "overpayments",
        "assistance/overpayment_detail.html",
        overpayment=overpayment,
        own_write_off=overpayment.status == Status.WRITE_OFF_PENDING
        and overpayment.write_off_requested_by_id == user.pk,
        **page,
        **forms,
    )


@login_required
def overpayment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.overpayment_get(user=request.user, pk=pk))


def _act(request: HttpRequest, pk: int, form_class, form_name: str, call, done: str, redirect_to=None):
    """Bind the posted form, call the service with its data, and redirect; or show the page with the error."""
    overpayment = selectors.overpayment_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(overpayment, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect_to or redirect("assistance:overpayment_detail", overpayment.pk)
    return _detail(request, overpayment, **{form_name: form})


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def overpayment_reason(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm,
        "reason_form",
        lambda o, d: services.overpayment_reason_change(
            acting_user=request.user, overpayment=o, reason=d["reason"], note=d["note"]
        ),
        "Reason changed.",
    )


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def write_off_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        WriteOffRequestForm,
        "write_off_form",
        lambda o, d: services.overpayment_write_off_request(
            acting_user=request.user, overpayment=o, reason=d["reason"]
        ),
        "Write-off requested: another supervisor decides it.",
    )


@login_required
@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def write_off_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    back = redirect("assistance:write_off_queue") if request.POST.get("next") == "queue" else None
    return _act(
        request,
        pk,
        WriteOffDecideForm,
        "decide_form",
        lambda o, d: services.overpayment_write_off_decide(
            acting_user=request.user, overpayment=o, approve=d["decision"] == "approve", reason=d["reason"]
        ),
        "Write-off approved: nothing is owed now." if approve else "Write-off refused: recovery continues.",
        redirect_to=back,
    )


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def agreement_make(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        AgreementForm,
        "agreement_form",
        lambda o, d: services.repayment_agreement_make(
            acting_user=request.user,
            overpayment=o,
            instalment=d["instalment"],
            first_due_on=d["first_due_on"],
            note=d["note"],
        ),
        "Repayment agreement recorded: deductions from benefits stop while it is kept.",
    )


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        AgreementEndForm,
        "agreement_end_form",
        lambda o, d: services.repayment_agreement_end(acting_user=request.user, overpayment=o, reason=d["reason"]),
        "Agreement ended: recovery goes back to deductions from benefits.",
    )


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def repayment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        RepaymentForm,
        "repayment_form",
        lambda o, d: services.repayment_record(
            acting_user=request.user, overpayment=o, amount=d["amount"], received_on=d["received_on"]
        ),
        "Repayment recorded.",
    )


@login_required
@permission_required(SUPERVISE, raise_exception=True)
def write_off_queue(request: HttpRequest) -> HttpResponse:
    """Write-offs waiting for a decision on cases this supervisor may see, other than their own requests."""
    page = Paginator(selectors.write_off_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        # The queue names each client and what they owe: a read of their file.
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            object_type="assistance.overpayment",
            object_repr="write-off queue",
            client_ids=sorted({o.client_id for o in page.object_list}),
            changes={"page": "write-off queue", "overpayments": [o.pk for o in page.object_list]},
        )
    return render(request, "assistance/overpayment_write_offs.html", {"page": page})
