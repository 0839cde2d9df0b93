"""Pages of service and employment plans: the plans tab, a plan, its changes, and a printable copy.

Each write fetches the case and the plan the user may see (404 otherwise), binds one form,
calls one service from casework.services.plans and redirects to the plan with a message;
a refusal from the service is shown on the form, on the plan's page, with status 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework.forms.plans import (
    GoalForm,
    PlanAgreeForm,
    PlanCreateForm,
    PlanForm,
    ProgressNoteForm,
    StepForm,
    SupportiveServiceForm,
    WorkActivityForm,
)
from casework.models import Case, Plan
from casework.selectors import cases as case_selectors
from casework.selectors import plans as selectors
from casework.services import cases as case_services
from casework.services import plans as services
from casework.views.cases import case_page
from core.forms import add_service_errors
from core.pdf import html_to_pdf
from correspondence.services import language_of

WORK = "casework.work_cases"


def _data(request: HttpRequest):
    """The posted data, even when empty (an empty form is still a submitted one)."""
    return request.POST if request.method == "POST" else None


def _fetch(request: HttpRequest, pk: int, plan_pk: int) -> tuple[Case, Plan]:
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case, selectors.plan_get(user=request.user, case=case, pk=plan_pk)


def _to_plan(plan: Plan, anchor: str = "") -> HttpResponse:
    response = redirect("casework:plan_detail", pk=plan.case_id, plan_pk=plan.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _not_editable(request: HttpRequest, plan: Plan) -> HttpResponse | None:
    """Edit pages are for drafts: asked for another version, go back to it (the service refuses it too)."""
    if request.method == "GET" and not plan.is_editable:
        messages.info(
            request,
            _("Version %(version)s is %(lower)s; revise it to change it.")
            % {"version": plan.version, "lower": plan.get_status_display().lower()},
        )
        return _to_plan(plan)
    return None


def _tab(request: HttpRequest, case: Case, *, form: PlanCreateForm | None = None, status: int = 200) -> HttpResponse:
    clients = selectors.case_clients(user=request.user, case=case)
    response = case_page(
        request,
        case,
        "plans",
        "casework/plans.html",
        lines=selectors.case_plans_overview(user=request.user, case=case),
        create_form=form or PlanCreateForm(clients=clients, prefix="new"),
    )
    response.status_code = status
    return response


def _plan_page(request: HttpRequest, case: Case, plan: Plan, *, status: int = 200, **forms) -> HttpResponse:
    """A plan's page with the forms its status allows; `forms` puts a bound form (with its errors) in place."""
    goals = list(plan.goals.all())
    context: dict = {"plan": plan, "goals": goals, "versions": selectors.plan_versions(plan=plan)}
    step_for = forms.pop("step_for", None)
    if request.user.has_perm(WORK):
        if plan.is_editable:
            for goal in goals:
                goal.step_form = StepForm(prefix=f"step-{goal.pk}")
                if step_for is not None and goal.pk == step_for.pk:
                    goal.step_form = forms.pop("step_form")
            context.update(
                plan_form=PlanForm(prefix="plan", initial={"summary": plan.summary, "review_on": plan.review_on}),
                goal_form=GoalForm(prefix="goal"),
                activity_form=WorkActivityForm(prefix="activity"),
                service_form=SupportiveServiceForm(prefix="service"),
                agree_form=PlanAgreeForm(prefix="agree"),
            )
        elif plan.status == Plan.Status.AGREED:
            context["note_form"] = ProgressNoteForm(goals=goals, prefix="note")
    # A refusal on a form the page no longer shows (the plan was agreed meanwhile) goes on top.
    shown = set(context) if request.user.has_perm(WORK) else set()
    context["refusals"] = [e for name, form in forms.items() if name not in shown for e in form.non_field_errors()]
    context.update(forms)
    response = case_page(request, case, "plans", "casework/plan_detail.html", **context)
    response.status_code = status
    return response


# Reading ----------------------------------------------------------------------------------------


@login_required
def case_plans(request: HttpRequest, pk: int) -> HttpResponse:
    """The plans tab: each plan on the case with its current version, and a form to start one."""
    case = case_selectors.case_get(user=request.user, pk=pk)
    return _tab(request, case)


