"""Repayment agreements and the repayments a household makes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import Account, LedgerTransaction, Overpayment, RepaymentAgreement
from assistance.services.issuances import positive_amount
from assistance.services.overpayments.common import (
    Action,
    Status,
    _agreement_close,
    _locked,
    _post_against_balance,
    recovery_applied,
)
from audit.services import audit_record
from casework.services.cases import case_client_ids
from core.money import format_money

#: How far ahead a repayment agreement's first instalment may fall.
FIRST_DUE_WITHIN_DAYS = 366


def repayment_agreement_make(
    *, acting_user: User, overpayment: Overpayment, instalment: Decimal | str, first_due_on: date, note: str = ""
) -> RepaymentAgreement:
    """The household agrees to repay in monthly instalments: deductions from its benefit stop.

    One agreement is active at a time; the instalment is at most what is owed.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors record a repayment agreement."))
    errors: dict[str, str] = {}
    try:
        instalment = positive_amount(instalment, field="instalment")
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
                    _("This overpayment is %(lower)s; an agreement is for one still being recovered.")
                    % {"lower": overpayment.get_status_display().lower()}
                )
            if overpayment.agreements.filter(status=RepaymentAgreement.Status.ACTIVE).exists():
                raise ValidationError(_("This overpayment already has an active repayment agreement; end it first."))
            if first_due_on < timezone.localtime(overpayment.established_at).date():
                raise ValidationError(
                    {"first_due_on": _("The first instalment cannot fall due before the overpayment.")}
                )
            if instalment > overpayment.balance:
                raise ValidationError(
                    {
                        "instalment": _("The instalment cannot be more than the %(value)s still owed.")
                        % {"value": format_money(overpayment.balance)}
                    }
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
        raise ValidationError(_("This overpayment already has an active repayment agreement; end it first.")) from None
    return agreement


def repayment_agreement_end(*, acting_user: User, overpayment: Overpayment, reason: str) -> RepaymentAgreement:
    """End the active agreement early (instalments missed, say): recovery goes back to deductions."""
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors end a repayment agreement."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the agreement ends.")})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        agreement = _agreement_close(overpayment, RepaymentAgreement.Status.ENDED, acting_user, reason=reason.strip())
        if agreement is None:
            raise ValidationError(_("This overpayment has no active repayment agreement."))
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
        raise ValidationError(_("Only caseworkers and supervisors record a repayment."))
    errors: dict[str, str] = {}
    try:
        amount = positive_amount(amount)
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
            raise ValidationError(_("A write-off of this overpayment waits for a supervisor; decide it first."))
        if overpayment.status not in Overpayment.OPEN:
            raise ValidationError(
                _("This overpayment is %(lower)s; nothing is owed on it.")
                % {"lower": overpayment.get_status_display().lower()}
            )
        if received_on < timezone.localtime(overpayment.established_at).date():
            raise ValidationError({"received_on": _("A repayment cannot be received before the overpayment.")})
        if amount > overpayment.balance:
            raise ValidationError(
                {
                    "amount": _("The balance is %(value)s; a repayment cannot be more than what is owed.")
                    % {"value": format_money(overpayment.balance)}
                }
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
        recovery_applied(overpayment, amount, acting_user, reason=f"Repayment of {format_money(amount)} received")
    return overpayment


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
