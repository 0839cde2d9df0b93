"""Tasks: my list, the team's overdue list, a case's tab, adding and closing a task."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.services import audit_page_read
from casework.forms.tasks import TaskForm
from casework.models import Task
from casework.selectors import cases as case_selectors
from casework.selectors import tasks as selectors
from casework.services import tasks as services
from casework.views.cases import case_page
from core.forms import add_service_errors

PAGE_SIZE = 50


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def task_list(request: HttpRequest) -> HttpResponse:
    """'My tasks', overdue first; a supervisor can look at the team's overdue tasks."""
    scope = request.GET.get("scope", "mine")
    if scope == "team" and request.user.has_perm("casework.supervise"):
        tasks = selectors.team_overdue_tasks(supervisor=request.user)
    else:
        scope = "mine"
        tasks = selectors.my_tasks(user=request.user)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page_read(actor=request.user, page="task list", client_ids=[i for task in page for i in task.client_ids])
    return render(request, "casework/task_list.html", {"page": page, "scope": scope})


@login_required
def case_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    return case_page(
        request,
        case,
        "tasks",
        "casework/task_case.html",
        tasks=selectors.case_tasks(case=case),
        today=timezone.localdate(),
    )


@login_required
@permission_required("casework.work_cases", raise_exception=True)
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_selectors.case_get(user=request.user, pk=pk)
    form = TaskForm(
        request.POST or None,
        assignees=selectors.task_assignees(case=case),
        initial={"assignee": case.assigned_worker_id, "kind": Task.Kind.FOLLOW_UP},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_add(
                acting_user=request.user,
                case=case,
                kind=data["kind"],
                title=data["title"],
                details=data["details"],
                due_on=data["due_on"],
                assignee=data["assignee"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Task “{task.title}” added for {task.assignee}, due {task.due_on:%Y-%m-%d}.")
            return redirect("casework:case_tasks", pk=case.pk)
    return case_page(request, case, "tasks", "casework/task_form.html", form=form)


def _close(request: HttpRequest, pk: int, status: str, done: str) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    try:
        services.task_complete(acting_user=request.user, task=task, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Task “%(title)s” %(done)s.") % {"title": task.title, "done": done})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("casework:case_tasks", pk=task.case_id)


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(request, pk, Task.Status.DONE, "marked done")


@login_required
@require_POST
@permission_required("casework.work_cases", raise_exception=True)
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(request, pk, Task.Status.CANCELLED, "cancelled")
