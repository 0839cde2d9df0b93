from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.services import audit_page_read
from casework.forms.cases import CaseOpenForm, CaseRestrictForm, CaseTransferForm, CaseTransitionForm
from casework.models import Case
from casework.selectors import cases as selectors
from casework.services import cases as services
from clients import selectors as client_selectors
from clients import services as client_services
from core.forms import add_service_errors

PAGE_SIZE = 50


def case_page(
    request: HttpRequest, case: Case, tab: str, template: str, *, status: int = 200, **context
) -> HttpResponse:
    """Render one tab of a case, recording that its clients' file was seen."""
    services.case_view_record(acting_user=request.user, case=case, page=tab)
    return render(request, template, {"case": case, "tab": tab, **context}, status=status)


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    """'My cases' by default; a supervisor can look at the team's, anyone at the cases of a client."""
    scope = request.GET.get("scope", "mine")
    status = request.GET.get("status", "active")
    client_id = request.GET.get("client")
    filters = {"status": status if status in {"active", *Case.Status.values} else ""}
    if client_id and client_id.isdigit():
        filters["client_id"] = int(client_id)
        scope = "client"
    elif scope == "team" and request.user.has_perm("casework.supervise"):
        filters["team_of"] = request.user
    elif scope != "office":
        scope = "mine"
        filters["worker"] = request.user
    page = Paginator(selectors.case_list(user=request.user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_read(actor=request.user, page="case list", client_ids=[case.primary_client_id for case in page])
    return render(
        request,
        "casework/case_list.html",
        {"page": page, "scope": scope, "status": status, "statuses": Case.Status.choices},
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseTransitionForm(case=case)
    return case_page(
        request,
        case,
        "overview",
        "casework/case_detail.html",
        transition_form=form,
        **selectors.case_detail(user=request.user, case=case),
    )


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseTransitionForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_transition(
                acting_user=request.user,
                case=case,
                to=data["to"],
                reason=data["reason"],
                closure_reason=data["closure_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s is now %(lower)s.")
                % {"number": case.number, "lower": case.get_status_display().lower()},
            )
            return redirect("casework:case_detail", pk=case.pk)
    return case_page(
        request,
        case,
        "overview",
        "casework/case_detail.html",
        status=400,
        transition_form=form,
        **selectors.case_detail(user=request.user, case=case),
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_open(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Open a new case for the current household of a client the user may see."""
    client = client_selectors.client_get(user=request.user, pk=client_pk)
    membership = client.memberships.filter(end_date__isnull=True).select_related("household").first()
    if membership is None:
        messages.error(
            request, _("%(client)s is in no household; register one through intake first.") % {"client": client}
        )
        return redirect("clients:household", pk=client.pk)
    household = membership.household
    members = client_selectors.household_current_members(user=request.user, household=household)
    form = CaseOpenForm(request.POST or None, members=members, initial={"primary_client": client.pk})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                acting_user=request.user,
                household=household,
                primary_client=form.cleaned_data["primary_client"],
                restricted=form.cleaned_data["restricted"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("casework:case_detail", pk=case.pk)
    client_services.client_view_record(acting_user=request.user, client=client, page="open a case")
    return render(request, "casework/case_open.html", {"client": client, "household": household, "form": form})


@login_required
@permission_required("casework.supervise", raise_exception=True)
def case_transfer(request: HttpRequest) -> HttpResponse:
    """A supervisor moves cases of the team to another worker of the office."""
    cases = selectors.case_list(user=request.user, team_of=request.user, status="active")
    workers = selectors.workers_for_transfer(supervisor=request.user)
    initial = {"cases": request.GET.getlist("case")}
    form = CaseTransferForm(request.POST or None, cases=cases, workers=workers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.case_transfer(
                acting_user=request.user,
                cases=list(data["cases"]),
                to_worker=data["to_worker"],
                reason=data["reason"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(value)s case(s) transferred to %(value2)s.")
                % {"value": len(result.moved), "value2": data["to_worker"]},
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            # The moved cases are no longer the supervisor's own: show them among the team's.
            return redirect(f"{reverse('casework:case_list')}?scope=team")
    audit_page_read(
        actor=request.user,
        page="case transfer",
        client_ids=[case.primary_client_id for case in form.fields["cases"].queryset],
    )
    return render(request, "casework/case_transfer.html", {"form": form})


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def case_restrict(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = CaseRestrictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_restricted(
                acting_user=request.user, case=case, restricted=not case.restricted, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Restriction changed."))
            return redirect("casework:case_detail", pk=case.pk)
    services.case_view_record(acting_user=request.user, case=case, page="restriction")
    return render(request, "casework/case_restrict.html", {"case": case, "form": form, "tab": "overview"})
