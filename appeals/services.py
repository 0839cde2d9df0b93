"""The verbs of appeals: a request, a late one accepted for good cause, a conference, a hearing, a decision.

The rules they carry out are SNAP's fair hearing rules (7 CFR 273.15); other programs set
their own periods on the program (`appeal_days`, `notice_days`, `hearing_decision_days`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from appeals.letters import HEARING_NOTICE
from appeals.models import Appeal
from assistance.models import Issuance, IssuanceStatusChange, Overpayment
from assistance.services.overpayments import PeriodAmount, establish
from assistance.services.settlements import redetermination_settle
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Appointment, Case
from casework.services.appointments import appointment_book
from casework.services.cases import case_client_ids, case_for_work
from core.status import status_begin, status_move
from correspondence.services import correspondence_send
from eligibility.models import AdverseAction, Determination
from eligibility.services import WhatIf, determination_finalise, determination_on_findings
from eligibility.services.adverse import (
    adverse_action_continue,
    adverse_action_continue_end,
    hearing_request_deadline,
    notice_period_end,
)

Action = AuditEvent.Action
Status = Appeal.Status
Decision = Appeal.Decision
#: Every party is told of the hearing at least this many days before it (7 CFR 273.15(l)(1)).
HEARING_NOTICE_DAYS = 10


def _ids(appeal: Appeal) -> list[int]:
    return case_client_ids(appeal.case_id)


def _case_visible(user: User, case: Case) -> None:
    case_for_work(user=user, case=case, refusal=_("You may not record an appeal on this case."))


def _subject_facts(
    *,
    adverse_action: AdverseAction | None,
    determination: Determination | None,
    overpayment: Overpayment | None,
    issuance: Issuance | None,
) -> tuple[str, date, object, object]:
    """What is appealed: its subject, the date the client was told of it, its program and enrollment."""
    given = [x for x in (adverse_action, determination, overpayment, issuance) if x is not None]
    if len(given) != 1:
        raise ValidationError(_("Choose the one decision the client appeals."))
    if adverse_action is not None:
        subject = Appeal.Subject.SUSPENSION if adverse_action.kind == AdverseAction.Kind.SUSPENSION else (
            Appeal.Subject.DETERMINATION
        )  # fmt: skip
        return subject, adverse_action.noticed_on, adverse_action.enrollment.program, adverse_action.enrollment
    if determination is not None:
        if not determination.is_final:
            raise ValidationError(_("A draft determination is not a decision yet: nothing to appeal."))
        told = timezone.localtime(determination.finalised_at).date()
        return Appeal.Subject.DETERMINATION, told, determination.enrollment.program, determination.enrollment
    if overpayment is not None:
        told = timezone.localtime(overpayment.established_at).date()
        return Appeal.Subject.OVERPAYMENT, told, overpayment.program, overpayment.enrollment
    if issuance.status != Issuance.Status.REJECTED:
        raise ValidationError(_("Only a refused issuance can be appealed."))
    refused = (
        IssuanceStatusChange.objects.filter(issuance=issuance, to_status=Issuance.Status.REJECTED)
        .order_by("-changed_at")
        .values_list("changed_at", flat=True)
        .first()
    )
    told = timezone.localtime(refused).date() if refused else timezone.localdate()
    return Appeal.Subject.ISSUANCE, told, issuance.program, issuance.enrollment


def appeal_request(
    *,
    acting_user: User,
    case: Case,
    received_via: str,
    requested_on: date,
    adverse_action: AdverseAction | None = None,
    determination: Determination | None = None,
    overpayment: Overpayment | None = None,
    issuance: Issuance | None = None,
    statement: str = "",
    continue_benefits: bool = True,
) -> Appeal:
    """Record a client's request for a fair hearing, made in writing, by phone or in person.

    The request must come within the program's appeal period from the notice (SNAP: 90 days,
    7 CFR 273.15(g)); a late one is recorded as refused, with the reason, for a supervisor to
    accept for good cause. One made within the notice period keeps benefits at the prior amount
    until the decision (7 CFR 273.15(k)(1)), unless the client declines. The decision is due
    within the program's period from the request (SNAP: 60 days, 7 CFR 273.15(c)(1)).
    """
    _case_visible(acting_user, case)
    if received_via not in Appeal.Received.values:
        raise ValidationError({"received_via": _("Say how the client asked: in writing, by phone or in person.")})
    if requested_on > timezone.localdate():
        raise ValidationError({"requested_on": _("The request date cannot be in the future.")})
    subject, told, program, enrollment = _subject_facts(
        adverse_action=adverse_action, determination=determination, overpayment=overpayment, issuance=issuance
    )
    if enrollment is not None and enrollment.case_id != case.pk:
        raise ValidationError(_("That decision is not on this case."))
    if determination is not None and adverse_action is None:
        adverse_action = determination.adverse_actions.order_by("-id").first()
    deadline = hearing_request_deadline(told_on=told, program=program)
    late = requested_on > deadline
    with transaction.atomic():
        # The case's row serialises requests on it: two quick submissions make one appeal.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        case = Case.objects.select_related("primary_client").get(pk=case.pk)
        decision = {
            "adverse_action": adverse_action,
            "determination": None if adverse_action else determination,
            "overpayment": overpayment,
            "issuance": issuance,
        }
        named = {field: value for field, value in decision.items() if value is not None}
        already = Appeal.objects.filter(status__in=Appeal.OPEN_STATUSES, **named).first() if named else None
        if already is not None:
            raise ValidationError(_("This decision is already under appeal (%(appeal)s).") % {"appeal": already})
        appeal = Appeal.objects.create(
            case=case,
            client=case.primary_client,
            program=program,
            subject=subject,
            adverse_action=adverse_action,
            determination=determination or (adverse_action.determination if adverse_action else None),
            overpayment=overpayment,
            issuance=issuance,
            received_via=received_via,
            requested_on=requested_on,
            decision_noticed_on=told,
            request_deadline=deadline,
            decision_due=requested_on + timedelta(days=program.hearing_decision_days),
            statement=statement.strip(),
            status=Status.REFUSED if late else Status.OPEN,
            refusal=(
                f"Asked on {requested_on:%Y-%m-%d}, after the last day to ask, {deadline:%Y-%m-%d} "
                f"({program.appeal_days} days from the notice of {told:%Y-%m-%d}). A supervisor may accept it "
                "for good cause."
            )
            if late
            else "",
            created_by=acting_user,
        )
        in_notice_period = adverse_action is not None and requested_on <= notice_period_end(adverse_action)
        if not late and continue_benefits and in_notice_period and adverse_action.kind != AdverseAction.Kind.DENIAL:
            adverse_action_continue(acting_user=acting_user, action=adverse_action, requested_on=requested_on)
            appeal.continued_benefits = True
            appeal.save(update_fields=["continued_benefits"])
        status_begin(appeal, acting_user=acting_user, reason=appeal.refusal or "Hearing requested")
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=appeal,
            client_ids=_ids(appeal),
            changes={
                "subject": [None, subject],
                "received_via": [None, received_via],
                "requested_on": [None, requested_on.isoformat()],
                "status": [None, appeal.status],
                "continued_benefits": [None, appeal.continued_benefits],
            },
            reason=appeal.refusal,
        )
    return appeal


def appeal_accept_late(*, acting_user: User, appeal: Appeal, good_cause: str) -> Appeal:
    """A supervisor accepts a late request for good cause, saying what it was; the decision is then due
    within the program's period from today."""
    if not access.may_supervise(acting_user):
        raise PermissionDenied(_("Only a supervisor accepts a late appeal for good cause."))
    _case_visible(acting_user, appeal.case)
    if not good_cause.strip():
        raise ValidationError({"good_cause": _("Say what the good cause is.")})
    with transaction.atomic():
        today = timezone.localdate()
        status_move(
            appeal, to=Status.OPEN, acting_user=acting_user, client_ids=_ids(appeal), reason=good_cause.strip(),
            also={"good_cause": good_cause.strip(), "good_cause_by": acting_user,
                  "decision_due": today + timedelta(days=appeal.program.hearing_decision_days)},
        )  # fmt: skip
    return appeal


