"""Reads of tasks: a worker's list, a supervisor's overdue list, a case's tab. Scoped by the case access rule."""

from datetime import date

from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import case_scope
from accounts.models import User
from casework.models import Case, Task

WORKER_GROUPS = ["caseworker", "supervisor"]


def tasks_visible(*, user) -> QuerySet[Task]:
    """Tasks of the cases `user` may see, and the tasks without a case that are theirs or their team's."""
    own = Q(assignee_id=user.pk) | Q(assignee__team__supervisor_id=user.pk)
    return Task.objects.filter(case_scope(user, prefix="case__") | (Q(case__isnull=True) & own))


def task_get(*, user, pk: int) -> Task:
    """The task if `user` may see its case, else 404."""
    return get_object_or_404(tasks_visible(user=user).select_related("case"), pk=pk)


def _overdue(today: date) -> CaseWhen:
    return CaseWhen(
        When(status=Task.Status.OPEN, due_on__lt=today, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def my_tasks(*, user, today: date | None = None) -> QuerySet[Task]:
    """The user's open tasks on cases they may see: overdue ones first, then by due date."""
    today = today or timezone.localdate()
    return (
        tasks_visible(user=user)
        .filter(assignee=user, status=Task.Status.OPEN)
        .select_related("case", "case__primary_client")
        .prefetch_related("about")
        .annotate(overdue=_overdue(today))
        .order_by("-overdue", "due_on", "id")
    )


def team_overdue_tasks(*, supervisor: User, today: date | None = None) -> QuerySet[Task]:
    """Overdue open tasks on cases the supervisor may see, whose assignee is on a team they supervise."""
    today = today or timezone.localdate()
    return (
        tasks_visible(user=supervisor)
        .filter(assignee__team__supervisor=supervisor, status=Task.Status.OPEN, due_on__lt=today)
        .select_related("case", "case__primary_client", "assignee")
        .prefetch_related("about")
        .annotate(overdue=Value(True, output_field=BooleanField()))
        .order_by("due_on", "assignee__last_name", "id")
    )


def case_tasks(*, case: Case, today: date | None = None) -> list[Task]:
    """All tasks of a case the caller has already fetched through `case_get`: open ones first, by due date."""
    today = today or timezone.localdate()
    return list(
        Task.objects.filter(case=case)
        .select_related("assignee", "created_by", "completed_by")
        .annotate(
            overdue=_overdue(today),
            closed=CaseWhen(
                When(status=Task.Status.OPEN, then=Value(False)), default=Value(True), output_field=BooleanField()
            ),
        )
        .order_by("closed", "due_on", "id")
    )


def task_assignees(*, case: Case) -> QuerySet[User]:
    """Who may be given a task on the case: active caseworkers and supervisors of its office."""
    return (
        User.objects.filter(office_id=case.office_id, is_active=True, groups__name__in=WORKER_GROUPS)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
