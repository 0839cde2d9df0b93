"""Pages of eligibility: a tab of the case. Each fetches through the access rule (404 otherwise),
records the read like every case page, and calls one service for a write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from casework.selectors import cases as case_selectors
from casework.views.cases import case_page
from core.forms import add_service_errors
from eligibility import selectors, services
from eligibility.forms import ApplyForm, ExpeditedScreeningForm, FinaliseForm, RunForm, WhatIfForm
from eligibility.models import Enrollment, Program
from eligibility.notices import example_values, rules_cited

WORK = "casework.work_cases"


def _case_tab(request: HttpRequest, case, apply_form: ApplyForm | None = None) -> HttpResponse:
    if apply_form is None and request.user.has_perm(WORK):
        apply_form = ApplyForm(programs=selectors.programs_open())
    return case_page(
        request,
        case,
        "eligibility",
        "eligibility/case_eligibility.html",
        enrollments=selectors.case_enrollments(case=case),
        apply_form=apply_form,
    )


@login_required
def case_eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_tab(request, case_selectors.case_get(user=request.user, pk=pk))


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def enrollment_apply(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = ApplyForm(request.POST, programs=selectors.programs_open())
    if form.is_valid():
        try:
            enrollment = services.enrollment_apply(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Application for %(program)s recorded.") % {"program": enrollment.program})
            return redirect("eligibility:enrollment_detail", enrollment.pk)
    return _case_tab(request, case, form)


def _whatif_form(enrollment: Enrollment, data=None) -> tuple[WhatIfForm | None, str]:
    """The what-if form built on the household as it is today (or the application date, if later)."""
    as_of = max(timezone.localdate(), enrollment.application_date)
    if data is not None:
        posted = RunForm({"as_of": data.get("as_of")})
        if posted.is_valid():
            as_of = posted.cleaned_data["as_of"]
    try:
        snapshot = services.snapshot_build(
            case=enrollment.case,
            as_of=as_of,
            application_date=enrollment.application_date,
            exempt_asset_kinds=enrollment.program.exempt_asset_kinds,
        )
    except ValidationError as error:
        return None, " ".join(error.messages)
    return WhatIfForm(data, snapshot=snapshot, as_of=as_of), ""


def _enrollment_page(
    request: HttpRequest,
    enrollment: Enrollment,
    run_form: RunForm | None = None,
    expedited_form: ExpeditedScreeningForm | None = None,
) -> HttpResponse:
    may_work = request.user.has_perm(WORK)
    may_screen = (
        may_work
        and enrollment.program.rules_module == Program.RulesModule.SNAP
        and enrollment.status in (Enrollment.Status.APPLIED, Enrollment.Status.PENDING)
    )
    whatif_form, whatif_error = (
        _whatif_form(enrollment) if may_work and enrollment.status in Enrollment.LIVE else (None, "")
    )
    return case_page(
        request,
        enrollment.case,
        "eligibility",
        "eligibility/enrollment_detail.html",
        enrollment=enrollment,
        is_live=enrollment.status in Enrollment.LIVE,
        run_form=run_form or (RunForm() if may_work else None),
        whatif_form=whatif_form,
        whatif_error=whatif_error,
        expedited_form=expedited_form or (ExpeditedScreeningForm() if may_screen else None),
        **selectors.enrollment_page(enrollment=enrollment),
    )


@login_required
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_page(request, selectors.enrollment_get(user=request.user, pk=pk))


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def determination_run(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            determination = services.determination_run(
                acting_user=request.user, enrollment=enrollment, as_of=form.cleaned_data["as_of"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Determination made; read it and approve or deny it."))
            return redirect("eligibility:determination_detail", determination.pk)
    return _enrollment_page(request, enrollment, form)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def snap_expedited_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the expedited-service screening of a SNAP application; the service decides and audits it."""
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    form = ExpeditedScreeningForm(request.POST)
    if form.is_valid():
        try:
            services.snap_expedited_screen(acting_user=request.user, enrollment=enrollment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Expedited-service screening recorded."))
            return redirect("eligibility:enrollment_detail", enrollment.pk)
    return _enrollment_page(request, enrollment, expedited_form=form)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def enrollment_whatif(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the result with changed figures beside the current one. Nothing is saved."""
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    form, error = _whatif_form(enrollment, request.POST)
    result = None
    if form is not None and form.is_valid():
        try:
            result = services.determination_whatif(
                acting_user=request.user,
                enrollment=enrollment,
                as_of=form.cleaned_data["as_of"],
                change=form.change(),
            )
        except ValidationError as service_error:
            add_service_errors(form, service_error)
    return render(
        request,
        "eligibility/_whatif_result.html",
        {"enrollment": enrollment, "form": form, "error": error, "result": result},
    )


def _determination_page(request: HttpRequest, determination, form: FinaliseForm | None = None) -> HttpResponse:
    may_decide = request.user.has_perm(WORK) and not determination.is_final
    return case_page(
        request,
        determination.enrollment.case,
        "eligibility",
        "eligibility/determination_detail.html",
        determination=determination,
        enrollment=determination.enrollment,
        criteria=determination.outcome["criteria"],
        replay=services.determination_replay(determination=determination),
        rules_cited=rules_cited(determination.parameters_used),
        example_values=example_values(determination.parameters_used),
        finalise_form=form or (FinaliseForm() if may_decide else None),
    )


@login_required
def determination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _determination_page(request, selectors.determination_get(user=request.user, pk=pk))


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def determination_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    determination = selectors.determination_get(user=request.user, pk=pk)
    form = FinaliseForm(request.POST)
    if form.is_valid():
        try:
            determination = services.determination_finalise(
                acting_user=request.user, determination=determination, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Determination %(lower)s.") % {"lower": determination.get_status_display().lower()}
            )
            return redirect("eligibility:determination_detail", determination.pk)
    return _determination_page(request, determination, form)


@login_required
def determination_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision notice as a PDF."""
    determination = selectors.determination_get(user=request.user, pk=pk)
    try:
        pdf = services.determination_notice_issue(acting_user=request.user, determination=determination)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("eligibility:determination_detail", determination.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{determination.pk}.pdf"'
    return response


# The home page's card ---------------------------------------------------------------------------------


def home_card(user) -> dict | None:
    """Registered with casework's home page (see `eligibility.apps`): the periodic reviews open
    on a caseworker's own cases."""
    if not user.has_role(Role.CASEWORKER):
        return None
    reviews = selectors.home_reviews(user=user)
    return {
        "template": "eligibility/home_card.html",
        "order": 20,
        "reviews": reviews,
        "today": timezone.localdate(),
        "client_ids": [review.enrollment.case.primary_client_id for review in reviews.reviews],
    }
