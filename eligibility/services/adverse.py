"""Notices of adverse action, the date an action on an ongoing benefit takes effect, and continued benefits.

Every decision against a client (a denial, a reduction, a suspension, a termination) is
recorded as an `AdverseAction` and its notice sent through `correspondence` in the client's
language, by a safe channel. An action on an ongoing benefit gives timely notice: it takes
effect no sooner than the program's `notice_days` after the notice (SNAP: 10 days, 7 CFR
273.13(a)(1)), from the first benefit month after that; the payment run pays the prior amount
until then. Adequate notice (effective at once) only where 7 CFR 273.13(b) allows it: a denial
of an application, and a certification period that ran out without a review (273.13(b)(13)
leaves the household to reapply; its suspension here is that case).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.money import format_money
from core.users import job_user
from correspondence.services import correspondence_send, language_of
from eligibility.letters import ACTION_WORDS, ADVERSE_ACTION, APPEAL_HOW
from eligibility.models import AdverseAction, Determination, Enrollment
from eligibility.notices import rules_cited
from eligibility.services.common import case_client_ids

Action = AuditEvent.Action
Kind = AdverseAction.Kind
#: Where adequate notice is enough (7 CFR 273.13(b)): the action takes effect in the month decided.
ADEQUATE = (Kind.DENIAL, Kind.SUSPENSION)


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def effective_month(*, kind: str, noticed_on: date, notice_days: int) -> date:
    """The first benefit month the action applies to: after the notice period for timely notice."""
    if kind in ADEQUATE:
        return noticed_on.replace(day=1)
    ends = noticed_on + timedelta(days=notice_days)
    return ends if ends.day == 1 else first_of_next_month(ends)


def notice_period_end(action: AdverseAction) -> date:
    """The last day a hearing request keeps benefits at the prior amount (7 CFR 273.15(k)(1))."""
    return action.noticed_on + timedelta(days=action.enrollment.program.notice_days)


def appeal_deadline(action: AdverseAction) -> date:
    """The last day to ask for a fair hearing (SNAP: 90 days from the notice, 7 CFR 273.15(g))."""
    return hearing_request_deadline(told_on=action.noticed_on, program=action.enrollment.program)


def hearing_request_deadline(*, told_on: date, program) -> date:
    """The last day to ask for a fair hearing on a decision the client was told of on `told_on`."""
    return told_on + timedelta(days=program.appeal_days)


def reason_lines(determination: Determination | None, kind: str, extra: str = "") -> list[dict[str, Any]]:
    """The reasons in plain words, each with the rule's figure and limit, from the determination's explanation.

    A reduction gives every line of the calculation (it is the calculation that changed); a
    denial or termination the criteria that failed.
    """
    lines: list[dict[str, Any]] = []
    if determination is not None:
        criteria = determination.outcome.get("criteria", [])
        if kind != Kind.REDUCTION:
            criteria = determination.reasons or [line for line in criteria if not line.get("passed")]
        for line in criteria:
            lines.append({k: line.get(k) for k in ("name", "figure", "limit", "passed", "explanation")})
    if extra:
        lines.append({"name": "Reason", "figure": None, "limit": None, "passed": False, "explanation": extra})
    return lines


def reasons_text(action: AdverseAction) -> str:
    out = []
    for line in action.reasons:
        figures = ""
        if line.get("figure") is not None:
            figures = (
                f" ({line['figure']}" + (f"; limit {line['limit']}" if line.get("limit") is not None else "") + ")"
            )
        out.append(f"- {line.get('explanation') or line.get('name')}{figures}")
    if action.determination_id:
        for rule in rules_cited(action.determination.parameters_used):
            out.append(
                f"- {rule['title']}: {', '.join(rule['parameters'])}" + (f" ({rule['url']})" if rule["url"] else "")
            )
    return "\n".join(out)


def adverse_action_notify(
    *,
    acting_user: User | None,
    enrollment: Enrollment,
    kind: str,
    amount_before: Decimal,
    amount_after: Decimal,
    determination: Determination | None = None,
    reason: str = "",
    noticed_on: date | None = None,
) -> AdverseAction:
    """Record an adverse action and send its notice; in the caller's transaction, or its own.

    The notice says the action, the date it takes effect, the amount before and after, the
    reasons with the rule and values applied, the right to a fair hearing, how and by when to
    ask, and that benefits continue if asked within the notice period (7 CFR 273.13(a)(2)).
    When no channel is safe the action stands and the refusal is kept for the worker to see.
    """
    if kind not in Kind.values:
        raise ValidationError(f"Unknown adverse action: {kind}.")
    noticed_on = noticed_on or timezone.localdate()
    with transaction.atomic():
        enrollment = Enrollment.objects.select_related("program", "case__primary_client").get(pk=enrollment.pk)
        program = enrollment.program
        action = AdverseAction.objects.create(
            enrollment=enrollment,
            determination=determination,
            kind=kind,
            amount_before=amount_before,
            amount_after=amount_after,
            noticed_on=noticed_on,
            effective_on=effective_month(kind=kind, noticed_on=noticed_on, notice_days=program.notice_days),
            timely=kind not in ADEQUATE,
            reasons=reason_lines(determination, kind, reason),
            created_by=acting_user or job_user(),
        )
        client = enrollment.case.primary_client
        language = language_of(client)
        context = {
            "program": program.name,
            "action": ACTION_WORDS[language][kind],
            "effective_on": action.effective_on,
            "amount_before": format_money(amount_before),
            "amount_after": format_money(amount_after),
            "reasons": reasons_text(action),
            "hearing_by": appeal_deadline(action),
            "continue_by": notice_period_end(action),
            "appeal_how": APPEAL_HOW[language],
        }
        try:
            action.notice = correspondence_send(
                client=client, case=enrollment.case, template=ADVERSE_ACTION, context=context,
                sent_by=acting_user, job="" if acting_user else "adverse action notice", language=language,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as refusal:
            action.notice_refused = " ".join(getattr(refusal, "messages", [str(refusal)]))
        action.save(update_fields=["notice", "notice_refused"])
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=action,
            client_ids=case_client_ids(enrollment.case_id),
            changes={
                "kind": [None, kind],
                "amount_before": [None, str(amount_before)],
                "amount_after": [None, str(amount_after)],
                "effective_on": [None, action.effective_on.isoformat()],
                "notice": [None, action.notice_id],
            },
            reason=action.notice_refused or "Notice of adverse action",
        )
    return action


def adverse_action_continue(*, acting_user: User, action: AdverseAction, requested_on: date) -> AdverseAction:
    """Keep paying the prior amount until the appeal is decided (7 CFR 273.15(k)(1)).

    Only a request made within the notice period continues benefits; a later one is refused
    with the date it had to be made by.
    """
    with transaction.atomic():
        action = (
            AdverseAction.objects.select_for_update(of=("self",))
            .select_related("enrollment__program")
            .get(pk=action.pk)
        )
        last_day = notice_period_end(action)
        if requested_on > last_day:
            raise ValidationError(
                "Benefits continue only when the hearing is asked for within the notice period, "
                f"by {last_day:%Y-%m-%d}."
            )
        if action.kind == Kind.DENIAL:
            raise ValidationError("A denied application has no benefit to continue.")
        if action.continued_from is not None:
            return action
        action.continued_from = action.effective_on
        action.save(update_fields=["continued_from"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=action,
            client_ids=case_client_ids(action.enrollment.case_id),
            changes={"continued_from": [None, action.continued_from.isoformat()]},
            reason="Benefits continue pending the hearing",
        )
    return action


def adverse_action_continue_end(*, acting_user: User, action: AdverseAction, on: date) -> AdverseAction:
    """The appeal is decided: continued benefits stop; the next run pays what the decision says."""
    with transaction.atomic():
        action = AdverseAction.objects.select_for_update(of=("self",)).select_related("enrollment").get(pk=action.pk)
        if not action.continuing:
            return action
        action.continued_until = on
        action.save(update_fields=["continued_until"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=action,
            client_ids=case_client_ids(action.enrollment.case_id),
            changes={"continued_until": [None, on.isoformat()]},
            reason="Appeal decided: continued benefits end",
        )
    return action
