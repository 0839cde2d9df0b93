"""The verbs of assistance: issuances, the ledger, the payment run, overpayments and budgets."""

from assistance.services.budgets import budget_effect, budget_in_force, budget_totals
from assistance.services.decisions import Decided, Decision, issuances_decide
from assistance.services.issuances import (
    IssuanceRequest,
    enrolled_programs,
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reject,
    issuance_request,
    issuance_reverse,
    positive_amount,
)
from assistance.services.ledger import Line, ledger_post, ledger_post_many
from assistance.services.limits import authority_for, limits_exceeded

__all__ = [
    "Decided",
    "Decision",
    "IssuanceRequest",
    "Line",
    "authority_for",
    "budget_effect",
    "budget_in_force",
    "budget_totals",
    "enrolled_programs",
    "issuance_approve",
    "issuance_cancel",
    "issuance_issue",
    "issuance_reject",
    "issuance_request",
    "issuance_reverse",
    "issuances_decide",
    "ledger_post",
    "ledger_post_many",
    "limits_exceeded",
    "positive_amount",
]
