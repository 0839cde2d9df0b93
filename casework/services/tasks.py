"""Tasks: the one way any app puts something on a worker's list."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_record_many
from casework.models import Case, Task

Action = AuditEvent.Action


def task_create(
    *,
    case: Case | None,
    kind: str,
    title: str,
    due_on: date,
    assignee: User | None = None,
    details: str = "",
    created_by: User | None = None,
    dedupe_key: str | None = None,
    about: models.Model | None = None,
) -> Task:
    """Put a task on a worker's list (the case's worker unless another is named).

    A task without a case is about another record (`about`: a sponsor project, say) and is for
    the worker named. With `dedupe_key`, a job that runs twice makes one task: the second call
    returns the first.
    """
    if case is None and (about is None or assignee is None):
        raise ValidationError(_("A task without a case says what it is about and whose it is."))
    assignee = _checked_assignee(case=case, kind=kind, title=title, assignee=assignee)
    if dedupe_key:
        existing = Task.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            task = Task.objects.create(
                case=case,
                about=about,
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
                client_ids=task.client_ids,
                changes={"title": [None, task.title], "due_on": [None, due_on.isoformat()], "kind": [None, kind]},
            )
    except IntegrityError:
        if dedupe_key:
            # Another run made it between our look and our insert.
            return Task.objects.get(dedupe_key=dedupe_key)
        raise
    return task


def _checked_assignee(*, case: Case | None, kind: str, title: str, assignee: User | None) -> User:
    """Refuse a task without a kind or a title, or for someone who may not work the case; return its assignee."""
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of task.")})
    if not title.strip():
        raise ValidationError({"title": _("Say what needs doing.")})
    if case is None:
        if not assignee.is_active or not access.may_work_cases(assignee):
            raise ValidationError({"assignee": _("%(assignee)s is not a worker.") % {"assignee": assignee}})
        return assignee
    assignee = assignee or case.assigned_worker
    # A task for someone who cannot see the case would sit on nobody's list.
    if not assignee.is_active or not access.may_work_cases(assignee) or assignee.office_id != case.office_id:
        raise ValidationError(
            {
                "assignee": _("%(assignee)s is not a worker of %(office)s.")
                % {"assignee": assignee, "office": case.office}
            }
        )
    return assignee


@dataclass(frozen=True)
class NewTask:
    """One task for `task_create_many`: `task_create`'s keywords but `created_by`."""

    case: Case
    kind: str
    title: str
    due_on: date
    details: str = ""
    assignee: User | None = None
    dedupe_key: str | None = None


def task_create_many(*, tasks: Sequence[NewTask], created_by: User | None = None) -> list[Task]:
    """Put many tasks on workers' lists with one insert and one audit write, in the caller's transaction.

    The batch jobs' path: each task is checked as `task_create` checks it, and a task whose
    `dedupe_key` already exists is returned as it is rather than made again. Returns the tasks
    in the order given.
    """
    if not tasks:
        return []
    # One instance per person, so their roles are read once for the whole batch.
    people: dict[int, User] = {}
    assignees = [
        _checked_assignee(
            case=t.case,
            kind=t.kind,
            title=t.title,
            assignee=people.setdefault((t.assignee or t.case.assigned_worker).pk, t.assignee or t.case.assigned_worker),
        )
        for t in tasks
    ]
    keys = [t.dedupe_key for t in tasks if t.dedupe_key]
    existing = {task.dedupe_key: task for task in Task.objects.filter(dedupe_key__in=keys)} if keys else {}
    fresh = [
        Task(
            case=t.case,
            assignee=assignee,
            kind=t.kind,
            title=t.title.strip(),
            details=t.details,
            due_on=t.due_on,
            created_by=created_by,
            dedupe_key=t.dedupe_key or None,
        )
        for t, assignee in zip(tasks, assignees, strict=True)
        if not t.dedupe_key or t.dedupe_key not in existing
    ]
    try:
        with transaction.atomic():
            made = Task.objects.bulk_create(fresh)
            audit_record_many(
                actor=created_by,
                action=Action.CREATE,
                records=[
                    {
                        "target": task,
                        "client_ids": task.client_ids,
                        "changes": {
                            "title": [None, task.title],
                            "due_on": [None, task.due_on.isoformat()],
                            "kind": [None, task.kind],
                        },
                    }
                    for task in made
                ],
            )
    except IntegrityError:
        # Another run made one of them between our look and our insert: one at a time, each returns the one made.
        return [
            task_create(
                case=t.case,
                kind=t.kind,
                title=t.title,
                due_on=t.due_on,
                assignee=t.assignee,
                details=t.details,
                created_by=created_by,
                dedupe_key=t.dedupe_key,
            )
            for t in tasks
        ]
    made_by_key = iter(made)
    return [existing[t.dedupe_key] if t.dedupe_key and t.dedupe_key in existing else next(made_by_key) for t in tasks]


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
        raise PermissionDenied(_("Only caseworkers and supervisors add tasks."))
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
        raise ValidationError(_("A task is closed as done or cancelled."))
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.OPEN:
            raise ValidationError(_("This task is already closed."))
        task.status = status
        task.completed_at = timezone.now()
        task.completed_by = acting_user
        task.save(update_fields=["status", "completed_at", "completed_by"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=task,
            client_ids=task.client_ids,
            changes={"status": [Task.Status.OPEN, status]},
        )
    return task
