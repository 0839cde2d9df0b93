"""A program's budget for the fiscal year: what is issued, what is committed, what is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from assistance.models import Account, Budget, Issuance, LedgerEntry
from core.money import format_money


@dataclass(frozen=True)
class BudgetEffect:
    budget: Budget
    issued: Decimal
    committed: Decimal
    amount: Decimal

    @property
    def after(self) -> Decimal:
        return self.issued + self.committed + self.amount

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.issued - self.committed

    @property
    def exceeds(self) -> bool:
        return self.after > self.budget.amount

    @property
    def warns(self) -> bool:
        return self.after * 100 > self.budget.amount * self.budget.warn_at_percent

    @property
    def message(self) -> str:
        if self.exceeds:
            return (
                f"Approving {format_money(self.amount)} takes {self.budget} past its budget of "
                f"{format_money(self.budget.amount)} "
                f"({format_money(self.remaining)} left after what is issued and committed)."
            )
        if self.warns:
            left = format_money(self.remaining - self.amount)
            return f"After this, {self.budget} has {left} left of {format_money(self.budget.amount)}."
        return ""


def budget_in_force(*, program_id: int, on: date | None = None, lock: bool = False) -> Budget | None:
    """The program's budget whose year holds `on`; with `lock`, its row is locked for the transaction."""
    on = on or timezone.localdate()
    rows = Budget.objects.filter(program_id=program_id, starts_on__lte=on, ends_on__gte=on)
    return (rows.select_for_update() if lock else rows).first()


def budget_totals(budget: Budget) -> tuple[Decimal, Decimal]:
    """Issued (the ledger's assistance account over the year) and committed (approved, not yet issued)."""
    issued = LedgerEntry.objects.filter(
        program_id=budget.program_id,
        account=Account.ISSUED,
        period__gte=budget.starts_on.replace(day=1),
        period__lte=budget.ends_on,
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    committed = Issuance.objects.filter(
        program_id=budget.program_id,
        status=Issuance.Status.APPROVED,
        requested_at__date__gte=budget.starts_on,
        requested_at__date__lte=budget.ends_on,
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return issued, committed


def budget_effect(
    *, program_id: int, amount: Decimal, on: date | None = None, lock: bool = False
) -> BudgetEffect | None:
    """What approving `amount` does to the program's budget in force; None when it has no budget."""
    budget = budget_in_force(program_id=program_id, on=on, lock=lock)
    if budget is None:
        return None
    issued, committed = budget_totals(budget)
    return BudgetEffect(budget=budget, issued=issued, committed=committed, amount=amount)
