"""Running the rules for an enrollment, deciding, replaying, trying what-ifs and issuing notices."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.jobs import job_enqueue
from core.money import ZERO
from core.pdf import html_to_pdf
from core.status import status_move
from eligibility import rules
from eligibility.models import AdverseAction, Determination, Enrollment
from eligibility.services.common import case_client_ids
from eligibility.services.reviews import reviews_complete
from eligibility.services.snapshots import WhatIf, parameter_table, snapshot_build, snapshot_change

Action = AuditEvent.Action
Status = Enrollment.Status


def _rules_for(enrollment: Enrollment):
    return rules.PROGRAMS[enrollment.program.rules_module]


def _evaluate(enrollment: Enrollment, snapshot: rules.HouseholdSnapshot, as_of: date) -> rules.Outcome:
    """The rules on the stored parameter table; any rules error becomes a message naming what is wrong."""
    try:
        return _rules_for(enrollment).determine(snapshot, as_of, parameter_table(enrollment.program))
    except rules.RulesError as error:
        raise ValidationError(_("No determination was made: %(error)s.") % {"error": error}) from None


def determination_run(*, acting_user: User, enrollment: Enrollment, as_of: date) -> Determination:
    """Run the program's rules on the household as it is now, for the benefit month of `as_of`.

    Stores the snapshot, the outcome and every parameter value used (with its effective date
    and source) so the result can be explained and replayed. The first run of an application
    moves it from applied to pending. Refuses a date before the application, an empty
    household, bad figures and a parameter with no value in force: never a wrong amount.
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("program", "case__household")
            .get(pk=enrollment.pk)
        )
        if enrollment.status not in Enrollment.LIVE:
            raise ValidationError(
                _("The enrollment is %(lower)s; apply again.") % {"lower": enrollment.get_status_display().lower()}
            )
        if as_of < enrollment.application_date:
            raise ValidationError(
                {
                    "as_of": f"The determination date {as_of:%Y-%m-%d} is before the application date "
                    f"{enrollment.application_date:%Y-%m-%d}."
                }
            )
        snapshot = snapshot_build(
            case=enrollment.case,
            as_of=as_of,
            application_date=enrollment.application_date,
            exempt_asset_kinds=enrollment.program.exempt_asset_kinds,
        )
        outcome = _evaluate(enrollment, snapshot, as_of)
        stored = outcome.to_dict()
        parameters_used = stored.pop("parameters_used")
        determination = Determination.objects.create(
            enrollment=enrollment,
            as_of=as_of,
            snapshot=snapshot.to_dict(),
            outcome=stored,
            parameters_used=parameters_used,
            eligible=outcome.eligible,
            monthly_amount=outcome.monthly_amount,
            copay_percent=outcome.copay_percent,
            rule_version=_rules_for(enrollment).RULE_VERSION,
            run_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=determination,
            client_ids=case_client_ids(enrollment.case_id),
            changes={
                "as_of": [None, as_of.isoformat()],
                "eligible": [None, outcome.eligible],
                "monthly_amount": [None, str(outcome.monthly_amount)],
            },
        )
        if enrollment.status == Status.APPLIED:
            status_move(
                enrollment,
                to=Status.PENDING,
                acting_user=acting_user,
                client_ids=case_client_ids(enrollment.case_id),
                reason="Determination run",
            )
    return determination


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def determination_finalise(
    *, acting_user: User, determination: Determination, decision: str, reason: str = ""
) -> Determination:
    """Approve or deny the newest draft determination of an enrollment; after this it never changes.

    Approve: the enrollment becomes (or stays) active with the amount, certified from the first
    of the benefit month for the program's review period, the review due when it ends.
    Deny: the failed criteria are recorded as the reasons (a worker's reason is needed if none
    failed); a pending application is denied, an active or suspended enrollment terminated.
    """
    if decision not in ("approve", "deny"):
        raise ValidationError({"decision": _("Choose approve or deny.")})
    with transaction.atomic():
        determination = Determination.objects.select_for_update().get(pk=determination.pk)
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=determination.enrollment_id)
        )
        if determination.is_final:
            raise ValidationError(
                _("This determination was already %(lower)s.") % {"lower": determination.get_status_display().lower()}
            )
        newest = enrollment.determinations.order_by("-run_at", "-id").values_list("pk", flat=True).first()
        if newest != determination.pk:
            raise ValidationError(_("A newer determination exists; decide on that one."))
        if enrollment.status not in (Status.PENDING, Status.ACTIVE, Status.SUSPENDED):
            raise ValidationError(
                _("The enrollment is %(lower)s; nothing to decide.")
                % {"lower": enrollment.get_status_display().lower()}
            )
        criteria = determination.outcome["criteria"]
        status_before, amount_before = enrollment.status, enrollment.monthly_amount
        before = {
            "monthly_amount": str(enrollment.monthly_amount),
            "certification_start": enrollment.certification_start,
            "certification_end": enrollment.certification_end,
            "next_review_on": enrollment.next_review_on,
        }
        if decision == "approve":
            if not determination.eligible:
                raise ValidationError(
                    _("The household does not meet the rules; this determination can only be denied.")
                )
            if determination.is_redetermination and enrollment.certification_end is not None:
                # A change reported mid-certification: the new amount, the same certification period.
                enrollment.monthly_amount = determination.monthly_amount
                enrollment.save(update_fields=["monthly_amount"])
            else:
                start = determination.as_of.replace(day=1)
                end = _add_months(start, enrollment.program.review_period_months) - timedelta(days=1)
                enrollment.monthly_amount = determination.monthly_amount
                enrollment.certification_start = start
                enrollment.certification_end = end
                enrollment.next_review_on = end
                enrollment.save(
                    update_fields=["monthly_amount", "certification_start", "certification_end", "next_review_on"]
                )
                # A decision on a new certification is the review: the open (or overdue) one is done.
                reviews_complete(enrollment=enrollment)
            if enrollment.status != Status.ACTIVE:
                status_move(
                    enrollment,
                    to=Status.ACTIVE,
                    acting_user=acting_user,
                    client_ids=case_client_ids(enrollment.case_id),
                    reason="Determination approved",
                )
            # In the outbox with the approval: a broker outage delays the review task, never loses it.
            job_enqueue("eligibility.tasks.enrollment_review_task", enrollment.pk)
            determination.status = Determination.Status.APPROVED
        else:
            failed = [line for line in criteria if not line["passed"]]
            if not failed and not reason.strip():
                raise ValidationError(
                    {"reason": _("The household meets every rule; say why the application is denied.")}
                )
            determination.reasons = failed + (
                [
                    {
                        "name": "Worker's reason",
                        "figure": None,
                        "limit": None,
                        "passed": False,
                        "explanation": reason.strip(),
                    }
                ]
                if reason.strip()
                else []
            )
            to = Status.DENIED if enrollment.status == Status.PENDING else Status.TERMINATED
            status_move(
                enrollment,
                to=to,
                acting_user=acting_user,
                client_ids=case_client_ids(enrollment.case_id),
                reason=reason or "Determination denied",
            )
            determination.status = Determination.Status.DENIED
            # Denied at review or on a change: the enrollment ends, and with it its review.
            reviews_complete(enrollment=enrollment)
        determination.finalised_by = acting_user
        determination.finalised_at = timezone.now()
        determination.save(update_fields=["status", "reasons", "finalised_by", "finalised_at"])
        after = {
            "monthly_amount": str(enrollment.monthly_amount),
            "certification_start": enrollment.certification_start,
            "certification_end": enrollment.certification_end,
            "next_review_on": enrollment.next_review_on,
        }
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=determination,
            client_ids=case_client_ids(enrollment.case_id),
            changes={
                "status": [Determination.Status.DRAFT, determination.status],
                **{k: [_iso(before[k]), _iso(after[k])] for k in after if before[k] != after[k]},
            },
            reason=reason,
        )
        _notify_if_adverse(acting_user, enrollment, determination, status_before, amount_before, reason)
    return determination


