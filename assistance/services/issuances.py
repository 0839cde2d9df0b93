"""Requesting, approving, rejecting, issuing, cancelling and reversing an issuance.

Each verb is one transaction that locks the issuance, checks `Issuance.TRANSITIONS`, writes
the status change and its audit event, and (for issue and reverse) posts to the ledger.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import Issuance, LedgerTransaction, Overpayment
from assistance.services.budgets import budget_effect
from assistance.services.ledger import issue_lines, ledger_post, reversal_lines
from assistance.services.limits import beyond_authority_text, excesses_text, limits_exceeded
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, SupportiveService
from casework.services.cases import case_client_ids, case_for_work
from clients.models import Client
from core.money import MoneyError, parse_money
from core.status import status_begin, status_move
from eligibility.models import Enrollment, Program

Action = AuditEvent.Action
Status = Issuance.Status
CENT = Decimal("0.01")


@dataclass(frozen=True)
class IssuanceRequest:
    """What a worker asks for. `amount` is ignored for shelter: it is nights times the nightly rate."""

    kind: str
    amount: Decimal | None
    payee_name: str
    method: str
    payee_kind: str = Issuance.PayeeKind.CLIENT
    payee_address: str = ""
    purpose: str = ""
    units: int | None = None
    unit_rate: Decimal | None = None
    supportive_service_id: int | None = None
    #: Why emergency funds go out under a program the case is not enrolled in (none otherwise).
    unenrolled_reason: str = ""

    def fingerprint(self, *, case_id: int, client_id: int, program_id: int) -> str:
        details = {
            "case": case_id,
            "client": client_id,
            "program": program_id,
            "kind": self.kind,
            "amount": _canonical(self.amount),
            "units": self.units,
            "unit_rate": _canonical(self.unit_rate),
            "payee_kind": self.payee_kind,
            "payee_name": self.payee_name.strip(),
            "payee_address": self.payee_address.strip(),
            "method": self.method,
            "purpose": self.purpose.strip(),
            "supportive_service": self.supportive_service_id,
        }
        if self.unenrolled_reason.strip():
            # Only when given, so the keys of requests made before the reason existed still match.
            details["unenrolled_reason"] = self.unenrolled_reason.strip()
        return hashlib.sha256(json.dumps(details, sort_keys=True).encode()).hexdigest()


def _canonical(value) -> str | None:
    """An amount as the fingerprint sees it: 100 and 100.00 are the same request."""
    if value is None:
        return None
    try:
        return str(Decimal(str(value)).quantize(CENT))
    except (InvalidOperation, ValueError):
        return str(value)


def positive_amount(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount of dollars and cents (read by core's parser), or a ValidationError on `field`."""
    try:
        amount = parse_money(value)
    except MoneyError as error:
        raise ValidationError({field: error.message}) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be more than zero.")})
    return amount


def enrolled_programs(*, case: Case) -> list[Program]:
    """The programs the case is enrolled in or has applied to (a suspended, denied or ended
    enrollment pays nothing): active enrollments first, then the most recent first."""
    live = (Enrollment.Status.APPLIED, Enrollment.Status.PENDING, Enrollment.Status.ACTIVE)
    enrollments = (
        Enrollment.objects.filter(case_id=case.pk, status__in=live)
        .select_related("program")
        .order_by("-application_date", "-id")
    )
    # sorted() is stable, so within each group the most recent enrollment stays first.
    return [e.program for e in sorted(enrollments, key=lambda e: e.status != Enrollment.Status.ACTIVE)]


def _enrollment_error(request: IssuanceRequest, *, case: Case, program: Program) -> str | None:
    """Assistance is paid under one of the case's own programs. Emergency funds alone may go out
    before enrolment (a family facing eviction this week), and then only with a written reason."""
    if program.pk in {p.pk for p in enrolled_programs(case=case)}:
        return None
    if request.kind == Issuance.Kind.EMERGENCY and request.unenrolled_reason.strip():
        return None
    if request.kind == Issuance.Kind.EMERGENCY:
        return (
            f"Case {case.number} is not enrolled in {program}. Choose one of its programs, "
            "or give the reason these emergency funds cannot wait for enrolment."
        )
    return f"Case {case.number} is not enrolled in {program}: choose one of its programs."


