"""What the overpayment verbs share, each working inside its caller's transaction.

`establish` creates an overpayment (after an investigation, or when a redetermination is
settled), `recovery_applied` lowers a balance after a posting against it, and `move` takes an
overpayment along its transitions; with them, the posting against a balance and the closing
of an active repayment agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import User
from assistance.models import (
    Account,
    LedgerTransaction,
    Overpayment,
    OverpaymentPeriod,
    RepaymentAgreement,
)
from assistance.services.ledger import Line, ledger_post
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case
from casework.services.cases import case_client_ids
from clients.models import Client
from core.status import status_begin, status_move
from eligibility.models import Determination, Enrollment, Program

Action = AuditEvent.Action
Status = Overpayment.Status
ZERO = Decimal("0.00")


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
    status_begin(overpayment, acting_user=acting_user, reason=memo)
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
    """Move an overpayment along `Overpayment.TRANSITIONS` (`core.status.status_move`)."""
    status_move(overpayment, to=to, acting_user=user, client_ids=case_client_ids(overpayment.case_id), reason=reason)


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
