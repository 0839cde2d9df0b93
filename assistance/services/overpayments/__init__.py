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

from assistance.services.overpayments.common import PeriodAmount, establish, move, recovery_applied
from assistance.services.overpayments.establishment import overpayment_establish, overpayment_reason_change
from assistance.services.overpayments.repayments import (
    FIRST_DUE_WITHIN_DAYS,
    repayment_agreement_end,
    repayment_agreement_make,
    repayment_record,
)
from assistance.services.overpayments.write_offs import overpayment_write_off_decide, overpayment_write_off_request

__all__ = [
    "FIRST_DUE_WITHIN_DAYS",
    "PeriodAmount",
    "establish",
    "move",
    "overpayment_establish",
    "overpayment_reason_change",
    "overpayment_write_off_decide",
    "overpayment_write_off_request",
    "recovery_applied",
    "repayment_agreement_end",
    "repayment_agreement_make",
    "repayment_record",
]