def appeal_settle(*, acting_user: User, appeal: Appeal, notes: str) -> Appeal:
    """An agency conference settled it: the client and the agency agreed, no hearing is held."""
    _case_visible(acting_user, appeal.case)
    if not notes.strip():
        raise ValidationError({"notes": _("Record what was agreed at the conference.")})
    with transaction.atomic():
        status_move(
            appeal, to=Status.SETTLED, acting_user=acting_user, client_ids=_ids(appeal), reason=notes.strip(),
            also={"conference_notes": notes.strip(), "decided_on": timezone.localdate()},
        )  # fmt: skip
        _end_continued(appeal, acting_user)
    return appeal


def appeal_withdraw(*, acting_user: User, appeal: Appeal, reason: str) -> Appeal:
    """The client withdraws the request; continued benefits end with it, and the months paid become a claim."""
    _case_visible(acting_user, appeal.case)
    if not reason.strip():
        raise ValidationError({"reason": _("Record how and when the client withdrew.")})
    with transaction.atomic():
        status_move(
            appeal, to=Status.WITHDRAWN, acting_user=acting_user, client_ids=_ids(appeal), reason=reason.strip()
        )
        action = _end_continued(appeal, acting_user)
        if action is not None and action.continued_from is not None:
            _claim_continued(appeal, action, acting_user)
    return appeal


