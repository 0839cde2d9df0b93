"""Writing an overpayment off: a caseworker asks, another supervisor decides."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import Account, LedgerTransaction, Overpayment, RepaymentAgreement
from assistance.services.overpayments.common import (
    ZERO,
    Status,
    _agreement_close,
    _locked,
    _post_against_balance,
    move,
)

OWN_WRITE_OFF = _("Nobody decides their own write-off request; another supervisor must decide it.")


def overpayment_write_off_request(*, acting_user: User, overpayment: Overpayment, reason: str) -> Overpayment:
    """Ask a supervisor to write off what is still owed; recovery pauses while the request waits."""
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors ask for a write-off."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the overpayment should be written off.")})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        if overpayment.status not in Overpayment.OPEN:
            raise ValidationError(
                _("This overpayment is %(lower)s; there is nothing to write off.")
                % {"lower": overpayment.get_status_display().lower()}
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
        raise ValidationError(_("Only a supervisor decides a write-off."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the write-off is refused.")})
    try:
        with transaction.atomic():
            overpayment = _locked(overpayment)
            if overpayment.status != Status.WRITE_OFF_PENDING:
                who = overpayment.write_off_decided_by
                by = f" by {who.get_full_name() or who}" if who else ""
                raise ValidationError(
                    _("This write-off was already decided%(by)s: the overpayment is %(lower)s.")
                    % {"by": by, "lower": overpayment.get_status_display().lower()}
                )
            access.decider_check(acting_user, asked_by_id=overpayment.write_off_requested_by_id, refusal=OWN_WRITE_OFF)
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
        raise ValidationError(OWN_WRITE_OFF) from None
    return overpayment
