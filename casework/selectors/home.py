"""What the home page shows a caseworker and a supervisor.

Every read goes through the access rule (`case_scope`, or the office rule for inquiries)
and costs a fixed number of queries however many rows there are: lists are cut to a
few rows, and their full sizes come from one aggregate each.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import case_scope
from accounts.models import User
from casework.models import Case, CaseNote, Inquiry, Task
from casework.selectors.inquiries import inquiries_visible
from casework.selectors.tasks import tasks_visible

LIST_LIMIT = 10
SUPERVISOR_LIST_LIMIT = 25
WEEK = 7  # "this week": today and the six days after it


# A caseworker's day ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskCounts:
    overdue: int
    today: int
    week: int


@dataclass(frozen=True)
class WorkerHome:
    today: date
    active_cases: int
    task_counts: TaskCounts
    tasks: list[Task]  # overdue first, then due today and this week
    notes: list[CaseNote]  # latest contacts on the worker's cases; bodies never loaded
    inquiries_due: list[Inquiry]
    inquiries_due_count: int

    @property
    def tasks_now(self) -> list[Task]:
        """What needs doing today: the overdue tasks and those due today."""
        return [t for t in self.tasks if t.due_on <= self.today]

    @property
    def tasks_later(self) -> list[Task]:
        return [t for t in self.tasks if t.due_on > self.today]


def _task_counts(tasks: QuerySet[Task], today: date) -> TaskCounts:
    week_end = today + timedelta(days=WEEK - 1)
    counts = tasks.aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        today=Count("id", filter=Q(due_on=today)),
        week=Count("id", filter=Q(due_on__gt=today, due_on__lte=week_end)),
    )
    return TaskCounts(**counts)


def worker_home(*, user: User, today: date | None = None) -> WorkerHome:
    today = today or timezone.localdate()
    week_end = today + timedelta(days=WEEK - 1)
    my_open = tasks_visible(user=user).filter(assignee=user, status=Task.Status.OPEN)
    # The counts are windows over the same rows (every overdue task is due before the week ends),
    # so the list and its counts are one query.
    tasks = list(
        my_open.filter(due_on__lte=week_end)
        .select_related("case", "case__primary_client")
        .prefetch_related("about")
        .annotate(
            overdue=CaseWhen(
                When(due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            overdue_count=Window(Count("id", filter=Q(due_on__lt=today))),
            today_count=Window(Count("id", filter=Q(due_on=today))),
            week_count=Window(Count("id", filter=Q(due_on__gt=today))),
        )
        .order_by("due_on", "id")[: LIST_LIMIT * 2]
    )
    first = tasks[0] if tasks else None
    task_counts = TaskCounts(
        overdue=first.overdue_count if first else 0,
        today=first.today_count if first else 0,
        week=first.week_count if first else 0,
    )
    # A confidential note's subject is content; the home page shows only that a contact happened.
    notes = list(
        CaseNote.objects.filter(case_scope(user, prefix="case__"), case__assigned_worker=user)
        .select_related("case", "author")
        .only("id", "kind", "contact_at", "confidential", "created_at", "case__id", "case__number", "author")
        .annotate(
            shown_subject=CaseWhen(
                When(confidential=False, then=F("subject")), default=Value(""), output_field=CharField()
            )
        )
        .order_by("-contact_at", "-id")[:LIST_LIMIT]
    )
    inquiries = list(
        inquiries_visible(user=user)
        .filter(handled_by=user, status=Inquiry.Status.OPEN, response_due_on__lte=week_end)
        .annotate(total=Window(Count("id")))
        .order_by("response_due_on", "id")[:LIST_LIMIT]
    )
    return WorkerHome(
        today=today,
        active_cases=Case.objects.filter(case_scope(user), assigned_worker=user, status__in=Case.ACTIVE).count(),
        task_counts=task_counts,
        tasks=tasks,
        notes=notes,
        inquiries_due=inquiries,
        inquiries_due_count=inquiries[0].total if inquiries else 0,
    )


# A supervisor's team -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerLoad:
    """One worker of the team: active cases against their office's limits, and overdue tasks."""

    worker: User
    active_cases: int
    overdue_tasks: int
    recommended: int
    maximum: int

    @property
    def level(self) -> str:
        if self.active_cases > self.maximum:
            return "over"
        if self.active_cases >= self.maximum:
            return "at_maximum"
        if self.active_cases > self.recommended:
            return "over_recommended"
        return "ok"

    @property
    def percent_of_maximum(self) -> int:
        return min(100, round(100 * self.active_cases / self.maximum)) if self.maximum else 100


@dataclass(frozen=True)
class SupervisorHome:
    team: list[WorkerLoad]
    no_contact_days: int | None
    no_contact_cases: list[Case]
    no_contact_count: int
    pending_inquiries: list[Inquiry]
    pending_inquiries_count: int
    own_task_counts: TaskCounts


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    """The size of `queryset` (filtered on an OuterRef) as a subquery, 0 when empty."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def team_workload(*, supervisor: User, today: date | None = None) -> list[WorkerLoad]:
    """The workers of the teams `supervisor` leads, each with the active cases and overdue tasks
    the supervisor may see, in one query."""
    today = today or timezone.localdate()
    visible_cases = Case.objects.filter(case_scope(supervisor))
    overdue = tasks_visible(user=supervisor).filter(status=Task.Status.OPEN, due_on__lt=today)
    workers = (
        User.objects.filter(team__supervisor=supervisor, is_active=True)
        .select_related("office")
        .annotate(
            active_cases=_count(
                visible_cases.filter(assigned_worker=OuterRef("pk"), status__in=Case.ACTIVE), "assigned_worker"
            ),
            overdue_tasks=_count(overdue.filter(assignee=OuterRef("pk")), "assignee"),
        )
        .order_by("last_name", "first_name", "username")
    )
    return [
        WorkerLoad(
            worker=w,
            active_cases=w.active_cases,
            overdue_tasks=w.overdue_tasks,
            recommended=w.office.recommended_caseload if w.office else 0,
            maximum=w.office.maximum_caseload if w.office else 0,
        )
        for w in workers
    ]


def supervisor_home(*, user: User, today: date | None = None) -> SupervisorHome:
    today = today or timezone.localdate()
    office = user.office
    no_contact = Case.objects.none()
    days = office.no_contact_alert_days if office else None
    if days is not None:
        since = timezone.now() - timedelta(days=days)
        no_contact = (
            Case.objects.filter(case_scope(user), assigned_worker__team__supervisor=user, status=Case.Status.OPEN)
            .filter(
                Q(last_contact_at__lt=since)
                | Q(last_contact_at__isnull=True, opened_on__lt=today - timedelta(days=days))
            )
            .select_related("primary_client", "assigned_worker")
            .order_by(F("last_contact_at").asc(nulls_first=True), "opened_on", "id")
        )
    pending = (
        inquiries_visible(user=user)
        .filter(handled_by__team__supervisor=user, status=Inquiry.Status.OPEN)
        .select_related("handled_by")
        .annotate(
            overdue=CaseWhen(
                When(response_due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )
    own = tasks_visible(user=user).filter(assignee=user, status=Task.Status.OPEN)
    return SupervisorHome(
        team=team_workload(supervisor=user, today=today),
        no_contact_days=days,
        no_contact_cases=list(no_contact[:SUPERVISOR_LIST_LIMIT]),
        no_contact_count=no_contact.count(),
        pending_inquiries=list(pending.order_by("response_due_on", "id")[:SUPERVISOR_LIST_LIMIT]),
        pending_inquiries_count=pending.count(),
        own_task_counts=_task_counts(own, today),
    )
