"""Recovering overpayments by deduction from a household's recurring benefit.

Each month the payment run withholds part of a recurring benefit for the household's open
overpayments of the same case and program (`Overpayment.OPEN`, recovered by deduction, a
balance left, no active repayment agreement), oldest first, up to a monthly cap set by
program parameters (stored as `eligibility.ParameterValue` rows, migration 0004):

- `recovery.percent` and `recovery.minimum`: claims other than an intentional program
  violation, the greater of the percentage of the benefit or the minimum;
- `recovery.intentional_percent` and `recovery.intentional_minimum`: intentional program
  violations.

For SNAP these are 10 % or $10 and 20 % or $20 (7 CFR 273.18(g)(1)). A deduction is never more
than the claim's balance nor, with all the household's claims together, more than the benefit.
With claims of both kinds the household's total is held to the highest cap among the claims
being recovered, and a claim never takes the total past its own cap (FNS policy memo 3-93-02,
"Collection of Multiple Claims via Allotment Reduction": never more in total than the IPV cap).

`deductions` is the rule, a pure function; `recovery_caps` and `open_claims` load what it needs
for a whole batch of enrollments in one query each; `recoveries_record` moves the balances and
statuses after the ledger has posted the deductions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from assistance.models import Overpayment, OverpaymentStatusChange, RepaymentAgreement
from core.status import status_check
from eligibility.models import ParameterValue
from eligibility.rules.parameters import (
    ParameterTable,
    Source,
    decode_value,
    values_in_force,
)
from eligibility.rules.parameters import (
    ParameterValue as RuleValue,
)
from eligibility.rules.result import RulesError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

PARAMETER_NAMES = (
    "recovery.percent",
    "recovery.minimum",
    "recovery.intentional_percent",
    "recovery.intentional_minimum",
)


@dataclass(frozen=True, slots=True)
class Caps:
    """A program's monthly recovery caps in force for one benefit month."""

    percent: Decimal
    minimum: Decimal
    intentional_percent: Decimal
    intentional_minimum: Decimal

    def cap(self, benefit: Decimal, *, intentional: bool) -> Decimal:
        """The most a month's benefit gives up for one kind of claim: the greater of the share or the minimum.

        The share is rounded down to the cent, so it never exceeds the percentage.
        """
        percent, minimum = (
            (self.intentional_percent, self.intentional_minimum) if intentional else (self.percent, self.minimum)
        )
        share = (benefit * percent / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)
        return max(share, minimum)


@dataclass(frozen=True, slots=True)
class Claim:
    """An open overpayment as the rule sees it."""

    overpayment_id: int
    balance: Decimal
    intentional: bool = False


def deductions(benefit: Decimal, claims: Sequence[Claim], caps: Caps | None) -> list[tuple[int, Decimal]]:
    """What to withhold from one month's `benefit` for each claim, oldest first: `(overpayment_id, amount)`.

    `claims` come in the order they are recovered (oldest first). Without caps in force
    nothing is withheld: the household is paid in full rather than by a guessed figure.
    """
    if caps is None or benefit <= 0:
        return []
    taken = ZERO
    result: list[tuple[int, Decimal]] = []
    for claim in claims:
        ceiling = min(caps.cap(benefit, intentional=claim.intentional), benefit)
        amount = min(claim.balance, ceiling - taken)
        if amount > 0:
            result.append((claim.overpayment_id, amount))
            taken += amount
    return result


def recovery_caps(*, program_ids: Iterable[int], period: date) -> dict[int, Caps | None]:
    """Each program's caps in force on `period` (the newest `effective_from` on or before it), in one query.

    A program with any of the four values missing, or not yet set, gets None.
    """
    program_ids = set(program_ids)
    rows: dict[int, list[RuleValue]] = {pk: [] for pk in program_ids}
    for row in ParameterValue.objects.filter(program_id__in=program_ids, name__in=PARAMETER_NAMES):
        rows[row.program_id].append(
            RuleValue(
                name=row.name,
                value=decode_value(row.value, row.name),
                effective_from=row.effective_from,
                source=Source(title=row.source_title, url=row.source_url),
            )
        )
    caps: dict[int, Caps | None] = {}
    for program_id, values in rows.items():
        try:
            used = values_in_force(ParameterTable(values), period, required=PARAMETER_NAMES)
            caps[program_id] = Caps(*(Decimal(used[name]) for name in PARAMETER_NAMES))
        except (RulesError, TypeError, ArithmeticError):
            caps[program_id] = None
    return caps


def open_claims(*, keys: Iterable[tuple[int, int]], lock: bool = False) -> dict[tuple[int, int], list[Overpayment]]:
    """The overpayments recovered by deduction from each `(case_id, program_id)`, oldest first, in one query.

    `lock`: take the rows' locks (the payment run, in the transaction that lowers the balances).
    """
    keys = set(keys)
    if not keys:
        return {}
    agreement = RepaymentAgreement.objects.filter(overpayment=OuterRef("pk"), status=RepaymentAgreement.Status.ACTIVE)
    query = (
        Overpayment.objects.filter(
            case_id__in={case_id for case_id, _ in keys},
            program_id__in={program_id for _, program_id in keys},
            status__in=Overpayment.OPEN,
            recovery=Overpayment.Recovery.DEDUCTION,
            balance__gt=0,
        )
        .exclude(Exists(agreement))
        .only("id", "case_id", "program_id", "client_id", "reason", "status", "balance", "amount")
        .order_by("established_at", "id")
    )
    if lock:
        query = query.select_for_update(of=("self",))
    found: dict[tuple[int, int], list[Overpayment]] = {}
    for overpayment in query:
        key = (overpayment.case_id, overpayment.program_id)
        if key in keys:
            found.setdefault(key, []).append(overpayment)
    return found


def as_claims(overpayments: Iterable[Overpayment]) -> list[Claim]:
    return [
        Claim(overpayment_id=o.pk, balance=o.balance, intentional=o.reason == Overpayment.Reason.INTENTIONAL)
        for o in overpayments
    ]


@dataclass(frozen=True, slots=True)
class Recorded:
    recovering: int  # overpayments that had something withheld
    recovered: int  # of which now fully repaid


def recoveries_record(
    *, overpayments: dict[int, Overpayment], amounts: dict[int, Decimal], acting_user: User, reason: str
) -> Recorded:
    """Lower each overpayment's balance by what was withheld, inside the transaction that posted it.

    The ledger's receivable entries were posted by the caller; here the balances follow them,
    and the status moves established -> recovering, and to recovered at zero, each move with
    its status-change row. `overpayments` are the locked rows by id.
    """
    changed: list[Overpayment] = []
    moves: list[OverpaymentStatusChange] = []
    now = timezone.now()
    recovered = 0
    Status = Overpayment.Status
    for overpayment_id, amount in amounts.items():
        overpayment = overpayments[overpayment_id]
        overpayment.balance -= amount
        to = Status.RECOVERED if overpayment.balance == 0 else Status.RECOVERING
        if to != overpayment.status:
            status_check(overpayment, to)  # the rows are locked by the caller; the history goes in bulk below
            moves.append(
                OverpaymentStatusChange(
                    overpayment=overpayment,
                    from_status=overpayment.status,
                    to_status=to,
                    reason=reason,
                    changed_by=acting_user,
                    changed_at=now,
                )
            )
            overpayment.status = to
        recovered += to == Status.RECOVERED
        changed.append(overpayment)
    if changed:
        Overpayment.objects.bulk_update(changed, ["balance", "status"])
    if moves:
        OverpaymentStatusChange.objects.bulk_create(moves)
    return Recorded(recovering=len(changed), recovered=recovered)
