"""Service and employment plans: drafting, agreeing, revising, and noting progress.

A plan is drafted (goals with a barrier, steps with who, by when and where they stand;
an employment plan also work activities with weekly hours and supportive services),
then agreed with the client on a date. Only a draft changes. To change an agreed plan a
worker revises it: a new draft (version + 1) copied from it; agreeing that draft marks
the earlier version superseded, and the earlier version stays as it was agreed.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_value
from casework.models import (
    Case,
    Goal,
    Plan,
    PlanStep,
    ProgressNote,
    SupportiveService,
    Task,
    WorkActivity,
)
from casework.services.tasks import task_complete, task_create
from clients.models import Client, HouseholdMembership

Action = AuditEvent.Action

MAX_WEEKLY_HOURS = Decimal("80")  # the table's check constraint


# Checks shared by the verbs -----------------------------------------------------------------


def _check_may_work(user: User) -> None:
    if not access.may_work_cases(user):
        raise PermissionDenied("Only caseworkers and supervisors write plans.")


def _check_case_active(case: Case) -> None:
    if not case.is_active:
        raise ValidationError("The case is closed; reopen it to plan with the client.")


def check_client_of_case(*, case: Case, client: Client) -> None:
    """A plan (or a schedule) is for the case's primary client or a current member of its household."""
    if client.pk == case.primary_client_id:
        return
    if not HouseholdMembership.objects.filter(
        household_id=case.household_id, client_id=client.pk, end_date__isnull=True
    ).exists():
        raise ValidationError({"client": f"{client} is not a current member of this case's household."})


def _lock_draft(plan: Plan) -> Plan:
    """The plan, locked; refused unless it is still a draft (an agreed plan changes only by revision)."""
    plan = Plan.objects.select_for_update().select_related("case", "client").get(pk=plan.pk)
    if plan.status == Plan.Status.AGREED:
        raise ValidationError(
            f"Version {plan.version} was agreed on {plan.agreed_on:%Y-%m-%d}; revise it to change it."
        )
    if plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError(f"Version {plan.version} has been replaced by a later version; it stays as it was.")
    return plan


def _check_review_on(review_on: date | None) -> None:
    if review_on is not None and review_on <= timezone.localdate():
        raise ValidationError({"review_on": "A review date is in the future."})


def _check_employment(plan: Plan, what: str) -> None:
    if plan.kind != Plan.Kind.EMPLOYMENT:
        raise ValidationError(f"Only an employment plan has {what}.")


def _audit(*, acting_user: User, action: str, target, plan: Plan, changes: dict) -> None:
    audit_record(
        actor=acting_user,
        action=action,
        target=target,
        client_ids=[plan.client_id],
        changes={name: [audit_value(old), audit_value(new)] for name, (old, new) in changes.items()},
    )


def _changed(instance, values: dict) -> dict:
    """Set `values` on `instance`; return {field: (old, new)} for those that differ."""
    changes = {}
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = (old, new)
            setattr(instance, name, new)
    return changes


# The plan ------------------------------------------------------------------------------------


def plan_create(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    kind: str,
    summary: str = "",
    review_on: date | None = None,
) -> Plan:
    """Start the first version of a plan of `kind` for a client of the case, as a draft."""
    _check_may_work(acting_user)
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": "Choose a service plan or an employment plan."})
    _check_review_on(review_on)
    with transaction.atomic():
        # Locking the case serialises plan-making on it, so two workers cannot both make version 1.
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_case_active(case)
        check_client_of_case(case=case, client=client)
        if Plan.objects.filter(case=case, client=client, kind=kind).exists():
            raise ValidationError(
                {"kind": f"{client} already has a {Plan.Kind(kind).label.lower()} on this case; revise it instead."}
            )
        plan = Plan.objects.create(
            case=case,
            client=client,
            kind=kind,
            version=1,
            summary=summary.strip(),
            review_on=review_on,
            created_by=acting_user,
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=plan,
            plan=plan,
            changes={
                "kind": (None, kind),
                "version": (None, 1),
                "status": (None, plan.status),
                "summary": (None, plan.summary),
                "review_on": (None, review_on),
            },
        )
    return plan