def officer_conflict(*, appeal: Appeal, officer: User) -> str:
    """Why `officer` may not hear this appeal (empty when they may): the one place this is decided.

    The hearing official must not have taken part in the decision appealed (7 CFR 273.15(m)(1)).
    """
    if not access.may_hear_appeals(officer) or not officer.is_active:
        return _("%(officer)s is not a hearing officer.") % {"officer": officer}
    took_part: set[int | None] = set()
    if appeal.determination_id:
        determination = appeal.determination
        took_part |= {determination.run_by_id, determination.finalised_by_id}
    if appeal.adverse_action_id:
        took_part.add(appeal.adverse_action.created_by_id)
    if appeal.overpayment_id:
        took_part.add(appeal.overpayment.established_by_id)
    if appeal.issuance_id:
        took_part |= set(
            IssuanceStatusChange.objects.filter(issuance_id=appeal.issuance_id).values_list("changed_by_id", flat=True)
        )
        took_part.add(appeal.issuance.requested_by_id)
    if officer.pk in took_part:
        return _("%(officer)s took part in the decision appealed and may not hear it.") % {"officer": officer}
    return ""


def appeal_hearing_schedule(
    *, acting_user: User, appeal: Appeal, officer: User, starts_at: datetime, ends_at: datetime, place: str
) -> Appeal:
    """Schedule the hearing as an appointment on the case and tell every party.

    The officer is one who took no part in the decision; the hearing is at least 10 days ahead
    so that notice reaches every party in time (7 CFR 273.15(l)(1)). The client gets the notice
    of hearing in their language by a safe channel; the case's worker and the officer have it in
    their calendars.
    """
    _case_visible(acting_user, appeal.case)
    conflict = officer_conflict(appeal=appeal, officer=officer)
    if conflict:
        raise ValidationError({"officer": conflict})
    earliest = timezone.localdate() + timedelta(days=HEARING_NOTICE_DAYS)
    if timezone.localtime(starts_at).date() < earliest:
        raise ValidationError(
            {"starts_at": _("Every party is told at least %(days)s days ahead: the earliest day is %(earliest)s.")
             % {"days": HEARING_NOTICE_DAYS, "earliest": f"{earliest:%Y-%m-%d}"}}
        )  # fmt: skip
    if not place.strip():
        raise ValidationError({"place": _("Say where the hearing is held.")})
    with transaction.atomic():
        case = Case.objects.select_related("assigned_worker").get(pk=appeal.case_id)
        hearing = appointment_book(
            acting_user=acting_user, case=case, client=appeal.client, worker=case.assigned_worker,
            kind=Appointment.Kind.FAIR_HEARING, starts_at=starts_at, ends_at=ends_at, place=place.strip(),
            required=False, agenda=f"Fair hearing of appeal {appeal.pk}", colleagues=[officer],
        )  # fmt: skip
        status_move(
            appeal, to=Status.HEARING, acting_user=acting_user, client_ids=_ids(appeal),
            reason=f"Hearing on {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            also={"hearing_officer": officer, "hearing": hearing},
        )  # fmt: skip
        correspondence_send(
            client=appeal.client, case=case, template=HEARING_NOTICE, sent_by=acting_user,
            context={"hearing_at": starts_at, "place": place.strip(), "program": appeal.program.name,
                     "officer_name": officer.get_full_name() or officer.get_username()},
        )  # fmt: skip
    return appeal


