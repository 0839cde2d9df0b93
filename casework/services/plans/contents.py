"""What a draft plan holds: goals, steps, work activities, supportive services. Only a draft changes.

The plan in force's activity a schedule carries out is found here too (`plan_activity_in_force`)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.models import (
    Case,
    Goal,
    Plan,
    PlanStep,
    SupportiveService,
    WorkActivity,
)
from casework.services.plans.common import (
    MAX_WEEKLY_HOURS,
    Action,
    _audit,
    _changed,
    _check_employment,
    _check_may_work,
    _lock_draft,
)
from clients.models import Client


def _check_goal(description: str, barrier: str) -> None:
    if not description.strip():
        raise ValidationError({"description": _("Say what the goal is.")})
    if barrier not in Goal.Barrier.values:
        raise ValidationError({"barrier": _("Choose the barrier this goal addresses.")})


def plan_goal_add(*, acting_user: User, plan: Plan, description: str, barrier: str) -> Goal:
    """Add a goal, with the barrier it addresses, to a draft."""
    _check_may_work(acting_user)
    _check_goal(description, barrier)
    with transaction.atomic():
        plan = _lock_draft(plan)
        last = plan.goals.order_by("-position").values_list("position", flat=True).first()
        goal = Goal.objects.create(
            plan=plan, description=description.strip(), barrier=barrier, position=(last or 0) + 1
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=goal,
            plan=plan,
            changes={"plan_id": (None, plan.pk), "description": (None, goal.description), "barrier": (None, barrier)},
        )
    return goal


def plan_goal_change(*, acting_user: User, goal: Goal, description: str, barrier: str) -> Goal:
    _check_may_work(acting_user)
    _check_goal(description, barrier)
    with transaction.atomic():
        plan = _lock_draft(goal.plan)
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        changes = _changed(goal, {"description": description.strip(), "barrier": barrier})
        if changes:
            goal.save(update_fields=list(changes))
            _audit(acting_user=acting_user, action=Action.UPDATE, target=goal, plan=plan, changes=changes)
    return goal


def plan_goal_remove(*, acting_user: User, goal: Goal) -> None:
    """Take a goal, and its steps, out of a draft (nothing has been agreed on them yet)."""
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = _lock_draft(goal.plan)
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        steps = list(goal.steps.values_list("description", flat=True))
        _audit(
            acting_user=acting_user,
            action=Action.DELETE,
            target=goal,
            plan=plan,
            changes={"plan_id": (plan.pk, None), "description": (goal.description, None), "steps": (steps, None)},
        )
        goal.steps.all().delete()
        goal.delete()


def _check_step(description: str, responsible: str, target_on: date | None, status: str) -> None:
    errors = {}
    if not description.strip():
        errors["description"] = "Say what will be done."
    if responsible not in PlanStep.Responsible.values:
        errors["responsible"] = "Choose who is responsible."
    if target_on is None:
        errors["target_on"] = "Give a target date."
    if status not in PlanStep.Status.values:
        errors["status"] = "Choose where the step stands."
    if errors:
        raise ValidationError(errors)


def plan_step_add(
    *,
    acting_user: User,
    goal: Goal,
    description: str,
    responsible: str,
    target_on: date,
    status: str = PlanStep.Status.NOT_STARTED,
) -> PlanStep:
    """Add an action step to a goal of a draft: what, who is responsible, by when."""
    _check_may_work(acting_user)
    _check_step(description, responsible, target_on, status)
    with transaction.atomic():
        plan = _lock_draft(goal.plan)
        step = PlanStep.objects.create(
            goal_id=goal.pk,
            description=description.strip(),
            responsible=responsible,
            target_on=target_on,
            status=status,
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=step,
            plan=plan,
            changes={
                "goal_id": (None, goal.pk),
                "description": (None, step.description),
                "responsible": (None, responsible),
                "target_on": (None, target_on),
                "status": (None, status),
            },
        )
    return step


def plan_step_change(
    *, acting_user: User, step: PlanStep, description: str, responsible: str, target_on: date, status: str
) -> PlanStep:
    _check_may_work(acting_user)
    _check_step(description, responsible, target_on, status)
    with transaction.atomic():
        plan = _lock_draft(step.goal.plan)
        step = PlanStep.objects.select_for_update().get(pk=step.pk)
        changes = _changed(
            step,
            {"description": description.strip(), "responsible": responsible, "target_on": target_on, "status": status},
        )
        if changes:
            step.save(update_fields=list(changes))
            _audit(acting_user=acting_user, action=Action.UPDATE, target=step, plan=plan, changes=changes)
    return step


def plan_step_remove(*, acting_user: User, step: PlanStep) -> None:
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = _lock_draft(step.goal.plan)
        step = PlanStep.objects.select_for_update().get(pk=step.pk)
        _audit(
            acting_user=acting_user,
            action=Action.DELETE,
            target=step,
            plan=plan,
            changes={"goal_id": (step.goal_id, None), "description": (step.description, None)},
        )
        step.delete()


# Work activities and supportive services (employment plans) --------------------------------------


def plan_activity_add(
    *, acting_user: User, plan: Plan, kind: str, weekly_hours: Decimal, provider: str = ""
) -> WorkActivity:
    """Add a work activity the employment plan requires, with its weekly hours (see casework.participation)."""
    _check_may_work(acting_user)
    errors = {}
    if kind not in WorkActivity.Kind.values:
        errors["kind"] = "Choose the kind of activity."
    if weekly_hours is None or not Decimal("0") < weekly_hours <= MAX_WEEKLY_HOURS:
        errors["weekly_hours"] = f"Weekly hours are more than 0 and at most {MAX_WEEKLY_HOURS}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = _lock_draft(plan)
        _check_employment(plan, "work activities")
        activity = WorkActivity.objects.create(
            plan=plan, kind=kind, weekly_hours=weekly_hours, provider=provider.strip()
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=activity,
            plan=plan,
            changes={
                "plan_id": (None, plan.pk),
                "kind": (None, kind),
                "weekly_hours": (None, weekly_hours),
                "provider": (None, activity.provider),
            },
        )
    return activity


def plan_activity_in_force(*, case: Case, client: Client, kind: str) -> WorkActivity | None:
    """The activity of `kind` that the client's employment plan in force (agreed) on the case requires: the
    one a schedule of that kind carries out, so its hours count as the plan's (a job for `EMPLOYMENT`, a job
    club session for `JOB_CLUB`). None when the plan in force names no such activity, or none is agreed."""
    return (
        WorkActivity.objects.select_related("plan")
        .filter(
            plan__case=case,
            plan__client=client,
            plan__kind=Plan.Kind.EMPLOYMENT,
            plan__status=Plan.Status.AGREED,
            kind=kind,
        )
        .order_by("id")
        .first()
    )


def plan_activity_remove(*, acting_user: User, activity: WorkActivity) -> None:
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = _lock_draft(activity.plan)
        activity = WorkActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.schedules.exists():
            raise ValidationError(_("A schedule is linked to this activity; it stays."))
        _audit(
            acting_user=acting_user,
            action=Action.DELETE,
            target=activity,
            plan=plan,
            changes={
                "plan_id": (plan.pk, None),
                "kind": (activity.kind, None),
                "weekly_hours": (activity.weekly_hours, None),
            },
        )
        activity.delete()


def plan_service_add(
    *,
    acting_user: User,
    plan: Plan,
    kind: str,
    description: str = "",
    estimated_monthly_cost: Decimal | None = None,
) -> SupportiveService:
    """Record a supportive service the client needs to take part (issued, if at all, through assistance)."""
    _check_may_work(acting_user)
    errors = {}
    if kind not in SupportiveService.Kind.values:
        errors["kind"] = "Choose the kind of service."
    if estimated_monthly_cost is not None and estimated_monthly_cost < 0:
        errors["estimated_monthly_cost"] = "A cost cannot be negative."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = _lock_draft(plan)
        _check_employment(plan, "supportive services")
        service = SupportiveService.objects.create(
            plan=plan, kind=kind, description=description.strip(), estimated_monthly_cost=estimated_monthly_cost
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=service,
            plan=plan,
            changes={
                "plan_id": (None, plan.pk),
                "kind": (None, kind),
                "description": (None, service.description),
                "estimated_monthly_cost": (None, estimated_monthly_cost),
            },
        )
    return service


def plan_service_remove(*, acting_user: User, service: SupportiveService) -> None:
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = _lock_draft(service.plan)
        service = SupportiveService.objects.select_for_update().get(pk=service.pk)
        _audit(
            acting_user=acting_user,
            action=Action.DELETE,
            target=service,
            plan=plan,
            changes={
                "plan_id": (plan.pk, None),
                "kind": (service.kind, None),
                "description": (service.description, None),
            },
        )
        service.delete()


# Agreeing and revising -----------------------------------------------------------------------