def _notify_if_adverse(
    acting_user: User, enrollment: Enrollment, determination: Determination, status_before: str, amount_before, reason
) -> None:
    """A decision against the client sends its notice of adverse action (7 CFR 273.13)."""
    from eligibility.services.adverse import adverse_action_notify

    Kind = AdverseAction.Kind
    if determination.status == Determination.Status.APPROVED:
        if status_before != Status.ACTIVE or determination.monthly_amount >= amount_before:
            return
        kind, after = Kind.REDUCTION, determination.monthly_amount
    else:
        kind = Kind.DENIAL if status_before == Status.PENDING else Kind.TERMINATION
        amount_before = amount_before if kind == Kind.TERMINATION else ZERO
        after = ZERO
    adverse_action_notify(
        acting_user=acting_user, enrollment=enrollment, kind=kind, amount_before=amount_before, amount_after=after,
        determination=determination, reason=reason.strip() if kind == Kind.REDUCTION else "",
    )  # fmt: skip


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Replay:
    """A stored determination recomputed, and whether today's rules code is the version it ran on."""

    recorded: rules.Outcome
    replayed: rules.Outcome
    recorded_version: int | None  # None: recorded before rule versions were kept
    current_version: int

    @property
    def matches(self) -> bool:
        return self.recorded == self.replayed

    @property
    def same_rules(self) -> bool | None:
        """True or False when the version it ran on is known; None when it was not recorded."""
        if self.recorded_version is None:
            return None
        return self.recorded_version == self.current_version

    @property
    def rules_note(self) -> str:
        """One sentence for the page: which rules code the replay ran, against the one decided with."""
        if self.recorded_version is None:
            return (
                f"The rules version this determination used was not recorded; replayed with version "
                f"{self.current_version}."
            )
        if self.recorded_version == self.current_version:
            return f"Replayed with the same rules (version {self.current_version})."
        return f"The rules have changed since: version {self.recorded_version} then, {self.current_version} now."


