"""The appeal pages: recording a request, the list by deadline, the appeal file, scheduling and deciding,
settling at a conference and withdrawing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from accounts import access
from appeals import selectors, services
from appeals.forms import AppealRequestForm, DecisionForm, GoodCauseForm, HearingForm, SettleForm, WithdrawForm
from audit.services import audit_page_read, audit_record
from casework.models import Case
from core.forms import add_service_errors
from eligibility.models import AdverseAction
from eligibility.services import WhatIf

LIST_LIMIT = 200


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    """Supervisors and workers: open appeals by the date their decision is due."""
    appeals = list(selectors.appeals_by_deadline(request.user)[:LIST_LIMIT])
    audit_page_read(actor=request.user, page="appeals by deadline", client_ids=[a.client_id for a in appeals])
    return render(request, "appeals/appeal_list.html", {"appeals": appeals})


@login_required
def case_open_appeals(request: HttpRequest, case_id: int) -> HttpResponse:
    """The open appeals of a case, as a panel its page loads."""
    appeals = list(selectors.open_appeals_for_case(request.user, case_id)[:LIST_LIMIT])
    audit_page_read(actor=request.user, page="open appeals of a case", client_ids=[a.client_id for a in appeals])
    return render(request, "appeals/_open_appeals.html", {"appeals": appeals, "case_id": case_id})


@login_required
def client_open_appeals(request: HttpRequest, client_id: int) -> HttpResponse:
    appeals = list(selectors.open_appeals_for_client(request.user, client_id)[:LIST_LIMIT])
    audit_page_read(actor=request.user, page="open appeals of a client", client_ids=[a.client_id for a in appeals])
    return render(request, "appeals/_open_appeals.html", {"appeals": appeals})


@login_required
def appeal_request(request: HttpRequest, case_id: int) -> HttpResponse:
    if not access.may_work_cases(request.user):
        raise PermissionDenied
    case = get_object_or_404(Case.objects.filter(access.case_scope(request.user)), pk=case_id)
    actions = AdverseAction.objects.filter(enrollment__case=case).select_related("enrollment__program")
    form = AppealRequestForm(request.POST or None, actions=actions)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_request(
                acting_user=request.user, case=case, adverse_action=form.cleaned_data["adverse_action"],
                received_via=form.cleaned_data["received_via"], requested_on=form.cleaned_data["requested_on"],
                statement=form.cleaned_data["statement"], continue_benefits=form.cleaned_data["continue_benefits"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if appeal.status == appeal.Status.REFUSED:
                messages.warning(request, appeal.refusal)
            else:
                messages.success(request, _("The appeal is recorded."))
            return redirect("appeals:detail", appeal.pk)
    return render(request, "appeals/appeal_request.html", {"form": form, "case": case})


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The appeal file: the decision replayed with its recorded values, the documents, the notes."""
    file = selectors.appeal_file(request.user, pk)
    audit_record(
        actor=request.user, action="view", target=file.appeal, client_ids=[file.appeal.client_id],
        changes={"page": "appeal file"},
    )  # fmt: skip
    return _detail_page(request, file)


def _detail_page(request: HttpRequest, file, *, status: int = 200, **bound_forms) -> HttpResponse:
    """The appeal file with its forms; a form sent back with errors stands in its own place, as typed."""
    forms = {
        "hearing_form": HearingForm(officers=selectors.hearing_officers()),
        "decision_form": DecisionForm(),
        "good_cause_form": GoodCauseForm(),
        "settle_form": SettleForm(),
        "withdraw_form": WithdrawForm(),
        **bound_forms,
    }
    return render(
        request,
        "appeals/appeal_detail.html",
        {
            "file": file,
            "appeal": file.appeal,
            "may_work": access.may_work_cases(request.user),
            "may_supervise": access.may_supervise(request.user),
            "is_officer": file.appeal.hearing_officer_id == request.user.pk,
            **forms,
        },
        status=status,
    )


def _post_service(request: HttpRequest, pk: int, name: str, form, call) -> HttpResponse:
    """Bind the form, call one service; on a refusal show the file again with the form as typed."""
    appeal = selectors.appeal_get(request.user, pk)
    if form.is_valid():
        try:
            call(appeal, form.cleaned_data)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("appeals:detail", appeal.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("appeals:detail", appeal.pk)
    return _detail_page(request, selectors.appeal_file(request.user, pk), status=400, **{name: form})


@login_required
def appeal_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("appeals:detail", pk)
    form = HearingForm(request.POST, officers=selectors.hearing_officers())
    return _post_service(
        request, pk, "hearing_form", form,
        lambda appeal, data: services.appeal_hearing_schedule(
            acting_user=request.user, appeal=appeal, officer=data["officer"], starts_at=data["starts_at"],
            ends_at=data["ends_at"], place=data["place"],
        ),
    )  # fmt: skip


@login_required
def appeal_accept_late(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("appeals:detail", pk)
    return _post_service(
        request, pk, "good_cause_form", GoodCauseForm(request.POST),
        lambda appeal, data: services.appeal_accept_late(
            acting_user=request.user, appeal=appeal, good_cause=data["good_cause"]
        ),
    )  # fmt: skip


@login_required
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("appeals:detail", pk)

    def decide(appeal, data):
        income = data.get("income_amount")
        findings = WhatIf(income_amounts={0: income}) if income is not None else None
        services.appeal_decide(
            acting_user=request.user, appeal=appeal, decision=data["decision"], reasons=data["reasons"],
            findings=findings,
        )  # fmt: skip

    return _post_service(request, pk, "decision_form", DecisionForm(request.POST), decide)


@login_required
def appeal_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker on the case records the agency conference's settlement (the service ends continued benefits)."""
    if request.method != "POST":
        return redirect("appeals:detail", pk)
    return _post_service(
        request, pk, "settle_form", SettleForm(request.POST),
        lambda appeal, data: services.appeal_settle(acting_user=request.user, appeal=appeal, notes=data["notes"]),
    )  # fmt: skip


@login_required
def appeal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker on the case records the client's withdrawal, with how and when they withdrew."""
    if request.method != "POST":
        return redirect("appeals:detail", pk)
    return _post_service(
        request, pk, "withdraw_form", WithdrawForm(request.POST),
        lambda appeal, data: services.appeal_withdraw(acting_user=request.user, appeal=appeal, reason=data["reason"]),
    )  # fmt: skip
