"""The verbs of quality assurance: draw a month's samples, review a case, record findings and actions."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.access import may_review_quality
from accounts.models import Office, User
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, CaseAssignment
from core.dates import add_months
from core.status import status_begin, status_move
from eligibility.models import Determination, Enrollment, Program
from eligibility.services import WhatIf, determination_replay_corrected
from quality.models import Checklist, CorrectiveAction, Review, ReviewElement, Sample, SampledCase
from quality.sampling import draw

Action = AuditEvent.Action

#: Enrollments a review looks at: those that were paid or decided (active, and closed ones).
REVIEWED_STATUSES = (
    Enrollment.Status.ACTIVE,
    Enrollment.Status.SUSPENDED,
    Enrollment.Status.TERMINATED,
    Enrollment.Status.DENIED,
)


def _refuse_unless_reviewer(user: User) -> None:
    if not may_review_quality(user):
        raise PermissionDenied(_("Only quality reviewers draw samples and review cases."))


def sample_population(*, program: Program, office: Office, month: date) -> dict[int, int]:
    """The stratum's cases (case id -> enrollment id): the office's enrollments in the program
    that were active or closed and had begun by the end of the month."""
    rows = (
        Enrollment.objects.filter(
            program=program,
            case__office=office,
            status__in=REVIEWED_STATUSES,
            application_date__lt=add_months(month, 1),
        )
        .order_by("case_id", "-id")
        .values_list("case_id", "id")
    )
    population: dict[int, int] = {}
    for case_id, enrollment_id in rows:
        population.setdefault(case_id, enrollment_id)
    return population


def sample_draw(
    *, acting_user: User, month: date, program: Program, office: Office, size: int, seed: int | None = None
) -> Sample:
    """Draw one stratum's sample for the month, at random from a recorded seed.

    Drawn once: a second draw for the same month, program and office is refused, and a sample's
    cases are never changed, so nobody can pick or swap cases. Given the same seed over the same
    population the draw is the same (`quality.sampling.draw`).
    """
    _refuse_unless_reviewer(acting_user)
    if size < 1:
        raise ValidationError(_("A sample holds at least one case."))
    month = month.replace(day=1)
    seed = secrets.randbits(48) if seed is None else seed
    population = sample_population(program=program, office=office, month=month)
    picked = draw(list(population), size=size, seed=seed)
    try:
        with transaction.atomic():
            sample = Sample.objects.create(
                month=month,
                program=program,
                office=office,
                size=size,
                seed=seed,
                population=len(population),
                drawn_by=acting_user,
            )
            SampledCase.objects.bulk_create(
                SampledCase(sample=sample, case_id=case_id, enrollment_id=population[case_id], position=n)
                for n, case_id in enumerate(picked, start=1)
            )
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=sample,
                changes={"seed": seed, "size": size, "population": len(population), "cases": picked},
            )
    except IntegrityError:
        raise ValidationError(
            _("The %(month)s sample for %(program)s at %(office)s is already drawn; a sample is never redrawn.")
            % {"month": date_format(month, "F Y"), "program": program, "office": office}
        ) from None
    return sample


def samples_draw_month(*, acting_user: User, month: date, size: int) -> list[Sample]:
    """Every program and office not yet sampled for the month: one stratum each."""
    _refuse_unless_reviewer(acting_user)
    done = set(Sample.objects.filter(month=month.replace(day=1)).values_list("program_id", "office_id"))
    made = []
    for program in Program.objects.filter(is_active=True):
        for office in Office.objects.all():
            if (program.pk, office.pk) not in done:
                made.append(
                    sample_draw(acting_user=acting_user, month=month, program=program, office=office, size=size)
                )
    return made


def worked_case(*, user: User, case: Case) -> bool:
    """Whether `user` ever worked the case: assigned to it, or ran or decided one of its determinations."""
    if case.assigned_worker_id == user.pk or CaseAssignment.objects.filter(case=case, worker=user).exists():
        return True
    return Determination.objects.filter(Q(run_by=user) | Q(finalised_by=user), enrollment__case=case).exists()


def _checklist_for(program: Program) -> Checklist:
    checklist = Checklist.objects.filter(rules_module=program.rules_module).first()
    if checklist is None:
        raise ValidationError(
            _("No review checklist serves %(program)s; an administrator adds one.") % {"program": program}
        )
    return checklist


def review_start(*, acting_user: User, sampled: SampledCase) -> Review:
    """Open the review of a sampled case with its program's checklist, element by element.

    A reviewer never reviews a case they worked (refused), and a case is reviewed once.
    """
    _refuse_unless_reviewer(acting_user)
    with transaction.atomic():
        # Samples are append-only (no row of them may be locked for update): the case is locked
        # instead, so two reviewers cannot start the same case's review at once.
        sampled = SampledCase.objects.select_related("case", "enrollment__program").get(pk=sampled.pk)
        Case.objects.select_for_update().filter(pk=sampled.case_id).first()
        if Review.objects.filter(sampled=sampled).exists():
            raise ValidationError(_("This case's review has already been started."))
        if worked_case(user=acting_user, case=sampled.case):
            raise PermissionDenied(
                _("You worked case %(number)s, so another reviewer must review it.") % {"number": sampled.case.number}
            )
        checklist = _checklist_for(sampled.enrollment.program)
        determination = (
            Determination.objects.filter(enrollment=sampled.enrollment)
            .exclude(status=Determination.Status.DRAFT)
            .order_by("-finalised_at", "-id")
            .first()
        )
        review = Review.objects.create(
            sampled=sampled,
            reviewer=acting_user,
            checklist=checklist,
            determination=determination,
            issued_amount=determination.monthly_amount if determination else Decimal("0.00"),
        )
        ReviewElement.objects.bulk_create(
            ReviewElement(review=review, code=e["code"], label=e["label"], position=n)
            for n, e in enumerate(checklist.elements, start=1)
        )
        status_begin(review, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=review,
            client_ids=[sampled.case.primary_client_id],
            changes={"case": sampled.case.number, "checklist": checklist.code},
        )
    return review


def _own_review(review: Review, user: User) -> Review:
    """The review, its row locked, if `user` is its reviewer."""
    review = Review.objects.select_for_update(of=("self",)).select_related("sampled__case").get(pk=review.pk)
    if review.reviewer_id != user.pk:
        raise PermissionDenied(_("Only the case's reviewer records its review."))
    return review


def _open_review(review: Review, user: User) -> Review:
    review = _own_review(review, user)
    if review.status != Review.Status.OPEN:
        raise ValidationError(_("This review is completed; its findings no longer change."))
    return review


def review_elements_record(*, acting_user: User, review: Review, results: Mapping[str, tuple[str, str, str]]) -> Review:
    """Record each element's result (correct, incorrect, not applicable), verified value and note."""
    with transaction.atomic():
        review = _open_review(review, acting_user)
        elements = {e.code: e for e in review.elements.select_for_update()}
        changed = {}
        for code, (result, value, note) in results.items():
            element = elements.get(code)
            if element is None:
                raise ValidationError(_("The checklist has no element %(code)r.") % {"code": code})
            if result not in ReviewElement.Result.values:
                raise ValidationError(
                    _("%(element)s: choose correct, incorrect or not applicable.") % {"element": element.label}
                )
            if result == ReviewElement.Result.INCORRECT and not value.strip():
                raise ValidationError(
                    _("%(element)s: an incorrect element needs the verified value.") % {"element": element.label}
                )
            before = (element.result, element.verified_value, element.note)
            element.result, element.verified_value, element.note = result, value.strip(), note.strip()
            if before != (element.result, element.verified_value, element.note):
                element.save(update_fields=["result", "verified_value", "note"])
                changed[code] = [list(before), [result, element.verified_value, element.note]]
        if changed:
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                target=review,
                client_ids=[review.sampled.case.primary_client_id],
                changes=changed,
            )
    return review