def plan_change(*, acting_user: User, plan: Plan, summary: str, review_on: date | None) -> Plan:
    """Change a draft's summary and review date."""
    _check_may_work(acting_user)
    _check_review_on(review_on)
    with transaction.atomic():
        plan = _lock_draft(plan)
        changes = _changed(plan, {"summary": summary.strip(), "review_on": review_on})
        if changes:
            plan.save(update_fields=list(changes))
            _audit(acting_user=acting_user, action=Action.UPDATE, target=plan, plan=plan, changes=changes)
    return plan


# Goals and steps -----------------------------------------------------------------------------


def _check_goal(description: str, barrier: str) -> None:
    if not description.strip():
        raise ValidationError({"description": "Say what the goal is."})
    if barrier not in Goal.Barrier.values:
        raise ValidationError({"barrier": "Choose the barrier this goal addresses."})


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


def plan_activity_remove(*, acting_user: User, activity: WorkActivity) -> None:
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = _lock_draft(activity.plan)
        activity = WorkActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.schedules.exists():
            raise ValidationError("A schedule is linked to this activity; it stays.")
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


def plan_review_key(plan: Plan) -> str | None:
    return f"plan-review:{plan.pk}:{plan.review_on.isoformat()}" if plan.review_on else None


def plan_review_task_ensure(*, plan: Plan, acting_user: User | None = None) -> Task | None:
    """The review task of an agreed plan with a review date, for the case's worker, made once."""
    if plan.status != Plan.Status.AGREED or plan.review_on is None:
        return None
    return task_create(
        case=plan.case,
        kind=Task.Kind.PLAN_REVIEW,
        title=f"Review the {plan.get_kind_display().lower()} (version {plan.version}) with {plan.client}",
        due_on=plan.review_on,
        details=f"Agreed on {plan.agreed_on:%Y-%m-%d}. Revise the plan if anything has changed.",
        created_by=acting_user,
        dedupe_key=plan_review_key(plan),
    )


def plan_agree(*, acting_user: User, plan: Plan, agreed_on: date) -> Plan:
    """The client and worker agree the draft on `agreed_on` (not in the future).

    It needs at least one goal, and each goal at least one step. Agreeing a revision
    supersedes the version it revises (whose open review task is cancelled); a review date
    puts a review task on the case worker's list.
    """
    _check_may_work(acting_user)
    if agreed_on is None:
        raise ValidationError({"agreed_on": "Give the date the plan was agreed."})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "A plan cannot be agreed on a date still to come."})
    with transaction.atomic():
        # The draft and the version it revises, locked in id order like every other writer.
        locked = {
            p.pk: p
            for p in Plan.objects.select_for_update()
            .filter(pk__in=[pk for pk in (plan.pk, plan.previous_id) if pk])
            .order_by("pk")
        }
        plan = _lock_draft(plan)
        previous = locked.get(plan.previous_id)
        if agreed_on < plan.case.opened_on:
            raise ValidationError({"agreed_on": f"The case was opened on {plan.case.opened_on:%Y-%m-%d}."})
        if previous is not None and agreed_on < previous.agreed_on:
            raise ValidationError(
                {
                    "agreed_on": f"Version {previous.version} was agreed on {previous.agreed_on:%Y-%m-%d}; "
                    "a revision is agreed on or after that."
                }
            )
        if plan.review_on is not None and plan.review_on <= agreed_on:
            raise ValidationError({"review_on": "The review date must come after the date the plan is agreed."})
        goals = list(plan.goals.annotate(step_count=Count("steps")))
        if not goals:
            raise ValidationError("A plan needs at least one goal before it is agreed.")
        without_steps = [g.description for g in goals if g.step_count == 0]
        if without_steps:
            raise ValidationError(
                "Each goal needs at least one step before the plan is agreed: " + "; ".join(without_steps)
            )
        if previous is not None:
            Plan.objects.filter(pk=previous.pk).update(status=Plan.Status.SUPERSEDED)
            _audit(
                acting_user=acting_user,
                action=Action.UPDATE,
                target=previous,
                plan=previous,
                changes={"status": (previous.status, Plan.Status.SUPERSEDED), "superseded_by": (None, plan.pk)},
            )
            key = plan_review_key(previous)
            stale = Task.objects.filter(dedupe_key=key, status=Task.Status.OPEN).first() if key else None
            if stale is not None:
                task_complete(acting_user=acting_user, task=stale, status=Task.Status.CANCELLED)
        plan.status = Plan.Status.AGREED
        plan.agreed_on = agreed_on
        plan.save(update_fields=["status", "agreed_on"])
        _audit(
            acting_user=acting_user,
            action=Action.UPDATE,
            target=plan,
            plan=plan,
            changes={"status": (Plan.Status.DRAFT, plan.status), "agreed_on": (None, agreed_on)},
        )
        plan_review_task_ensure(plan=plan, acting_user=acting_user)
    return plan


