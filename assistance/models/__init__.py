"""Issuances of money and goods, the limits of each user's authority, the ledger behind every
payment, the monthly payment run, overpayments and their recovery, and program budgets."""

from assistance.models.budgets import Budget
from assistance.models.issuances import Issuance, IssuanceStatusChange, IssuedError
from assistance.models.ledger import Account, LedgerEntry, LedgerTransaction
from assistance.models.limits import AuthorityLimit
from assistance.models.overpayments import (
    Overpayment,
    OverpaymentPeriod,
    OverpaymentStatusChange,
    RedeterminationSettlement,
    RepaymentAgreement,
)
from assistance.models.runs import PaymentRun

__all__ = [
    "Account",
    "AuthorityLimit",
    "Budget",
    "Issuance",
    "IssuanceStatusChange",
    "IssuedError",
    "LedgerEntry",
    "LedgerTransaction",
    "Overpayment",
    "OverpaymentPeriod",
    "OverpaymentStatusChange",
    "PaymentRun",
    "RedeterminationSettlement",
    "RepaymentAgreement",
]
