"""Overpayments: establishing them, changing their reason, writing them off, repayment agreements
and repayments received.

An overpayment is established by an investigation of alleged misuse (`overpayment_establish`)
or by settling a redetermination (`assistance.services.settlements`); both go through
`establish`. Each verb is one transaction that locks the overpayment, moves it along
`Overpayment.TRANSITIONS` (a status-change row and an audit event per move) and posts to the
ledger whenever the balance changes, in the same transaction as the new balance: `balance`
always equals the sum of the overpayment's receivable entries.

The reasons are the three kinds of claim of 7 CFR 273.18(b): intentional program violation,
inadvertent household error (client error) and agency error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts import access
from accounts.models import User
from assistance.models import (
    Account,
    LedgerEntry,
    LedgerTransaction,
    Overpayment,
    OverpaymentPeriod,
    OverpaymentStatusChange,
    RepaymentAgreement,
)
from assistance.services.issuances import money
from assistance.services.ledger import Line, ledger_post
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case
from casework.services.cases import case_client_ids
from clients.models import Client
from eligibility.models import Determination, Enrollment, Program

Action = AuditEvent.Action
Status = Overpayment.Status
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
#: How far ahead a repayment agreement's first instalment may fall.
FIRST_DUE_WITHIN_DAYS = 366


@dataclass(frozen=True)
class PeriodAmount:
    """One month of an overpayment: what was paid, what was due, and the difference owed."""

    period: date
    paid: Decimal
    due: Decimal
    amount: Decimal


def establish(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    source: str,
    reason: str,
    periods: Sequence[PeriodAmount],
    enrollment: Enrollment | None = None,
    determination: Determination | None = None,
    allegation: str = "",
    findings: str = "",
    outcome: str = "",
    memo: str = "",
) -> Overpayment:
    """Create the overpayment, its months and its ledger posting, in the caller's transaction.

    The posting moves each month's amount from assistance issued to receivable (one pair of
    lines per month, so per-month totals stay right): the assistance was not due, the
    household owes it back.
    """
    total = sum((p.amount for p in periods), ZERO)
    overpayment = Overpayment.objects.create(
        case=case,
        client=client,
        program=program,
        enrollment=enrollment,
        determination=determination,
        source=source,
        reason=reason,
        amount=total,
        balance=total,
        allegation=allegation,
        findings=findings,
        outcome=outcome,
        established_by=acting_user,
    )
    OverpaymentPeriod.objects.bulk_create(
        OverpaymentPeriod(overpayment=overpayment, period=p.period, paid=p.paid, due=p.due, amount=p.amount)
        for p in periods
    )
    common = {"case_id": case.pk, "client_id": client.pk, "program_id": program.pk}
    lines: list[Line] = []
    for p in periods:
        lines.append(
            Line(account=Account.RECEIVABLE, amount=p.amount, period=p.period, overpayment_id=overpayment.pk, **common)
        )
        lines.append(Line(account=Account.ISSUED, amount=-p.amount, period=p.period, **common))
    ledger_post(
        kind=LedgerTransaction.Kind.OVERPAYMENT,
        lines=lines,
        posted_by=acting_user,
        overpayment=overpayment,
        memo=memo[:300],
    )
    _log(overpayment, "", Status.ESTABLISHED, acting_user, reason=memo)
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        target=overpayment,
        client_ids=case_client_ids(case.pk),
        changes={
            "source": [None, source],
            "reason": [None, reason],
            "amount": [None, str(total)],
            "periods": [None, {p.period.isoformat(): str(p.amount) for p in periods}],
            "status": [None, Status.ESTABLISHED],
        },
        reason=memo,
    )
    return overpayment


def overpayment_establish(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    reason: str,
    allegation: str,
    findings: str,
    outcome: str,
    periods: Sequence[tuple[date, Decimal | str]],
) -> Overpayment:
    """Record an overpayment found by an investigation of alleged misuse.

    The caseworker (or supervisor) who investigated records the allegation, the findings, the
    outcome and, month by month, the amount overpaid; no second person approves it, the
    household's right to contest the claim is its check. Each month's amount is at most what
    the ledger shows as issued to the client under the program in that month and not already
    claimed, so what was due is that less the amount. Months are whole calendar months, each
    once, none after the current one.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors record overpayments.")
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if reason not in Overpayment.Reason.values:
        error("reason", "Choose the reason for the overpayment.")
    for field, text, message in (
        ("allegation", allegation, "Describe what was alleged."),
        ("findings", findings, "Record what the investigation found."),
        ("outcome", outcome, "Record the outcome of the investigation."),
    ):
        if not (text or "").strip():
            error(field, message)
    months = _months_and_amounts(periods, error)
    if client.pk not in case_client_ids(case.pk):
        error("client", "The client must be a member of this case's household.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The client's row serialises establishments, so two at once cannot both claim one month's money.
        client = Client.objects.select_for_update().get(pk=client.pk)
        case = Case.objects.get(pk=case.pk)
        issued = _unclaimed_by_month(client_id=client.pk, program_id=program.pk, periods=[p for p, _ in months])
        rows: list[PeriodAmount] = []
        for period, amount in months:
            paid = issued.get(period, ZERO)
            if amount > paid:
                shown = f"${paid}" if paid > 0 else "nothing"
                error(
                    "periods",
                    f"{period:%B %Y}: the ledger shows {shown} of {program} issued to {client.full_name} and not "
                    f"already claimed; the overpayment for that month cannot be more.",
                )
            else:
                rows.append(PeriodAmount(period=period, paid=paid, due=paid - amount, amount=amount))
        if errors:
            raise ValidationError(errors)
        enrollment = Enrollment.objects.filter(case=case, program=program).order_by("-application_date", "-id").first()
        return establish(
            acting_user=acting_user,
            case=case,
            client=client,
            program=program,
            enrollment=enrollment,
            source=Overpayment.Source.INVESTIGATION,
            reason=reason,
            periods=rows,
            allegation=allegation.strip(),
            findings=findings.strip(),
            outcome=outcome.strip(),
            memo="Established after an investigation",
        )


def _months_and_amounts(periods: Sequence[tuple[date, Decimal | str]], error) -> list[tuple[date, Decimal]]:
    this_month = timezone.localdate().replace(day=1)
    months: list[tuple[date, Decimal]] = []
    seen: set[date] = set()
    for period, amount in periods:
        if not isinstance(period, date):
            error("periods", "Enter each month as a year and month, like 2026-03.")
            continue
        period = period.replace(day=1)
        label = f"{period:%B %Y}"
        if period > this_month:
            error("periods", f"{label} has not begun; an overpayment is for a month already paid.")
        if period in seen:
            error("periods", f"{label} is entered twice; enter each month once with its whole amount.")
        seen.add(period)
        try:
            months.append((period, money(amount)))
        except ValidationError as bad:
            error("periods", f"{label}: {bad.message_dict['amount'][0]}")
    if not periods:
        error("periods", "Enter at least one month and the amount overpaid in it.")
    return sorted(months)


def _unclaimed_by_month(*, client_id: int, program_id: int, periods: list[date]) -> dict[date, Decimal]:
    """Assistance issued per month, net of reversals and of overpayments already established for it."""
    rows = (
        LedgerEntry.objects.filter(
            client_id=client_id, program_id=program_id, account=Account.ISSUED, period__in=periods
        )
        .values("period")
        .annotate(total=Sum("amount"))
    )
    return {row["period"]: Decimal(row["total"]).quantize(CENT) for row in rows}


def overpayment_reason_change(*, acting_user: User, overpayment: Overpayment, reason: str, note: str) -> Overpayment:
    """Correct an overpayment's reason before its recovery starts.

    The reason sets how much may be taken from each benefit (more for an intentional
    violation), so it is fixed once anything has been recovered or agreed.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors change an overpayment.")
    if reason not in Overpayment.Reason.values:
        raise ValidationError({"reason": "Choose the reason for the overpayment."})
    if not note.strip():
        raise ValidationError({"note": "Say why the reason changes."})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        if overpayment.status != Status.ESTABLISHED or overpayment.balance != overpayment.amount:
            raise ValidationError("Recovery of this overpayment has started; its reason can no longer change.")
        if overpayment.recovery == Overpayment.Recovery.AGREEMENT:
            raise ValidationError("A repayment agreement was made on this reason; end it before changing the reason.")
        if reason == overpayment.reason:
            raise ValidationError({"reason": f"The reason is already {overpayment.get_reason_display().lower()}."})
        before = overpayment.reason
        overpayment.reason = reason
        overpayment.save(update_fields=["reason"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=overpayment,
            client_ids=case_client_ids(overpayment.case_id),
            changes={"reason": [before, reason]},
            reason=note.strip(),
        )
    return overpayment


def overpayment_write_off_request(*, acting_user: User, overpayment: Overpayment, reason: str) -> Overpayment:
    """Ask a supervisor to write off what is still owed; recovery pauses while the request waits."""
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors ask for a write-off.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the overpayment should be written off."})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        if overpayment.status not in Overpayment.OPEN:
            raise ValidationError(
                f"This overpayment is {overpayment.get_status_display().lower()}; there is nothing to write off."
            )
        overpayment.write_off_reason = reason.strip()
        overpayment.write_off_requested_by = acting_user
        overpayment.write_off_decided_by = None
        overpayment.write_off_decided_at = None
        overpayment.save(
            update_fields=["write_off_reason", "write_off_requested_by", "write_off_decided_by", "write_off_decided_at"]
        )
        move(overpayment, Status.WRITE_OFF_PENDING, acting_user, reason=reason.strip())
    return overpayment


def overpayment_write_off_decide(
    *, acting_user: User, overpayment: Overpayment, approve: bool, reason: str = ""
) -> Overpayment:
    """A supervisor other than the requester approves or refuses a write-off.

    Approval posts the balance from receivable to written off and leaves nothing owed (an
    active repayment agreement ends with it). Refusal puts the overpayment back where it was:
    established if nothing has been recovered, recovering otherwise.
    """
    if not access.may_supervise(acting_user):
        raise ValidationError("Only a supervisor decides a write-off.")
    if not approve and not reason.strip():
        raise ValidationError({"reason": "Say why the write-off is refused."})
    try:
        with transaction.atomic():
            overpayment = _locked(overpayment)
            if overpayment.status != Status.WRITE_OFF_PENDING:
                who = overpayment.write_off_decided_by
                by = f" by {who.get_full_name() or who}" if who else ""
                raise ValidationError(
                    f"This write-off was already decided{by}: the overpayment is "
                    f"{overpayment.get_status_display().lower()}."
                )
            if overpayment.write_off_requested_by_id == acting_user.pk:
                raise ValidationError("Nobody decides their own write-off request; another supervisor must decide it.")
            overpayment.write_off_decided_by = acting_user
            overpayment.write_off_decided_at = timezone.now()
            fields = ["write_off_decided_by", "write_off_decided_at"]
            if approve:
                written_off = overpayment.balance
                if written_off > 0:
                    _post_against_balance(
                        overpayment,
                        kind=LedgerTransaction.Kind.WRITE_OFF,
                        account=Account.WRITTEN_OFF,
                        amount=written_off,
                        period=timezone.localdate().replace(day=1),
                        acting_user=acting_user,
                        memo=f"Written off: {overpayment.write_off_reason}",
                    )
                overpayment.balance = ZERO
                fields.append("balance")
                overpayment.save(update_fields=fields)
                move(overpayment, Status.WRITTEN_OFF, acting_user, reason=reason.strip() or "Write-off approved")
                _agreement_close(overpayment, RepaymentAgreement.Status.ENDED, acting_user, reason="Written off")
            else:
                overpayment.save(update_fields=fields)
                back = Status.ESTABLISHED if overpayment.balance == overpayment.amount else Status.RECOVERING
                move(overpayment, back, acting_user, reason=f"Write-off refused: {reason.strip()}")
    except IntegrityError:
        # The database's own check that the requester does not decide (it should never come to this).
        raise ValidationError(
            "Nobody decides their own write-off request; another supervisor must decide it."
        ) from None
    return overpayment


def repayment_agreement_make(
    *, acting_user: User, overpayment: Overpayment, instalment: Decimal | str, first_due_on: date, note: str = ""
) -> RepaymentAgreement:
    """The household agrees to repay in monthly instalments: deductions from its benefit stop.

    One agreement is active at a time; the instalment is at most what is owed.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors record a repayment agreement.")
    errors: dict[str, str] = {}
    try:
        instalment = money(instalment, field="instalment")
    except ValidationError as bad:
        errors.update({"instalment": bad.message_dict["instalment"][0]})
    if not isinstance(first_due_on, date):
        errors["first_due_on"] = "Enter the date the first instalment is due."
    elif first_due_on > timezone.localdate() + timedelta(days=FIRST_DUE_WITHIN_DAYS):
        errors["first_due_on"] = "The first instalment must fall due within a year."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            overpayment = _locked(overpayment)
            if overpayment.status not in Overpayment.OPEN:
                raise ValidationError(
                    f"This overpayment is {overpayment.get_status_display().lower()}; "
                    "an agreement is for one still being recovered."
                )
            if overpayment.agreements.filter(status=RepaymentAgreement.Status.ACTIVE).exists():
                raise ValidationError("This overpayment already has an active repayment agreement; end it first.")
            if first_due_on < timezone.localtime(overpayment.established_at).date():
                raise ValidationError({"first_due_on": "The first instalment cannot fall due before the overpayment."})
            if instalment > overpayment.balance:
                raise ValidationError(
                    {"instalment": f"The instalment cannot be more than the ${overpayment.balance} still owed."}
                )
            agreement = RepaymentAgreement.objects.create(
                overpayment=overpayment,
                instalment=instalment,
                first_due_on=first_due_on,
                agreed_by=acting_user,
                note=note.strip(),
            )
            _set_recovery(overpayment, Overpayment.Recovery.AGREEMENT, acting_user, reason="Repayment agreement made")
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=agreement,
                client_ids=case_client_ids(overpayment.case_id),
                changes={
                    "overpayment": [None, overpayment.pk],
                    "instalment": [None, str(instalment)],
                    "first_due_on": [None, first_due_on.isoformat()],
                },
            )
    except IntegrityError:
        # Two agreements at once: the partial unique constraint keeps one active.
        raise ValidationError("This overpayment already has an active repayment agreement; end it first.") from None
    return agreement