def determination_replay(*, determination: Determination) -> Replay:
    """Recompute from the stored snapshot and the stored parameter values only.

    Whatever the parameter table holds now, the result is the stored one to the cent when the
    rules code is the version recorded on the determination; a difference means the rules code
    changed, is shown with both versions, and is never written over the record.
    """
    module = rules.PROGRAMS[determination.outcome["program"]]
    recorded = rules.Outcome.from_dict({**determination.outcome, "parameters_used": determination.parameters_used})
    snapshot = rules.HouseholdSnapshot.from_dict(determination.snapshot)
    params = module.prepare(rules.ParameterSet.from_used(determination.parameters_used, determination.as_of))
    return Replay(
        recorded=recorded,
        replayed=module.evaluate(snapshot, params, determination.as_of),
        recorded_version=determination.rule_version,
        current_version=module.RULE_VERSION,
    )


def determination_replay_corrected(*, determination: Determination, change: WhatIf) -> rules.Outcome:
    """The stored determination re-run on its own parameter values with corrected facts.

    A quality reviewer's re-computation: the household as the worker recorded it, changed by
    what the reviewer verified (`change`), through the same rules and the same dated values, so
    the difference from the recorded amount is the error and nothing else.
    """
    module = rules.PROGRAMS[determination.outcome["program"]]
    snapshot = snapshot_change(
        rules.HouseholdSnapshot.from_dict(determination.snapshot), change, as_of=determination.as_of
    )
    params = module.prepare(rules.ParameterSet.from_used(determination.parameters_used, determination.as_of))
    return module.evaluate(snapshot, params, determination.as_of)