def appeal_decide(
    *,
    acting_user: User,
    appeal: Appeal,
    decision: str,
    reasons: str,
    findings: WhatIf | None = None,
) -> Appeal:
    """The hearing officer's decision, with reasons, and carrying it out.

    - Reversed or modified: the determination is re-run with the hearing's findings as a
      redetermination from the month the appealed decision took effect, approved, and settled:
      months paid too little become arrears through the settlement path; the next run pays the
      new amount (7 CFR 273.15(s)).
    - Sustained or dismissed: benefits continued during the appeal and not due become a claim
      with its demand letter (the notice warned of it, 7 CFR 273.13(a)(2)).
    Continued benefits end with the decision either way.
    """
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose sustained, reversed, modified or dismissed.")})
    if not reasons.strip():
        raise ValidationError({"reasons": _("A decision gives its reasons.")})
    if appeal.hearing_officer_id != acting_user.pk:
        raise PermissionDenied(_("Only the officer who heard the appeal decides it."))
    conflict = officer_conflict(appeal=appeal, officer=acting_user)
    if conflict:
        raise PermissionDenied(conflict)
    today = timezone.localdate()
    with transaction.atomic():
        status_move(
            appeal, to=Status.DECIDED, acting_user=acting_user, client_ids=_ids(appeal), reason=reasons.strip(),
            also={"decision": decision, "decision_reasons": reasons.strip(), "decided_on": today,
                  "decided_by": acting_user, "findings": _findings_dict(findings)},
        )  # fmt: skip
        action = _end_continued(appeal, acting_user)
        if decision in (Decision.REVERSED, Decision.MODIFIED):
            _carry_out(appeal, acting_user, findings or WhatIf())
        elif action is not None and action.continued_from is not None:
            _claim_continued(appeal, action, acting_user)
    return appeal


def _findings_dict(findings: WhatIf | None) -> dict:
    if findings is None:
        return {}
    return {
        "income_amounts": {str(k): str(v) for k, v in findings.income_amounts.items()},
        "expense_amounts": {str(k): str(v) for k, v in findings.expense_amounts.items()},
    }


def _end_continued(appeal: Appeal, acting_user: User) -> AdverseAction | None:
    if appeal.adverse_action_id is None:
        return None
    return adverse_action_continue_end(acting_user=acting_user, action=appeal.adverse_action, on=timezone.localdate())


def _carry_out(appeal: Appeal, acting_user: User, findings: WhatIf) -> None:
    if appeal.determination_id is None:
        return  # an overpayment claim or an issuance: the worker acts on the decision (a task would say so)
    effective_on = appeal.adverse_action.effective_on if appeal.adverse_action_id else appeal.determination.as_of
    rerun = determination_on_findings(
        acting_user=acting_user, determination=appeal.determination, findings=findings,
        effective_on=effective_on.replace(day=1), reason=f"Fair hearing decision on appeal {appeal.pk}",
    )  # fmt: skip
    determination_finalise(
        acting_user=acting_user, determination=rerun, decision="approve" if rerun.eligible else "deny",
        reason=f"Fair hearing decision on appeal {appeal.pk}",
    )  # fmt: skip
    redetermination_settle(determination=rerun)
    Appeal.objects.filter(pk=appeal.pk).update(new_determination=rerun)
    appeal.new_determination = rerun


def _claim_continued(appeal: Appeal, action: AdverseAction, acting_user: User) -> None:
    """The months paid at the prior amount pending a hearing the agency won become one claim."""
    paid = (
        Issuance.objects.filter(
            enrollment_id=action.enrollment_id,
            kind=Issuance.Kind.RECURRING,
            status=Issuance.Status.ISSUED,
            period__gte=action.continued_from,
            period__lte=action.continued_until,
        )
        .order_by("period")
        .values_list("period", "amount")
    )
    periods = [
        PeriodAmount(period=period, paid=amount, due=action.amount_after, amount=amount - action.amount_after)
        for period, amount in paid
        if amount > action.amount_after
    ]
    if not periods:
        return
    case = Case.objects.select_related("primary_client").get(pk=appeal.case_id)
    claim = establish(
        acting_user=acting_user, case=case, client=case.primary_client, program=appeal.program,
        enrollment=action.enrollment, determination=action.determination, source=Overpayment.Source.APPEAL,
        reason=Overpayment.Reason.CLIENT_ERROR, periods=periods,
        findings=f"Benefits continued pending appeal {appeal.pk}, which did not overturn the decision.",
        memo=f"Continued benefits, appeal {appeal.pk} sustained",
    )  # fmt: skip
    Appeal.objects.filter(pk=appeal.pk).update(claim=claim)
    appeal.claim = claim
