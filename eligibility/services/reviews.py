"""Periodic reviews: opening them as they fall due, and suspending enrollments whose review is overdue."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Task
from casework.services.tasks import task_create
from core.money import ZERO
from core.users import job_user
from eligibility.models import AdverseAction, Enrollment, Review
from eligibility.services.common import case_client_ids
from eligibility.services.enrollments import enrollment_transition

Action = AuditEvent.Action
Status = Enrollment.Status


def review_task_key(enrollment: Enrollment, due_on: date) -> str:
    # The same key as `enrollment_review_schedule`: the approval's task and the job's are one task.
    return f"eligibility-review-{enrollment.pk}-{due_on:%Y%m%d}"


def review_open(*, enrollment_id: int, run_on: date) -> Review | None:
    """Open the review of an active enrollment whose review falls due within the program's notice days.

    One review per enrollment and due date (a unique constraint) and one task for the worker
    (a dedupe key), however often this runs; None when there is nothing to open.
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("program", "case")
            .filter(pk=enrollment_id)
            .first()
        )
        if enrollment is None or enrollment.status != Status.ACTIVE or enrollment.next_review_on is None:
            return None
        due_on = enrollment.next_review_on
        if due_on > run_on + timedelta(days=enrollment.program.notice_days):
            return None
        review, created = Review.objects.get_or_create(enrollment=enrollment, due_on=due_on)
        if not created:
            return review
        review.task = task_create(
            case=enrollment.case,
            kind=Task.Kind.REVIEW,
            title=f"{enrollment.program} review due {due_on:%Y-%m-%d}",
            due_on=max(due_on - timedelta(days=enrollment.program.notice_days), run_on),
            details="Run a new determination and decide before the certification period ends.",
            dedupe_key=review_task_key(enrollment, due_on),
        )
        review.save(update_fields=["task"])
        audit_record(
            actor=None,
            action=Action.CREATE,
            target=review,
            client_ids=case_client_ids(enrollment.case_id),
            changes={"due_on": [None, due_on.isoformat()], "status": [None, review.status]},
        )
    return review


def review_suspend_overdue(*, enrollment_id: int, run_on: date) -> Review | None:
    """Suspend an active enrollment whose open review is past its due date plus the program's grace days.

    The move goes through `enrollment_transition` (status row and audit event), the review
    becomes overdue, and the worker gets a task (once: a dedupe key per review).
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("program", "case")
            .filter(pk=enrollment_id)
            .first()
        )
        if enrollment is None or enrollment.status != Status.ACTIVE:
            return None
        cutoff = run_on - timedelta(days=enrollment.program.grace_days)
        review = (
            Review.objects.select_for_update()
            .filter(enrollment=enrollment, status=Review.Status.OPEN, due_on__lt=cutoff)
            .order_by("due_on")
            .first()
        )
        if review is None:
            return None
        reason = f"Review due {review.due_on:%Y-%m-%d} not completed within {enrollment.program.grace_days} days' grace"
        enrollment_transition(acting_user=job_user(), enrollment=enrollment, to=Status.SUSPENDED, reason=reason)
        review.status = Review.Status.OVERDUE
        review.closed_at = timezone.now()
        review.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=None,
            action=Action.UPDATE,
            target=review,
            client_ids=case_client_ids(enrollment.case_id),
            changes={"status": [Review.Status.OPEN, Review.Status.OVERDUE]},
            reason=reason,
        )
        task_create(
            case=enrollment.case,
            kind=Task.Kind.REVIEW,
            title=f"{enrollment.program} suspended: review due {review.due_on:%Y-%m-%d} is overdue",
            due_on=run_on,
            details="Complete the review (a new determination) to resume the enrollment, or terminate it.",
            dedupe_key=f"eligibility-review-overdue-{review.pk}",
        )
        # The client is told too, with the right to a hearing (7 CFR 273.13(b)(13): adequate notice).
        from eligibility.services.adverse import adverse_action_notify

        adverse_action_notify(
            acting_user=None, enrollment=enrollment, kind=AdverseAction.Kind.SUSPENSION,
            amount_before=enrollment.monthly_amount, amount_after=ZERO, reason=reason + ".",
        )  # fmt: skip
    return review


def reviews_complete(*, enrollment: Enrollment) -> int:
    """Inside a decision's transaction: the enrollment's open or overdue reviews are completed."""
    return Review.objects.filter(enrollment=enrollment, status__in=[Review.Status.OPEN, Review.Status.OVERDUE]).update(
        status=Review.Status.COMPLETED, closed_at=timezone.now()
    )