def _validated(request: IssuanceRequest, *, case: Case, client: Client, program: Program) -> IssuanceRequest:
    errors: dict[str, str] = {}
    if request.kind not in Issuance.REQUESTABLE:
        errors["kind"] = "Choose a kind of assistance."
    if request.method not in Issuance.Method.values:
        errors["method"] = "Choose how it is paid."
    if request.payee_kind not in Issuance.PayeeKind.values:
        errors["payee_kind"] = "Choose who is paid."
    if not request.payee_name.strip():
        errors["payee_name"] = "Name the payee."
    if request.method == Issuance.Method.CHEQUE and not request.payee_address.strip():
        errors["payee_address"] = "A cheque needs the payee's mailing address."
    if not program.is_active:
        errors["program"] = f"{program} is not issuing assistance."
    elif (enrollment_error := _enrollment_error(request, case=case, program=program)) is not None:
        errors["program"] = enrollment_error
    amount, unit_rate, units = request.amount, request.unit_rate, request.units
    if request.kind == Issuance.Kind.SHELTER:
        if not units or units < 1:
            errors["units"] = "Shelter needs the number of nights, one or more."
        try:
            unit_rate = positive_amount(unit_rate if unit_rate is not None else "", field="unit_rate")
        except ValidationError as error:
            errors.update({"unit_rate": error.message_dict["unit_rate"][0].replace("The amount", "The nightly rate")})
        if "units" not in errors and "unit_rate" not in errors:
            amount = (unit_rate * units).quantize(CENT)
    else:
        units = unit_rate = None
        try:
            amount = positive_amount(amount if amount is not None else "")
        except ValidationError as error:
            errors.update({"amount": error.message_dict["amount"][0]})
    if request.kind == Issuance.Kind.SUPPORTIVE:
        if not request.supportive_service_id:
            errors["supportive_service"] = "Choose the supportive service from the client's employment plan."
        elif not SupportiveService.objects.filter(pk=request.supportive_service_id, plan__case_id=case.pk).exists():
            errors["supportive_service"] = "That supportive service is not on this case's plans."
    elif request.supportive_service_id:
        errors["supportive_service"] = "Only a supportive-service issuance names a supportive service."
    if client.pk not in case_client_ids(case.pk):
        errors["client"] = "The client must be a member of this case's household."
    if not case.is_active:
        errors["case"] = f"Case {case.number} is {case.get_status_display().lower()}: reopen it to issue assistance."
    if errors:
        raise ValidationError(errors)
    return IssuanceRequest(
        kind=request.kind,
        amount=amount,
        payee_name=request.payee_name.strip(),
        method=request.method,
        payee_kind=request.payee_kind,
        payee_address=request.payee_address.strip(),
        purpose=request.purpose.strip(),
        units=units,
        unit_rate=unit_rate,
        supportive_service_id=request.supportive_service_id,
        unenrolled_reason=request.unenrolled_reason.strip(),
    )


def _same_key(key: str, fingerprint: str) -> Issuance | None:
    existing = Issuance.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise ValidationError(
            _("This request was already sent with other details. Start a new request to ask for something else.")
        )
    return existing


