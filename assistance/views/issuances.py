"""Pages of issuances: the case's Assistance tab, the request form, one issuance with the
actions open to the user, and the home page's card.

Each page fetches through the access rule (404 when the user may not see the case) and records
the read like every case page; each action is a POST that calls one service, whose refusal
becomes a message on the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Role, User
from assistance import services
from assistance.drug_cards import drug_card_notes
from assistance.forms.issuances import ApproveForm, IssuanceRequestForm, ReasonForm
from assistance.models import Issuance
from assistance.selectors import issuances as selectors
from assistance.selectors import ledger as ledger_selectors
from casework.models import Case
from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from clients.models import Client
from core.forms import add_service_errors
from core.money import format_money

WORK = "casework.work_cases"
SUPERVISE = "casework.supervise"
PAGE_SIZE = 25
Status = Issuance.Status


# The case's Assistance tab ------------------------------------------------------------------------


@login_required
def case_issuances(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    page = Paginator(selectors.case_issuances(case=case), PAGE_SIZE).get_page(request.GET.get("page"))
    clients = list(selectors.case_clients(case=case))
    balances = ledger_selectors.client_balances(client_ids=[c.pk for c in clients])
    card_holders = [i.client_id for i in page.object_list if i.kind == Issuance.Kind.DRUG_CARD]
    return case_page(
        request,
        case,
        "assistance",
        "assistance/case_issuances.html",
        page=page,
        balances=[(client, balances.get(client.pk, ledger_selectors.Balances())) for client in clients],
        drug_card_notes=drug_card_notes(card_holders, timezone.localdate()),
    )


# Requesting assistance ------------------------------------------------------------------------------


def _request_form(case: Case, clients: QuerySet[Client], data=None) -> IssuanceRequestForm:
    programs = selectors.programs_issuing()
    enrolled = services.enrolled_programs(case=case)
    return IssuanceRequestForm(
        data,
        clients=clients,
        programs=programs,
        supportive_services=selectors.case_supportive_services(case=case),
        initial={
            "client": case.primary_client_id,
            "program": enrolled[0].pk if enrolled else None,
            "payee_name": case.primary_client.full_name,
            "kind": Issuance.Kind.EMERGENCY,
            "payee_kind": Issuance.PayeeKind.CLIENT,
        },
    )


def _request_page(
    request: HttpRequest, case: Case, form: IssuanceRequestForm, clients: QuerySet[Client]
) -> HttpResponse:
    authorities = selectors.authorities_for(user=request.user)
    limits = {kind: selectors.authority_text(authority) for kind, authority in authorities.items()}
    kind = form["kind"].value() or Issuance.Kind.EMERGENCY
    response = case_page(
        request,
        case,
        "assistance",
        "assistance/issuance_request.html",
        form=form,
        authorities=[(Issuance.Kind(k).label, a) for k, a in authorities.items()],
        authority_line=limits.get(kind, ""),
        page_data={"limits": limits, "names": {str(c.pk): c.full_name for c in clients}},
    )
    response.status_code = 400 if form.errors else 200
    return response


def waiting_text(issuance: Issuance) -> str:
    """Why a request waits, as the requester reads it (`Excess.waiting_text`), each limit it goes past."""
    parts = [excess.waiting_text(issuance.kind) for excess in selectors.excesses(issuance.exceeds)]
    return "; ".join(parts) or "it needs a supervisor's approval"


@login_required
@permission_required(WORK, raise_exception=True)
def issuance_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for assistance for a client of the case; within the worker's authority it is issued at once."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    clients = selectors.case_clients(case=case)
    form = _request_form(case, clients, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = data["idempotency_key"]
        repeat = selectors.issuance_key_used(key=key)
        try:
            issuance = services.issuance_request(
                acting_user=request.user,
                case=case,
                client=data["client"],
                program=data["program"],
                request=form.issuance_request(),
                idempotency_key=key,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if repeat:
                # The key is spent on an earlier request: sending these details is a new request.
                form.data = form.data.copy()
                form.data["idempotency_key"] = uuid.uuid4().hex
        else:
            _say_what_happened(request, issuance, repeat=repeat)
            return redirect("assistance:issuance_detail", pk=issuance.pk)
    return _request_page(request, case, form, clients)


def _say_what_happened(request: HttpRequest, issuance: Issuance, *, repeat: bool) -> None:
    what = f"{issuance.get_kind_display()} of {format_money(issuance.amount)} for {issuance.payee_name}"
    if repeat:
        messages.info(
            request,
            _("This request was already sent (%(reference)s); here is what became of it.")
            % {"reference": issuance.reference},
        )
    elif issuance.status == Status.ISSUED:
        messages.success(
            request,
            _("Issued at once: %(what)s, reference %(reference)s.") % {"what": what, "reference": issuance.reference},
        )
    elif issuance.status == Status.PENDING:
        messages.warning(
            request,
            _("Waiting for a supervisor: %(value)s. %(what)s.") % {"value": waiting_text(issuance), "what": what},
        )
    else:
        messages.info(
            request, _("%(what)s: %(lower)s.") % {"what": what, "lower": issuance.get_status_display().lower()}
        )


# One issuance -----------------------------------------------------------------------------------------


def actions_for(user: User, issuance: Issuance) -> dict[str, bool]:
    """What this user may do to this issuance now (the services check again)."""
    works = access.may_work_cases(user)
    supervises = access.may_supervise(user)
    own = issuance.requested_by_id == user.pk
    return {
        "issue": works and issuance.status == Status.APPROVED,
        "cancel": works and issuance.status in (Status.PENDING, Status.APPROVED) and (own or supervises),
        "reverse": supervises and issuance.status == Status.ISSUED,
        "decide": supervises and issuance.status == Status.PENDING and not own,
        "own_pending": issuance.status == Status.PENDING and own,
    }


@login_required
def issuance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issuance = selectors.issuance_get(user=request.user, pk=pk)
    actions = actions_for(request.user, issuance)
    decision = None
    if actions["decide"]:
        decision = selectors.queue_rows(user=request.user, issuances=[issuance])[0]
    return case_page(
        request,
        issuance.case,
        "assistance",
        "assistance/issuance_detail.html",
        issuance=issuance,
        actions=actions,
        decision=decision,
        approve_form=ApproveForm(),
        reason_form=ReasonForm(),
        drug_card_notes=(
            drug_card_notes([issuance.client_id], timezone.localdate()).get(issuance.client_id, [])
            if issuance.kind == Issuance.Kind.DRUG_CARD
            else []
        ),
        **selectors.issuance_page(issuance=issuance),
    )


NEXT_PAGES = {"queue": "assistance:queue", "home": "home"}


def _act(
    request: HttpRequest, pk: int, form_class: type, act: Callable[[Issuance, dict], Issuance], done: Callable
) -> HttpResponse:
    """Fetch through the access rule, call one service, say what happened, go back where the user was."""
    issuance = selectors.issuance_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    form.is_valid()
    try:
        issuance = act(issuance, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done(issuance))
    back = NEXT_PAGES.get(request.POST.get("next", ""))
    return redirect(back) if back else redirect("assistance:issuance_detail", pk=issuance.pk)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def issuance_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm,
        lambda issuance, _data: services.issuance_issue(acting_user=request.user, issuance=issuance),
        lambda i: (
            f"Issued: {i.get_kind_display()} of {format_money(i.amount)} to {i.payee_name}, reference {i.reference}."
        ),
    )


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def issuance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm,
        lambda issuance, data: services.issuance_cancel(
            acting_user=request.user, issuance=issuance, reason=data.get("reason", "")
        ),
        lambda i: f"Request {i.reference} cancelled.",
    )


@login_required
@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def issuance_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm,
        lambda issuance, data: services.issuance_reverse(
            acting_user=request.user, issuance=issuance, reason=data.get("reason", "")
        ),
        lambda i: f"Payment {i.reference} reversed; the ledger has the opposite entries.",
    )


@login_required
@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def issuance_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ApproveForm,
        lambda issuance, data: services.issuance_approve(
            acting_user=request.user,
            issuance=issuance,
            reason=data.get("reason", ""),
            budget_acknowledged=data.get("budget_acknowledged", False),
        ),
        lambda i: (
            f"Approved {i.reference} ({format_money(i.amount)} for {i.client.full_name}); "
            f"{i.requested_by.get_full_name() or i.requested_by} can issue it now."
        ),
    )


@login_required
@require_POST
@permission_required(SUPERVISE, raise_exception=True)
def issuance_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ReasonForm,
        lambda issuance, data: services.issuance_reject(
            acting_user=request.user, issuance=issuance, reason=data.get("reason", "")
        ),
        lambda i: f"Rejected {i.reference}; {i.requested_by.get_full_name() or i.requested_by} will see why.",
    )


# The home page's card -----------------------------------------------------------------------------------


def home_card(user: User) -> dict | None:
    """Registered with casework's home page (see `assistance.apps`): decisions on the user's
    requests and what still waits; for a supervisor, how many requests wait in their queue.
    Auditors and administrators get a link to the programs' figures (no client's details)."""
    if not access.may_work_cases(user):
        if {Role.AUDITOR, Role.ADMIN} & user.roles:
            return {"template": "assistance/home_card_figures.html"}
        return None
    assistance = selectors.home_assistance(user=user, supervisor=access.may_supervise(user))
    return {
        "template": "assistance/home_card.html",
        "order": 10,
        "assistance": assistance,
        "client_ids": [i.client_id for i in [*assistance.decided, *assistance.waiting]],
    }
