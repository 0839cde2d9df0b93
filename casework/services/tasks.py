"""Tasks: the one way any app puts something on a worker's list."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, Task

Action = AuditEvent.Action


def task_create(
    *,
    case: Case,
    kind: str,
    title: str,
    due_on: date,
    assignee: User | None = None,
    details: str = "",
    created_by: User | None = None,
    dedupe_key: str | None = None,
) -> Task:
    """Put a task on a worker's list (the case's worker unless another is named).

    With `dedupe_key`, a job that runs twice makes one task: the second call returns the first.
    """
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": "Choose a kind of task."})
    if not title.strip():
        raise ValidationError({"title": "Say what needs doing."})
    assignee = assignee or case.assigned_worker
    # A task for someone who cannot see the case would sit on nobody's list.
    if not assignee.is_active or not access.may_work_cases(assignee) or assignee.office_id != case.office_id:
        raise ValidationError({"assignee": f"{assignee} is not a worker of {case.office}."})
    if dedupe_key:
        existing = Task.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            task = Task.objects.create(
                case=case,
                assignee=assignee,
                kind=kind,
                title=title.strip(),
                details=details,
                due_on=due_on,
                created_by=created_by,
                dedupe_key=dedupe_key or None,
            )
            audit_record(
                actor=created_by,
                action=Action.CREATE,
                target=task,
                client_ids=[case.primary_client_id],
                changes={"title": [None, task.title], "due_on": [None, due_on.isoformat()], "kind": [None, kind]},
            )
    except IntegrityError:
        if dedupe_key:
            # Another run made it between our look and our insert.
            return Task.objects.get(dedupe_key=dedupe_key)
        raise
    return task


def task_add(
    *,
    acting_user: User,
    case: Case,
    kind: str,
    title: str,
    due_on: date,
    assignee: User | None = None,
    details: str = "",
) -> Task:
    """A worker puts a task on a case by hand.

    Stricter than `task_create`, which jobs use: the due date is not in the past and the case
    is not closed. (`task_create` checks the assignee for both.)
    """
    if not access.may_work_cases(acting_user):
        raise PermissionDenied("Only caseworkers and supervisors add tasks.")
    errors: dict[str, str] = {}
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date cannot be in the past."
    if case.status == Case.Status.CLOSED:
        errors["__all__"] = f"Case {case.number} is closed; reopen it before adding tasks."
    if errors:
        raise ValidationError(errors)
    return task_create(
        case=case, kind=kind, title=title, due_on=due_on, assignee=assignee, details=details, created_by=acting_user
    )


def task_complete(*, acting_user: User, task: Task, status: str = Task.Status.DONE) -> Task:
    """Mark a task done or cancelled. A closed task stays closed."""
    if status not in (Task.Status.DONE, Task.Status.CANCELLED):
        raise ValidationError("A task is closed as done or cancelled.")
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.OPEN:
            raise ValidationError("This task is already closed.")
        task.status = status
        task.completed_at = timezone.now()
        task.completed_by = acting_user
        task.save(update_fields=["status", "completed_at", "completed_by"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=task,
            client_ids=[task.case.primary_client_id],
            changes={"status": [Task.Status.OPEN, status]},
        )
    return task