@login_required
def plan_detail(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    return _plan_page(request, case, plan)


@login_required
def plan_print(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """A copy to print and sign, or (`?format=pdf`) the same as a tagged PDF to hand over.

    It never shows an address: printed plans leave the agency.
    """
    case, plan = _fetch(request, pk, plan_pk)
    goals = list(plan.goals.all())
    if request.GET.get("format") != "pdf":
        return case_page(request, case, "plans", "casework/plan_print.html", plan=plan, goals=goals)
    case_services.case_view_record(acting_user=request.user, case=case, page="plans")
    # Handed to the client: in their language, as their letters are.
    with translation.override(language_of(case.primary_client)):
        html = render_to_string("casework/plan_pdf.html", {"case": case, "plan": plan, "goals": goals}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.pk}.pdf"'
    return response


# Writing the plan -------------------------------------------------------------------------------


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = PlanCreateForm(request.POST, clients=selectors.case_clients(user=request.user, case=case), prefix="new")
    if form.is_valid():
        try:
            plan = services.plan_create(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s started for %(client)s. Add its goals.")
                % {"kind": plan.get_kind_display(), "client": plan.client},
            )
            return _to_plan(plan, "goals")
    return _tab(request, case, form=form, status=400)


@login_required
@permission_required(WORK, raise_exception=True)
def plan_edit(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    if (back := _not_editable(request, plan)) is not None:
        return back
    form = PlanForm(_data(request), prefix="plan", initial={"summary": plan.summary, "review_on": plan.review_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_change(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return _to_plan(plan)
    response = case_page(request, case, "plans", "casework/plan_edit.html", plan=plan, form=form)
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_agree(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    form = PlanAgreeForm(request.POST, prefix="agree")
    if form.is_valid():
        try:
            plan = services.plan_agree(acting_user=request.user, plan=plan, agreed_on=form.cleaned_data["agreed_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Version {plan.version} agreed on {plan.agreed_on:%Y-%m-%d}.")
            return _to_plan(plan)
    return _plan_page(request, case, plan, status=400, agree_form=form)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_revise(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    _case, plan = _fetch(request, pk, plan_pk)
    try:
        draft = services.plan_revise(acting_user=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_plan(plan)
    messages.success(
        request,
        _("Version %(version)s drafted from version %(version2)s; change it, then agree it.")
        % {"version": draft.version, "version2": plan.version},
    )
    return _to_plan(draft)


# Goals and steps --------------------------------------------------------------------------------


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_goal_add(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        try:
            goal = services.plan_goal_add(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal added. Add its first step."))
            return _to_plan(plan, f"goal-{goal.pk}")
    return _plan_page(request, case, plan, status=400, goal_form=form)


@login_required
@permission_required(WORK, raise_exception=True)
def plan_goal_edit(request: HttpRequest, pk: int, plan_pk: int, goal_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    if (back := _not_editable(request, plan)) is not None:
        return back
    goal = selectors.plan_goal_get(plan=plan, pk=goal_pk)
    initial = {"description": goal.description, "barrier": goal.barrier}
    form = GoalForm(_data(request), prefix="goal", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_goal_change(acting_user=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal saved."))
            return _to_plan(plan, f"goal-{goal.pk}")
    response = case_page(
        request, case, "plans", "casework/plan_part_edit.html", plan=plan, form=form, part="goal", title="Change a goal"
    )
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_goal_remove(request: HttpRequest, pk: int, plan_pk: int, goal_pk: int) -> HttpResponse:
    _case, plan = _fetch(request, pk, plan_pk)
    goal = selectors.plan_goal_get(plan=plan, pk=goal_pk)
    try:
        services.plan_goal_remove(acting_user=request.user, goal=goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Goal and its steps removed from the draft."))
    return _to_plan(plan, "goals")


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_step_add(request: HttpRequest, pk: int, plan_pk: int, goal_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    goal = selectors.plan_goal_get(plan=plan, pk=goal_pk)
    form = StepForm(request.POST, prefix=f"step-{goal.pk}")
    if form.is_valid():
        try:
            services.plan_step_add(acting_user=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step added."))
            return _to_plan(plan, f"goal-{goal.pk}")
    return _plan_page(request, case, plan, status=400, step_for=goal, step_form=form)


@login_required
@permission_required(WORK, raise_exception=True)
def plan_step_edit(request: HttpRequest, pk: int, plan_pk: int, step_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    if (back := _not_editable(request, plan)) is not None:
        return back
    step = selectors.plan_step_get(plan=plan, pk=step_pk)
    initial = {
        "description": step.description,
        "responsible": step.responsible,
        "target_on": step.target_on,
        "status": step.status,
    }
    form = StepForm(_data(request), prefix="step", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_step_change(acting_user=request.user, step=step, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Step saved."))
            return _to_plan(plan, f"goal-{step.goal_id}")
    response = case_page(
        request, case, "plans", "casework/plan_part_edit.html", plan=plan, form=form, part="step", title="Change a step"
    )
    if form.is_bound:
        response.status_code = 400
    return response


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_step_remove(request: HttpRequest, pk: int, plan_pk: int, step_pk: int) -> HttpResponse:
    _case, plan = _fetch(request, pk, plan_pk)
    step = selectors.plan_step_get(plan=plan, pk=step_pk)
    try:
        services.plan_step_remove(acting_user=request.user, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Step removed from the draft."))
    return _to_plan(plan, f"goal-{step.goal_id}")


# Work activities and supportive services ---------------------------------------------------------


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_activity_add(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    form = WorkActivityForm(request.POST, prefix="activity")
    if form.is_valid():
        try:
            services.plan_activity_add(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Work activity added."))
            return _to_plan(plan, "activities")
    return _plan_page(request, case, plan, status=400, activity_form=form)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_activity_remove(request: HttpRequest, pk: int, plan_pk: int, activity_pk: int) -> HttpResponse:
    _case, plan = _fetch(request, pk, plan_pk)
    activity = selectors.plan_activity_get(plan=plan, pk=activity_pk)
    try:
        services.plan_activity_remove(acting_user=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Work activity removed from the draft."))
    return _to_plan(plan, "activities")


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_service_add(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    form = SupportiveServiceForm(request.POST, prefix="service")
    if form.is_valid():
        try:
            services.plan_service_add(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Supportive service recorded."))
            return _to_plan(plan, "services")
    return _plan_page(request, case, plan, status=400, service_form=form)


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_service_remove(request: HttpRequest, pk: int, plan_pk: int, service_pk: int) -> HttpResponse:
    _case, plan = _fetch(request, pk, plan_pk)
    service = selectors.plan_service_get(plan=plan, pk=service_pk)
    try:
        services.plan_service_remove(acting_user=request.user, service=service)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Supportive service removed from the draft."))
    return _to_plan(plan, "services")


# Progress -----------------------------------------------------------------------------------------


@login_required
@require_POST
@permission_required(WORK, raise_exception=True)
def plan_note_add(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case, plan = _fetch(request, pk, plan_pk)
    form = ProgressNoteForm(request.POST, goals=plan.goals.all(), prefix="note")
    if form.is_valid():
        try:
            services.plan_progress_note_add(acting_user=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Progress noted."))
            return _to_plan(plan, "progress")
    return _plan_page(request, case, plan, status=400, note_form=form)
