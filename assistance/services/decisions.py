"""Deciding several waiting requests at once, from the supervisors' approval queue.

Each request goes through `issuance_approve` or `issuance_reject`, so each is checked (the
approver's authority, the budget, who asked) and audited exactly as when it is decided alone.
Their atomic blocks nest in the caller's transaction (the page's, core.middleware), where each
is a savepoint: one that cannot be decided is rolled back to its savepoint and reported, and the
others proceed and commit together with the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError

from accounts.models import User
from assistance.models import Issuance
from assistance.services.issuances import issuance_approve, issuance_reject, issuance_reject_check_reason


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass
class Refusal:
    issuance: Issuance
    message: str


@dataclass
class Decided:
    """What became of a bulk decision: the requests decided, and those refused with the reason."""

    decision: Decision
    done: list[Issuance] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def issuances_decide(
    *,
    acting_user: User,
    issuances: Iterable[Issuance],
    decision: Decision,
    reason: str = "",
    budget_acknowledged: bool = False,
) -> Decided:
    """Approve or reject each of `issuances` with the same reason, oldest request first.

    A refusal that concerns the input itself (a rejection without a reason) applies to every
    request: it is raised before anything is decided.
    """
    if decision == Decision.REJECT:
        issuance_reject_check_reason(reason)
    outcome = Decided(decision=decision)
    for issuance in sorted(issuances, key=lambda i: (i.requested_at, i.pk)):
        try:
            if decision == Decision.APPROVE:
                decided = issuance_approve(
                    acting_user=acting_user, issuance=issuance, reason=reason, budget_acknowledged=budget_acknowledged
                )
            else:
                decided = issuance_reject(acting_user=acting_user, issuance=issuance, reason=reason)
        except ValidationError as error:
            outcome.refused.append(Refusal(issuance, " ".join(error.messages)))
        else:
            outcome.done.append(decided)
    return outcome
