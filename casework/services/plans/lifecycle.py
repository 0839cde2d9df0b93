"""A plan's life: drafting, agreeing, revising, its review task and progress notes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
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
from casework.services.plans.common import (
    Action,
    _audit,
    _changed,
    _check_case_active,
    _check_may_work,
    _check_review_on,
    _lock_draft,
    check_client_of_case,
)
from casework.services.tasks import task_complete, task_create
from clients.models import Client


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
        raise ValidationError({"kind": _("Choose a service plan or an employment plan.")})
    _check_review_on(review_on)
    with transaction.atomic():
        # Locking the case serialises plan-making on it, so two workers cannot both make version 1.
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check_case_active(case)
        check_client_of_case(case=case, client=client)
        if Plan.objects.filter(case=case, client=client, kind=kind).exists():
            raise ValidationError(
                {
                    "kind": _("%(client)s already has a %(lower)s on this case; revise it instead.")
                    % {"client": client, "lower": Plan.Kind(kind).label.lower()}
                }
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
        raise ValidationError({"agreed_on": _("Give the date the plan was agreed.")})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("A plan cannot be agreed on a date still to come.")})
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
            raise ValidationError({"review_on": _("The review date must come after the date the plan is agreed.")})
        goals = list(plan.goals.annotate(step_count=Count("steps")))
        if not goals:
            raise ValidationError(_("A plan needs at least one goal before it is agreed."))
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
            raise ValidationError(_("This version is still a draft; change it directly."))
        if plan.status == Plan.Status.SUPERSEDED or Plan.objects.filter(previous=plan).exists():
            raise ValidationError(
                _("Version %(version)s already has a later version; revise that one.") % {"version": plan.version}
            )
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
        raise ValidationError({"body": _("Write the progress to note.")})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == Plan.Status.DRAFT:
            raise ValidationError(_("Progress is noted on an agreed plan; agree this draft first."))
        if plan.status == Plan.Status.SUPERSEDED:
            raise ValidationError(_("This version has been replaced; note progress on the current version."))
        if goal is not None and goal.plan_id != plan.pk:
            raise ValidationError({"goal": _("Choose a goal of this plan.")})
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