@dataclass(frozen=True)
class WhatIfResult:
    snapshot: rules.HouseholdSnapshot
    current: rules.Outcome
    changed: rules.Outcome


def determination_whatif(*, acting_user: User, enrollment: Enrollment, as_of: date, change: WhatIf) -> WhatIfResult:
    """The result now and with `change`, side by side; nothing is saved but the read in the trail."""
    if as_of < enrollment.application_date:
        raise ValidationError(f"The date {as_of:%Y-%m-%d} is before the application date.")
    snapshot = snapshot_build(
        case=enrollment.case,
        as_of=as_of,
        application_date=enrollment.application_date,
        exempt_asset_kinds=enrollment.program.exempt_asset_kinds,
    )
    current = _evaluate(enrollment, snapshot, as_of)
    changed = _evaluate(enrollment, snapshot_change(snapshot, change, as_of=as_of), as_of)
    audit_record(
        actor=acting_user,
        action=Action.VIEW,
        target=enrollment,
        client_ids=case_client_ids(enrollment.case_id),
        changes={"page": "what-if", "as_of": as_of.isoformat()},
    )
    return WhatIfResult(snapshot=snapshot, current=current, changed=changed)


def determination_notice_issue(*, acting_user: User, determination: Determination) -> bytes:
    """The decision notice as a PDF, recorded in the trail as a file handed out."""
    from eligibility.notices import notice_html

    if not determination.is_final:
        raise ValidationError(_("A notice is issued only for an approved or denied determination."))
    pdf = html_to_pdf(notice_html(determination=determination))
    audit_record(
        actor=acting_user,
        action=Action.DOWNLOAD,
        target=determination,
        client_ids=case_client_ids(determination.enrollment.case_id),
        changes={"document": "decision notice"},
    )
    return pdf


def determination_on_findings(
    *, acting_user: User, determination: Determination, findings: WhatIf, effective_on: date, reason: str
) -> Determination:
    """Re-run a decided determination with a fair hearing's findings of fact, as a redetermination.

    The household as recorded then, changed by the findings (incomes and expenses the hearing
    found), on the parameter values the decision used: the new determination is a draft,
    effective from `effective_on` (the first month the appealed decision took effect), so
    deciding it and settling it pays the months since at the right amount (7 CFR 273.15(s)).
    """
    module = rules.PROGRAMS[determination.outcome["program"]]
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=determination.enrollment_id)
        if enrollment.status not in (Status.ACTIVE, Status.SUSPENDED):
            raise ValidationError(
                f"The enrollment is {enrollment.get_status_display().lower()}: apply again to carry out this decision."
            )
        snapshot = snapshot_change(
            rules.HouseholdSnapshot.from_dict(determination.snapshot), findings, as_of=determination.as_of
        )
        params = module.prepare(rules.ParameterSet.from_used(determination.parameters_used, determination.as_of))
        try:
            outcome = module.evaluate(snapshot, params, determination.as_of)
        except rules.RulesError as error:
            raise ValidationError(f"No determination was made: {error}.") from None
        stored = outcome.to_dict()
        stored.pop("parameters_used", None)
        rerun = Determination.objects.create(
            enrollment=enrollment,
            as_of=determination.as_of,
            snapshot=snapshot.to_dict(),
            outcome=stored,
            parameters_used=determination.parameters_used,
            eligible=outcome.eligible,
            monthly_amount=outcome.monthly_amount,
            copay_percent=outcome.copay_percent,
            rule_version=module.RULE_VERSION,
            run_by=acting_user,
            is_redetermination=True,
            effective_on=effective_on,
            effective_reason=reason[:300],
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=rerun,
            client_ids=case_client_ids(enrollment.case_id),
            changes={
                "rerun_of": [None, determination.pk],
                "eligible": [None, outcome.eligible],
                "monthly_amount": [None, str(outcome.monthly_amount)],
                "effective_on": [None, effective_on.isoformat()],
            },
            reason=reason,
        )
    return rerun