def repayment_agreement_end(*, acting_user: User, overpayment: Overpayment, reason: str) -> RepaymentAgreement:
    """End the active agreement early (instalments missed, say): recovery goes back to deductions."""
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors end a repayment agreement.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement ends."})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        agreement = _agreement_close(overpayment, RepaymentAgreement.Status.ENDED, acting_user, reason=reason.strip())
        if agreement is None:
            raise ValidationError("This overpayment has no active repayment agreement.")
        _set_recovery(overpayment, Overpayment.Recovery.DEDUCTION, acting_user, reason=reason.strip())
    return agreement


def repayment_record(
    *, acting_user: User, overpayment: Overpayment, amount: Decimal | str, received_on: date
) -> Overpayment:
    """Record money the household paid back: payments +R, receivable -R, the balance lower by R.

    Never more than the balance. The overpayment is recovering, or recovered at zero (which
    completes an active agreement).
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors record a repayment.")
    errors: dict[str, str] = {}
    try:
        amount = money(amount)
    except ValidationError as bad:
        errors.update({"amount": bad.message_dict["amount"][0]})
    if not isinstance(received_on, date):
        errors["received_on"] = "Enter the date the repayment was received."
    elif received_on > timezone.localdate():
        errors["received_on"] = "A repayment cannot be received in the future."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        overpayment = _locked(overpayment)
        if overpayment.status == Status.WRITE_OFF_PENDING:
            raise ValidationError("A write-off of this overpayment waits for a supervisor; decide it first.")
        if overpayment.status not in Overpayment.OPEN:
            raise ValidationError(
                f"This overpayment is {overpayment.get_status_display().lower()}; nothing is owed on it."
            )
        if received_on < timezone.localtime(overpayment.established_at).date():
            raise ValidationError({"received_on": "A repayment cannot be received before the overpayment."})
        if amount > overpayment.balance:
            raise ValidationError(
                {"amount": f"The balance is ${overpayment.balance}; a repayment cannot be more than what is owed."}
            )
        _post_against_balance(
            overpayment,
            kind=LedgerTransaction.Kind.REPAYMENT,
            account=Account.PAYMENTS,
            amount=amount,
            period=received_on.replace(day=1),
            acting_user=acting_user,
            memo=f"Repayment received {received_on:%Y-%m-%d}",
        )
        recovery_applied(overpayment, amount, acting_user, reason=f"Repayment of ${amount} received")
    return overpayment


def recovery_applied(overpayment: Overpayment, amount: Decimal, acting_user: User, *, reason: str) -> None:
    """Lower the balance of a locked overpayment by what was just posted against its receivable.

    Inside the caller's transaction, after the posting. The overpayment moves to recovering, or
    to recovered at zero, which completes an active repayment agreement.
    """
    overpayment.balance -= amount
    overpayment.save(update_fields=["balance"])
    if overpayment.balance == 0:
        move(overpayment, Status.RECOVERED, acting_user, reason=reason)
        _agreement_close(overpayment, RepaymentAgreement.Status.COMPLETED, acting_user, reason="Repaid in full")
    elif overpayment.status == Status.ESTABLISHED:
        move(overpayment, Status.RECOVERING, acting_user, reason=reason)


def move(overpayment: Overpayment, to: str, user: User, *, reason: str = "") -> None:
    """Move a locked overpayment along `Overpayment.TRANSITIONS`, with its history row and audit event."""
    if to not in Overpayment.TRANSITIONS.get(overpayment.status, set()):
        raise ValidationError(
            f"An overpayment that is {overpayment.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}."
        )
    from_status = overpayment.status
    overpayment.status = to
    overpayment.save(update_fields=["status"])
    _log(overpayment, from_status, to, user, reason=reason)
    audit_record(
        actor=user,
        action=Action.UPDATE,
        target=overpayment,
        client_ids=case_client_ids(overpayment.case_id),
        changes={"status": [from_status, to]},
        reason=reason,
    )


def _post_against_balance(
    overpayment: Overpayment,
    *,
    kind: str,
    account: str,
    amount: Decimal,
    period: date,
    acting_user: User,
    memo: str,
) -> LedgerTransaction:
    common = {
        "case_id": overpayment.case_id,
        "client_id": overpayment.client_id,
        "program_id": overpayment.program_id,
        "period": period,
    }
    return ledger_post(
        kind=kind,
        lines=[
            Line(account=account, amount=amount, **common),
            Line(account=Account.RECEIVABLE, amount=-amount, overpayment_id=overpayment.pk, **common),
        ],
        posted_by=acting_user,
        overpayment=overpayment,
        memo=memo[:300],
    )


def _set_recovery(overpayment: Overpayment, recovery: str, acting_user: User, *, reason: str) -> None:
    before = overpayment.recovery
    if before == recovery:
        return
    overpayment.recovery = recovery
    overpayment.save(update_fields=["recovery"])
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        target=overpayment,
        client_ids=case_client_ids(overpayment.case_id),
        changes={"recovery": [before, recovery]},
        reason=reason,
    )


def _agreement_close(overpayment: Overpayment, to: str, acting_user: User, *, reason: str) -> RepaymentAgreement | None:
    """Close the overpayment's active agreement, if it has one."""
    agreement = (
        RepaymentAgreement.objects.select_for_update()
        .filter(overpayment=overpayment, status=RepaymentAgreement.Status.ACTIVE)
        .first()
    )
    if agreement is None:
        return None
    agreement.status = to
    agreement.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action=Action.UPDATE,
        target=agreement,
        client_ids=case_client_ids(overpayment.case_id),
        changes={"status": [RepaymentAgreement.Status.ACTIVE, to]},
        reason=reason,
    )
    return agreement


def _locked(overpayment: Overpayment) -> Overpayment:
    return Overpayment.objects.select_for_update().get(pk=overpayment.pk)


def _log(overpayment: Overpayment, from_status: str, to: str, user: User, *, reason: str = "") -> None:
    OverpaymentStatusChange.objects.create(
        overpayment=overpayment, from_status=from_status, to_status=to, changed_by=user, reason=reason
    )
