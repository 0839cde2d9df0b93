"""Reads for the plans tab, a plan's page and its printable copy, scoped by `accounts.access`.

The case has already been fetched through `case_get` (the case rule); within it a user
sees only the plans of clients they may see (a restricted member stays hidden).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import client_scope
from casework.models import Case, Goal, Plan, PlanStep, ProgressNote, SupportiveService, WorkActivity
from clients.models import Client


def case_clients(*, user, case: Case) -> QuerySet[Client]:
    """Clients a plan or a schedule on `case` may be for, that `user` may see:
    the primary client and the household's current members."""
    members = Q(pk=case.primary_client_id) | Q(
        memberships__household_id=case.household_id, memberships__end_date__isnull=True
    )
    ids = Client.objects.filter(members).values("pk")
    return Client.objects.filter(client_scope(user), pk__in=ids).order_by("last_name", "first_name", "pk")


def plans_for_case(*, user, case: Case) -> QuerySet[Plan]:
    return Plan.objects.filter(client_scope(user, prefix="client__"), case=case)


@dataclass
class PlanLine:
    """One plan (client and kind) on the tab: its newest version and the ones before it."""

    current: Plan
    earlier: list[Plan] = field(default_factory=list)

    @property
    def in_force(self) -> Plan | None:
        """The agreed version, if any: the newest one, or the one a draft revision will replace."""
        return next((p for p in (self.current, *self.earlier) if p.status == Plan.Status.AGREED), None)


def case_plans_overview(*, user, case: Case) -> list[PlanLine]:
    """Every plan on the case the user may see, newest version first, with goal and step counts, in one query."""
    plans = (
        plans_for_case(user=user, case=case)
        .select_related("client", "created_by")
        .annotate(
            goal_count=Count("goals", distinct=True),
            step_count=Count("goals__steps", distinct=True),
            steps_done=Count("goals__steps", filter=Q(goals__steps__status=PlanStep.Status.DONE), distinct=True),
        )
        .order_by("client__last_name", "client__first_name", "client_id", "kind", "-version")
    )
    lines: dict[tuple[int, str], PlanLine] = {}
    for plan in plans:
        key = (plan.client_id, plan.kind)
        if key in lines:
            lines[key].earlier.append(plan)
        else:
            lines[key] = PlanLine(current=plan)
    return list(lines.values())


def plan_get(*, user, case: Case, pk: int) -> Plan:
    """A plan of the case with everything its page shows, if the user may see its client; else 404."""
    goals = Goal.objects.prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("target_on", "id")))
    return get_object_or_404(
        plans_for_case(user=user, case=case)
        .select_related("client", "created_by", "previous")
        .prefetch_related(
            Prefetch("goals", queryset=goals),
            Prefetch("work_activities", queryset=WorkActivity.objects.all()),
            Prefetch("supportive_services", queryset=SupportiveService.objects.all()),
            Prefetch("progress_notes", queryset=ProgressNote.objects.select_related("author", "goal")),
        ),
        pk=pk,
    )


def plan_versions(*, plan: Plan) -> list[Plan]:
    """Every version of the same plan (client and kind on the case), newest first."""
    return list(
        Plan.objects.filter(case_id=plan.case_id, client_id=plan.client_id, kind=plan.kind)
        .only("pk", "version", "status", "agreed_on", "case_id", "client_id", "kind")
        .order_by("-version")
    )


def plan_goal_get(*, plan: Plan, pk: int) -> Goal:
    return get_object_or_404(Goal, plan=plan, pk=pk)


def plan_step_get(*, plan: Plan, pk: int) -> PlanStep:
    return get_object_or_404(PlanStep.objects.select_related("goal"), goal__plan=plan, pk=pk)


def plan_activity_get(*, plan: Plan, pk: int) -> WorkActivity:
    return get_object_or_404(WorkActivity, plan=plan, pk=pk)


def plan_service_get(*, plan: Plan, pk: int) -> SupportiveService:
    return get_object_or_404(SupportiveService, plan=plan, pk=pk)
