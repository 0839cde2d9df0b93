"""Applying for a program and moving an enrollment along `Enrollment.TRANSITIONS`."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case
from core.status import status_begin, status_move
from eligibility.models import Enrollment, Program
from eligibility.services.common import case_client_ids

Action = AuditEvent.Action


def enrollment_apply(*, acting_user: User, case: Case, program: Program, application_date: date) -> Enrollment:
    """Record an application: a new enrollment, `applied`, at most one live per case and program."""
    if application_date > timezone.localdate():
        raise ValidationError({"application_date": "An application date cannot be in the future."})
    if not program.is_active:
        raise ValidationError({"program": f"{program} is not taking applications."})
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            if not case.is_active:
                raise ValidationError("A closed case cannot apply for a program; reopen it first.")
            if Enrollment.objects.filter(case=case, program=program, status__in=Enrollment.LIVE).exists():
                raise ValidationError({"program": f"This case already has a live {program} enrollment."})
            enrollment = Enrollment.objects.create(
                case=case, program=program, application_date=application_date, created_by=acting_user
            )
            status_begin(enrollment, acting_user=acting_user, reason="Application")
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=enrollment,
                client_ids=case_client_ids(case.pk),
                changes={
                    "program": [None, program.code],
                    "application_date": [None, application_date.isoformat()],
                    "status": [None, enrollment.status],
                },
            )
    except IntegrityError:
        # Two clicks racing past the check above: the partial unique constraint stops the second.
        raise ValidationError({"program": f"This case already has a live {program} enrollment."}) from None
    return enrollment


def enrollment_transition(*, acting_user: User, enrollment: Enrollment, to: str, reason: str = "") -> Enrollment:
    """Suspend, resume or terminate an enrollment. Activation and denial go through a determination."""
    if to in (Enrollment.Status.ACTIVE, Enrollment.Status.DENIED) and enrollment.status == Enrollment.Status.PENDING:
        raise ValidationError("Approve or deny the determination to decide an application.")
    if to in (Enrollment.Status.SUSPENDED, Enrollment.Status.TERMINATED) and not reason.strip():
        raise ValidationError({"reason": "Say why."})
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        status_move(
            enrollment, to=to, acting_user=acting_user, client_ids=case_client_ids(enrollment.case_id), reason=reason
        )
    return enrollment


def enrollment_review_schedule(*, enrollment_id: int):
    """A review task for the worker, due the program's notice days before the certification ends.

    The dedupe key names the review date, so a job that runs twice makes one task, and a new
    certification period makes a new one.
    """
    from casework.services.tasks import task_create

    enrollment = Enrollment.objects.select_related("case", "program").filter(pk=enrollment_id).first()
    if enrollment is None or enrollment.status != Enrollment.Status.ACTIVE or enrollment.next_review_on is None:
        return None
    due = enrollment.next_review_on - timedelta(days=enrollment.program.notice_days)
    return task_create(
        case=enrollment.case,
        kind="review",
        title=f"{enrollment.program} review due {enrollment.next_review_on:%Y-%m-%d}",
        due_on=max(due, timezone.localdate()),
        details="Run a new determination and decide before the certification period ends.",
        dedupe_key=f"eligibility-review-{enrollment.pk}-{enrollment.next_review_on:%Y%m%d}",
    )