def review_recompute(*, acting_user: User, review: Review, change: WhatIf) -> Review:
    """Re-run the reviewed determination with the verified facts (`change`), on the values it used;
    the error is the issued amount less the result.

    Incomes, expenses and assets are named by their place in the recorded household, members by
    their id in it. Everything is changed in memory on the stored snapshot
    (`eligibility.services.determination_replay_corrected`, through the program's own rule, which
    refuses a change naming what the household does not hold): the case, its household and its
    clients' records are never written. What was corrected is kept on the review so the finding
    shows which facts changed.
    """
    with transaction.atomic():
        review = _open_review(review, acting_user)
        if review.determination_id is None:
            raise ValidationError(_("The sampled enrollment has no decided determination to re-run."))
        determination = Determination.objects.get(pk=review.determination_id)
        outcome = determination_replay_corrected(determination=determination, change=change)
        verified = outcome.monthly_amount if outcome.eligible else Decimal("0.00")
        before = [str(review.verified_amount), str(review.error_amount)]
        review.verified_amount = verified
        review.error_amount = review.issued_amount - verified
        review.verified_facts = _verified_facts(change)
        review.save(update_fields=["verified_amount", "error_amount", "verified_facts"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=review,
            client_ids=[review.sampled.case.primary_client_id],
            changes={
                "verified_amount": [before[0], str(verified)],
                "error_amount": [before[1], str(review.error_amount)],
                "verified_facts": review.verified_facts,
            },
        )
    return review


def _verified_facts(change: WhatIf) -> dict[str, Any]:
    """The corrections as kept on the review: what the finding lists as changed."""
    return {
        "incomes": {str(k): str(v) for k, v in change.income_amounts.items()},
        "expenses": {str(k): str(v) for k, v in change.expense_amounts.items()},
        "members_removed": sorted(change.leave_out),
        "members": {k: _json_facts(v) for k, v in sorted(change.member_facts.items())},
        "members_added": [_json_facts(m) for m in change.add_members],
        "assets": {
            str(n): {
                **({"value": str(change.asset_values[n])} if n in change.asset_values else {}),
                **({"kind": change.asset_kinds[n]} if n in change.asset_kinds else {}),
            }
            for n in sorted({*change.asset_values, *change.asset_kinds})
        },
        "assets_removed": sorted(change.drop_assets),
        "assets_added": [_json_facts(a) for a in change.add_assets],
    }


def _json_facts(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v for k, v in values.items()
    }


def review_complete(*, acting_user: User, review: Review, cause: str, responsibility: str, summary: str) -> Review:
    """Close the review with its finding; the case's worker sees it on the case from then on."""
    with transaction.atomic():
        review = _open_review(review, acting_user)
        if review.elements.filter(result="").exists():
            raise ValidationError(_("Every element needs a result before the review is completed."))
        has_error = review.error_amount != 0 or review.elements.filter(result=ReviewElement.Result.INCORRECT).exists()
        if has_error and (not cause.strip() or responsibility not in {"agency", "client"}):
            raise ValidationError(
                _("A finding with an error needs its cause and whether the agency or the client made it.")
            )
        status_move(
            review,
            to=Review.Status.COMPLETED,
            acting_user=acting_user,
            client_ids=[review.sampled.case.primary_client_id],
            also={
                "completed_at": timezone.now(),
                "cause": cause.strip() if has_error else "",
                "responsibility": responsibility if has_error else "",
                "summary": summary.strip(),
            },
        )
    return review


def corrective_action_add(
    *, acting_user: User, review: Review, description: str, owner: User, due_on: date
) -> CorrectiveAction:
    """A correction to make after a finding: who makes it, by when.

    Added by the case's reviewer once the review is completed, since an action answers the
    finding the worker sees on the case; the review's row is locked like every other step's.
    """
    _refuse_unless_reviewer(acting_user)
    if not description.strip():
        raise ValidationError(_("Say what is to be corrected."))
    if due_on < timezone.localdate():
        raise ValidationError(_("The due date is in the past."))
    with transaction.atomic():
        review = _own_review(review, acting_user)
        if review.status != Review.Status.COMPLETED:
            raise ValidationError("Complete the review first: a corrective action follows its finding.")
        action = CorrectiveAction.objects.create(
            review=review, description=description.strip(), owner=owner, due_on=due_on, created_by=acting_user
        )
        status_begin(action, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=action,
            client_ids=[review.sampled.case.primary_client_id],
            changes={"owner": owner.pk, "due_on": due_on.isoformat()},
        )
    return action


def corrective_action_transition(
    *, acting_user: User, action: CorrectiveAction, to: str, reason: str = ""
) -> CorrectiveAction:
    """Mark an action done (its owner or a reviewer) or cancelled (a reviewer)."""
    if not (acting_user.pk == action.owner_id and to == CorrectiveAction.Status.DONE) and not may_review_quality(
        acting_user
    ):
        raise PermissionDenied(_("Only the action's owner or a reviewer moves it."))
    with transaction.atomic():
        status_move(action, to=to, acting_user=acting_user, client_ids=[], reason=reason)
    return action