def issuance_request(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    request: IssuanceRequest,
    idempotency_key: str,
) -> Issuance:
    """Ask for assistance for a client on a case.

    Within the requester's authority it is approved and issued at once; past it, it waits for a
    supervisor. The same `idempotency_key` again gives back the first issuance (a double click,
    a retry after a timeout); the same key with different details is refused.
    """
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValidationError(_("This request has no valid request key; reload the form and send it again."))
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors request assistance."))
    # Whoever calls (a page, the API, another app), assistance goes only on a case the
    # requester may work now: an on-call shift that has ended no longer counts.
    case_for_work(user=acting_user, case=case)
    # Raw details first: a retry of a finished request is answered even if the case has closed since.
    fingerprint = request.fingerprint(case_id=case.pk, client_id=client.pk, program_id=program.pk)
    existing = _same_key(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            # The client's row serialises their requests, so two at once cannot both fit in 30 days.
            client = Client.objects.select_for_update().get(pk=client.pk)
            case = Case.objects.get(pk=case.pk)
            existing = _same_key(idempotency_key, fingerprint)
            if existing is not None:
                return existing
            details = _validated(request, case=case, client=client, program=program)
            issuance = Issuance(
                case=case,
                client=client,
                program=program,
                kind=details.kind,
                amount=details.amount,
                units=details.units,
                unit_rate=details.unit_rate,
                purpose=details.purpose,
                payee_kind=details.payee_kind,
                payee_name=details.payee_name,
                payee_address=details.payee_address,
                method=details.method,
                supportive_service_id=details.supportive_service_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                requested_by=acting_user,
                reference=_provisional_reference(idempotency_key),
            )
            over = limits_exceeded(
                user=acting_user, kind=details.kind, client_id=client.pk, amount=details.amount, units=details.units
            )
            issuance.exceeds = [excess.stored() for excess in over]
            issuance.save()
            issuance.reference = reference_for(issuance.pk)
            issuance.save(update_fields=["reference"])
            status_begin(issuance, acting_user=acting_user)
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=issuance,
                client_ids=case_client_ids(case.pk),
                changes={
                    "kind": [None, issuance.kind],
                    "amount": [None, str(issuance.amount)],
                    "payee": [None, issuance.payee_name],
                    "method": [None, issuance.method],
                    **({"unenrolled_reason": [None, details.unenrolled_reason]} if details.unenrolled_reason else {}),
                },
            )
            if over:
                _move(issuance, Status.PENDING, acting_user, reason=excesses_text(over))
            else:
                _move(issuance, Status.APPROVED, acting_user, reason="Within the requester's authority")
                _issue(issuance, acting_user)
    except IntegrityError:
        # Another copy of this request committed first (the unique key): answer with its result.
        existing = _same_key(idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing
    return issuance


def issuance_approve(
    *, acting_user: User, issuance: Issuance, reason: str = "", budget_acknowledged: bool = False
) -> Issuance:
    """A supervisor approves a waiting request within their own authority; the requester then issues it."""
    _require_supervisor(acting_user)
    try:
        with transaction.atomic():
            issuance = _locked(issuance)
            _check_decider(issuance, acting_user, verb="approve")
            case = Case.objects.get(pk=issuance.case_id)
            if not case.is_active:
                raise ValidationError(
                    _("Case %(number)s is %(lower)s; reopen it or reject the request.")
                    % {"number": case.number, "lower": case.get_status_display().lower()}
                )
            # The client's row and the budget's serialise approvals, as requests are: two approvals at
            # once for one client cannot both fit the approver's 30 days, nor both pass the budget unwarned.
            Client.objects.select_for_update().filter(pk=issuance.client_id).first()
            over = limits_exceeded(
                user=acting_user,
                kind=issuance.kind,
                client_id=issuance.client_id,
                amount=issuance.amount,
                units=issuance.units,
            )
            if over:
                raise ValidationError(beyond_authority_text(over))
            effect = budget_effect(program_id=issuance.program_id, amount=issuance.amount, lock=True)
            if effect is not None and effect.exceeds and not budget_acknowledged:
                raise ValidationError(
                    {
                        "budget_acknowledged": _("%(message)s Tick the box to approve it all the same.")
                        % {"message": effect.message}
                    }
                )
            issuance.decided_by = acting_user
            issuance.decided_at = timezone.now()
            issuance.decision_reason = reason.strip()
            issuance.save(update_fields=["decided_by", "decided_at", "decision_reason"])
            _move(issuance, Status.APPROVED, acting_user, reason=reason.strip() or "Approved")
    except IntegrityError as error:
        # The database's own refusal of a self-approval, should a caller get past the check above.
        if "issuance_not_decided_by_requester" not in str(error):
            raise
        raise ValidationError(_("Nobody approves their own request.")) from None
    return issuance


def issuance_reject_check_reason(reason: str) -> None:
    """A rejection says why: the caseworker reads it. Checked before anything is decided."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is rejected; the caseworker will read it.")})


def issuance_reject(*, acting_user: User, issuance: Issuance, reason: str) -> Issuance:
    """A supervisor turns down a waiting request, saying why; the requester sees it on their home page."""
    _require_supervisor(acting_user)
    issuance_reject_check_reason(reason)
    with transaction.atomic():
        issuance = _locked(issuance)
        _check_decider(issuance, acting_user, verb="reject")
        issuance.decided_by = acting_user
        issuance.decided_at = timezone.now()
        issuance.decision_reason = reason.strip()
        issuance.save(update_fields=["decided_by", "decided_at", "decision_reason"])
        _move(issuance, Status.REJECTED, acting_user, reason=reason.strip())
    return issuance


def issuance_issue(*, acting_user: User, issuance: Issuance) -> Issuance:
    """Release an approved issuance to its payee: post it to the ledger, once."""
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors issue assistance."))
    with transaction.atomic():
        issuance = _locked(issuance)
        if issuance.status == Status.ISSUED:
            return issuance
        if issuance.status != Status.APPROVED:
            raise ValidationError(
                _("This request is %(lower)s; it cannot be issued.") % {"lower": issuance.get_status_display().lower()}
            )
        case = Case.objects.get(pk=issuance.case_id)
        if not case.is_active:
            raise ValidationError(
                _("Case %(number)s is %(lower)s; reopen it to issue.")
                % {"number": case.number, "lower": case.get_status_display().lower()}
            )
        _issue(issuance, acting_user)
    return issuance


def issuance_cancel(*, acting_user: User, issuance: Issuance, reason: str) -> Issuance:
    """Withdraw a waiting or approved request before it is issued."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is cancelled.")})
    with transaction.atomic():
        issuance = _locked(issuance)
        if acting_user.pk != issuance.requested_by_id and not access.may_supervise(acting_user):
            raise ValidationError(_("Only the requester or a supervisor can cancel a request."))
        _move(issuance, Status.CANCELLED, acting_user, reason=reason.strip())
    return issuance