def plan_revise(*, acting_user: User, plan: Plan) -> Plan:
    """Start version + 1 of an agreed plan: a draft copy of its goals, steps, activities and services.

    The agreed version is not touched; it is superseded only when the revision is agreed.
    Progress notes stay with the version they were written about; the review date is set anew.
    """
    _check_may_work(acting_user)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("case", "client").get(pk=plan.pk)
        if plan.status == Plan.Status.DRAFT:
            raise ValidationError("This version is still a draft; change it directly.")
        if plan.status == Plan.Status.SUPERSEDED or Plan.objects.filter(previous=plan).exists():
            raise ValidationError(f"Version {plan.version} already has a later version; revise that one.")
        _check_case_active(plan.case)
        check_client_of_case(case=plan.case, client=plan.client)
        draft = Plan.objects.create(
            case=plan.case,
            client=plan.client,
            kind=plan.kind,
            version=plan.version + 1,
            previous=plan,
            summary=plan.summary,
            created_by=acting_user,
        )
        steps: list[PlanStep] = []
        for goal in plan.goals.prefetch_related("steps"):
            copy = Goal.objects.create(
                plan=draft, description=goal.description, barrier=goal.barrier, position=goal.position
            )
            steps += [
                PlanStep(
                    goal=copy,
                    description=s.description,
                    responsible=s.responsible,
                    target_on=s.target_on,
                    status=s.status,
                )
                for s in goal.steps.all()
            ]
        PlanStep.objects.bulk_create(steps)
        WorkActivity.objects.bulk_create(
            WorkActivity(plan=draft, kind=a.kind, provider=a.provider, weekly_hours=a.weekly_hours)
            for a in plan.work_activities.all()
        )
        SupportiveService.objects.bulk_create(
            SupportiveService(
                plan=draft, kind=s.kind, description=s.description, estimated_monthly_cost=s.estimated_monthly_cost
            )
            for s in plan.supportive_services.all()
        )
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=draft,
            plan=draft,
            changes={
                "kind": (None, draft.kind),
                "version": (None, draft.version),
                "previous_id": (None, plan.pk),
                "status": (None, draft.status),
            },
        )
    return draft


# Progress --------------------------------------------------------------------------------------


def plan_progress_note_add(*, acting_user: User, plan: Plan, body: str, goal: Goal | None = None) -> ProgressNote:
    """Note progress on the agreed plan (or one of its goals). Notes are added, never changed.

    A note does not change what was agreed, so it is written on the agreed version; a draft
    has nothing agreed to progress on yet, and a superseded version is history.
    """
    _check_may_work(acting_user)
    if not body.strip():
        raise ValidationError({"body": "Write the progress to note."})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == Plan.Status.DRAFT:
            raise ValidationError("Progress is noted on an agreed plan; agree this draft first.")
        if plan.status == Plan.Status.SUPERSEDED:
            raise ValidationError("This version has been replaced; note progress on the current version.")
        if goal is not None and goal.plan_id != plan.pk:
            raise ValidationError({"goal": "Choose a goal of this plan."})
        note = ProgressNote.objects.create(plan=plan, goal=goal, body=body.strip(), author=acting_user)
        _audit(
            acting_user=acting_user,
            action=Action.CREATE,
            target=note,
            plan=plan,
            changes={
                "plan_id": (None, plan.pk),
                "goal_id": (None, goal.pk if goal else None),
                "body": (None, note.body),
            },
        )
    return note
