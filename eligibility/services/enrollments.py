"""Applying for a program and moving an enrollment along `Enrollment.TRANSITIONS`."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case
from core.status import status_begin, status_move
from eligibility.models import Enrollment, Program
from eligibility.rules.snap_expedited import expedited_screening
from eligibility.services.common import case_client_ids

Action = AuditEvent.Action


def enrollment_apply(*, acting_user: User, case: Case, program: Program, application_date: date) -> Enrollment:
    """Record an application: a new enrollment, `applied`, at most one live per case and program."""
    if application_date > timezone.localdate():
        raise ValidationError({"application_date": _("An application date cannot be in the future.")})
    if not program.is_active:
        raise ValidationError({"program": _("%(program)s is not taking applications.") % {"program": program}})
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            if not case.is_active:
                raise ValidationError(_("A closed case cannot apply for a program; reopen it first."))
            if Enrollment.objects.filter(case=case, program=program, status__in=Enrollment.LIVE).exists():
                raise ValidationError(
                    {"program": _("This case already has a live %(program)s enrollment.") % {"program": program}}
                )
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
        raise ValidationError(
            {"program": _("This case already has a live %(program)s enrollment.") % {"program": program}}
        ) from None
    return enrollment


def snap_expedited_screen(
    *,
    acting_user: User,
    enrollment: Enrollment,
    gross_monthly_income: Decimal,
    liquid_resources: Decimal,
    shelter_costs: Decimal,
    utility_costs: Decimal,
    destitute_migrant: bool = False,
) -> Enrollment:
    """Record the expedited-service screening of a SNAP application (7 CFR 273.2(i)(1), decided by
    `eligibility.rules.snap_expedited`): what the household said, the outcome and why. Screened
    while the application waits for its decision; a later screening replaces the earlier one."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("program").get(pk=enrollment.pk)
        if enrollment.program.rules_module != Program.RulesModule.SNAP:
            raise ValidationError(_("Expedited service is screened for SNAP applications only."))
        if enrollment.status not in (Enrollment.Status.APPLIED, Enrollment.Status.PENDING):
            raise ValidationError(_("Expedited service is screened while the application waits for its decision."))
        try:
            screening = expedited_screening(
                gross_monthly_income=gross_monthly_income,
                liquid_resources=liquid_resources,
                shelter_costs=shelter_costs,
                utility_costs=utility_costs,
                destitute_migrant=destitute_migrant,
            )
        except ValueError as error:
            raise ValidationError(str(error)) from None
        before = enrollment.expedited
        enrollment.expedited = screening.expedited
        enrollment.expedited_screening = {
            "gross_monthly_income": str(gross_monthly_income),
            "liquid_resources": str(liquid_resources),
            "shelter_costs": str(shelter_costs),
            "utility_costs": str(utility_costs),
            "destitute_migrant": destitute_migrant,
            "explanation": screening.explanation,
            "screened_by": acting_user.pk,
            "screened_on": timezone.localdate().isoformat(),
        }
        enrollment.save(update_fields=["expedited", "expedited_screening"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=enrollment,
            client_ids=case_client_ids(enrollment.case_id),
            changes={"expedited": [before, screening.expedited]},
            reason=screening.explanation,
        )
    return enrollment


def enrollment_transition(*, acting_user: User, enrollment: Enrollment, to: str, reason: str = "") -> Enrollment:
    """Suspend, resume or terminate an enrollment. Activation and denial go through a determination."""
    if to in (Enrollment.Status.ACTIVE, Enrollment.Status.DENIED) and enrollment.status == Enrollment.Status.PENDING:
        raise ValidationError(_("Approve or deny the determination to decide an application."))
    if to in (Enrollment.Status.SUSPENDED, Enrollment.Status.TERMINATED) and not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
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