def issuance_reverse(*, acting_user: User, issuance: Issuance, reason: str) -> Issuance:
    """Undo an issued payment: a new, opposite ledger transaction; nothing is removed.

    What the payment recovered of an overpayment is owed again.
    """
    _require_supervisor(acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    with transaction.atomic():
        issuance = _locked(issuance)
        if issuance.status != Status.ISSUED:
            status = issuance.get_status_display().lower()
            raise ValidationError(
                _("This request is %(status)s; only an issued one can be reversed.") % {"status": status}
            )
        original = LedgerTransaction.objects.get(issuance=issuance, kind=LedgerTransaction.Kind.ISSUE)
        lines = reversal_lines(original)
        ledger_post(
            kind=LedgerTransaction.Kind.REVERSAL,
            lines=lines,
            posted_by=acting_user,
            issuance=issuance,
            reverses=original,
            memo=reason.strip()[:300],
        )
        for line in lines:
            if line.overpayment_id:
                _restore_balance(line.overpayment_id, line.amount, acting_user)
        _move(issuance, Status.REVERSED, acting_user, reason=reason.strip())
    return issuance


def reference_for(pk: int) -> str:
    return f"AS-{pk:08d}"


def _provisional_reference(key: str) -> str:
    return "tmp-" + hashlib.sha256(key.encode()).hexdigest()[:26]


def _issue(issuance: Issuance, acting_user: User) -> None:
    ledger_post(
        kind=LedgerTransaction.Kind.ISSUE, lines=issue_lines(issuance), posted_by=acting_user, issuance=issuance
    )
    issuance.issued_by = acting_user
    issuance.issued_at = timezone.now()
    issuance.save(update_fields=["issued_by", "issued_at"])
    _move(issuance, Status.ISSUED, acting_user)


def _restore_balance(overpayment_id: int, amount: Decimal, acting_user: User) -> None:
    """A reversed recovery: the receivable entry's opposite (a debit) puts the amount back on the balance.

    A recovered overpayment owes again: it moves back to recovering, with its history row and audit event.
    """
    overpayment = Overpayment.objects.select_for_update().get(pk=overpayment_id)
    balance = overpayment.balance + amount
    if overpayment.status == Overpayment.Status.RECOVERED:
        status_move(
            overpayment,
            to=Overpayment.Status.RECOVERING,
            acting_user=acting_user,
            client_ids=case_client_ids(overpayment.case_id),
            reason="A payment that recovered part of it was reversed",
            also={"balance": balance},
        )
    else:
        overpayment.balance = balance
        overpayment.save(update_fields=["balance"])


def _locked(issuance: Issuance) -> Issuance:
    return Issuance.objects.select_for_update().get(pk=issuance.pk)


def _require_supervisor(user: User) -> None:
    if not access.may_supervise(user):
        raise ValidationError(_("Only a supervisor can do this."))


def _check_decider(issuance: Issuance, user: User, *, verb: str) -> None:
    if issuance.status != Status.PENDING:
        who = f" by {issuance.decided_by.get_full_name() or issuance.decided_by}" if issuance.decided_by else ""
        raise ValidationError(
            _("This request was already %(lower)s%(who)s; nothing to %(verb)s.")
            % {"lower": issuance.get_status_display().lower(), "who": who, "verb": verb}
        )
    access.decider_check(
        user,
        asked_by_id=issuance.requested_by_id,
        refusal=_("Nobody approves or rejects their own request; another supervisor must decide it."),
    )


def _move(issuance: Issuance, to: str, user: User, *, reason: str = "") -> None:
    status_move(issuance, to=to, acting_user=user, client_ids=case_client_ids(issuance.case_id), reason=reason)
