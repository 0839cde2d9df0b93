"""Reads of the ledger: balances per client, a client's entries with running totals, monthly
totals per program and the budgets in force.

Every figure is a sum of `LedgerEntry` rows (debit positive, credit negative), so it agrees with
the ledger by construction. Each function costs a fixed number of queries, whatever the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import NOTHING, case_scope
from accounts.models import User
from assistance.models import Account, Budget, Issuance, LedgerEntry
from assistance.services.budgets import BudgetEffect
from eligibility.models import Program

ZERO = Decimal("0.00")
ACCOUNTS = [Account.ISSUED, Account.PAYMENTS, Account.RECEIVABLE, Account.WRITTEN_OFF]


def _sum(**lookups) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(**lookups)), ZERO)


def _by_account() -> dict[str, Coalesce]:
    """One sum per account, named after it."""
    return {account.value: _sum(account=account) for account in ACCOUNTS}


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# A client's balances --------------------------------------------------------------------------


@dataclass(frozen=True)
class Balances:
    """What the ledger says about one client. `paid` is what left the agency to payees, net of
    repayments; `owed` is what the client still owes on overpayments."""

    issued_month: Decimal = ZERO
    issued_year: Decimal = ZERO
    issued: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO
    written_off: Decimal = ZERO


def client_balances(*, client_ids: list[int], today: date | None = None) -> dict[int, Balances]:
    """Each client's balances across all their cases and programs, in one query.

    "This month" and "this year" are benefit periods: the month (or calendar year) the money is for.
    """
    if not client_ids:
        return {}
    month = (today or timezone.localdate()).replace(day=1)
    rows = (
        LedgerEntry.objects.filter(client_id__in=client_ids)
        .order_by()
        .values("client_id")
        .annotate(
            issued_month=_sum(account=Account.ISSUED, period=month),
            issued_year=_sum(account=Account.ISSUED, period__gte=month.replace(month=1), period__lte=month),
            issued=_sum(account=Account.ISSUED),
            payments=_sum(account=Account.PAYMENTS),
            owed=_sum(account=Account.RECEIVABLE),
            written_off=_sum(account=Account.WRITTEN_OFF),
        )
    )
    return {
        row["client_id"]: Balances(
            issued_month=row["issued_month"],
            issued_year=row["issued_year"],
            issued=row["issued"],
            paid=-row["payments"],
            owed=row["owed"],
            written_off=row["written_off"],
        )
        for row in rows
    }


# One client's ledger ---------------------------------------------------------------------------


@dataclass
class AccountTotals:
    """Sums per account (debit positive), with the reading a caseworker needs."""

    issued: Decimal = ZERO
    payments: Decimal = ZERO
    receivable: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return -self.payments

    def add(self, other: AccountTotals) -> AccountTotals:
        return AccountTotals(
            issued=self.issued + other.issued,
            payments=self.payments + other.payments,
            receivable=self.receivable + other.receivable,
            written_off=self.written_off + other.written_off,
        )

    @classmethod
    def of(cls, row: dict) -> AccountTotals:
        return cls(
            issued=row[Account.ISSUED.value],
            payments=row[Account.PAYMENTS.value],
            receivable=row[Account.RECEIVABLE.value],
            written_off=row[Account.WRITTEN_OFF.value],
        )


@dataclass
class ProgramBalance:
    program_id: int
    program_name: str
    totals: AccountTotals


@dataclass
class MonthRow:
    """One benefit month: what moved in it, and the running balances at its end."""

    period: date
    moved: AccountTotals
    running: AccountTotals


@dataclass
class ClientLedger:
    programs: list[ProgramBalance]
    total: AccountTotals
    months: list[MonthRow]
    program_choices: list[tuple[int, str]]
    month_choices: list[date]
    #: The filters in effect: those asked for, when the client has entries there.
    program_id: int | None = None
    month: date | None = None
    opening: AccountTotals = field(default_factory=AccountTotals)


def client_ledger(*, client_id: int, program_id: int | None = None, month: date | None = None) -> ClientLedger:
    """The balances per program, the months with running totals, and the choices to filter by.

    Four queries. With `month`, `opening` holds each account's balance before that month, so the
    running balances of its entries carry on from the months before.
    """
    entries = LedgerEntry.objects.filter(client_id=client_id).order_by()
    choices = list(entries.values_list("program_id", "program__name").distinct().order_by("program__name"))
    month_choices = list(entries.dates("period", "month", order="DESC"))
    if program_id not in {pid for pid, _name in choices}:
        program_id = None
    if month not in month_choices:
        month = None
    if program_id is not None:
        entries = entries.filter(program_id=program_id)
    programs = [
        ProgramBalance(row["program_id"], row["program__name"], AccountTotals.of(row))
        for row in entries.values("program_id", "program__name").annotate(**_by_account()).order_by("program__name")
    ]
    total = AccountTotals()
    for program in programs:
        total = total.add(program.totals)
    months: list[MonthRow] = []
    running = AccountTotals()
    opening = AccountTotals()
    for row in entries.values("period").annotate(**_by_account()).order_by("period"):
        moved = AccountTotals.of(row)
        if month is not None and row["period"] < month:
            opening = opening.add(moved)
        running = running.add(moved)
        months.append(MonthRow(period=row["period"], moved=moved, running=running))
    months.reverse()
    return ClientLedger(
        programs=programs,
        total=total,
        months=months,
        program_choices=choices,
        month_choices=month_choices,
        program_id=program_id,
        month=month,
        opening=opening,
    )


def client_ledger_entries(
    *, client_id: int, program_id: int | None = None, month: date | None = None
) -> QuerySet[LedgerEntry]:
    """The client's entries, oldest first, each with its account's running balance.

    The running balance is a window over the (program-filtered) entries; it is computed before
    the month filter and before a page is cut, so every row is right whatever page it is on.
    The caller adds `ClientLedger.opening` when a month is chosen.
    """
    entries = LedgerEntry.objects.filter(client_id=client_id)
    if program_id is not None:
        entries = entries.filter(program_id=program_id)
    if month is not None:
        entries = entries.filter(period=month)
    return (
        entries.select_related("program", "transaction__issuance", "transaction__overpayment", "case")
        .annotate(
            running=Window(
                Sum("amount"),
                partition_by=[F("account")],
                order_by=[F("period").asc(), F("posted_at").asc(), F("id").asc()],
            )
        )
        .order_by("period", "posted_at", "id")
    )


# Programs and budgets ---------------------------------------------------------------------------


def program_month_totals(
    *,
    user: User,
    agency_wide: bool,
    start: date,
    end: date,
    program_id: int | None = None,
    office_id: int | None = None,
) -> QuerySet:
    """Sums per benefit month, program and account, newest month first: one query per page.

    A supervisor's figures cover the cases they may see; an auditor's or an administrator's the
    whole agency (sums carry no client's details).
    """
    entries = LedgerEntry.objects.filter(period__gte=start, period__lte=end)
    if not agency_wide:
        scope = case_scope(user, prefix="case__")
        entries = entries.filter(scope) if scope is not NOTHING else entries.none()
    if program_id is not None:
        entries = entries.filter(program_id=program_id)
    if office_id is not None:
        entries = entries.filter(case__office_id=office_id)
    return (
        entries.order_by()
        .values("period", "program_id", "program__name")
        .annotate(**_by_account())
        .order_by("-period", "program__name", "program_id")
    )


@dataclass(frozen=True)
class BudgetFigures:
    """A program's budget in force and what the ledger and the approvals say of it."""

    budget: Budget
    issued: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.issued - self.committed

    @property
    def used_percent(self) -> int:
        if not self.budget.amount:
            return 100
        return round(100 * (self.issued + self.committed) / self.budget.amount)

    @property
    def warns(self) -> bool:
        return (self.issued + self.committed) * 100 > self.budget.amount * self.budget.warn_at_percent

    def effect(self, amount: Decimal) -> BudgetEffect:
        """What approving `amount` more does to this budget."""
        return BudgetEffect(budget=self.budget, issued=self.issued, committed=self.committed, amount=amount)


def budget_figures(*, program_ids: list[int] | None = None, on: date | None = None) -> dict[int, BudgetFigures]:
    """`budget_in_force` and `budget_totals` for many programs at once, in three queries.

    The same rule: the budget whose year covers `on` (the latest-starting, should two overlap);
    issued is the ledger's assistance account over the year's benefit months; committed is what
    is approved and not yet issued, requested within the year.
    """
    on = on or timezone.localdate()
    budgets_found = Budget.objects.filter(starts_on__lte=on, ends_on__gte=on).select_related("program")
    if program_ids is not None:
        budgets_found = budgets_found.filter(program_id__in=program_ids)
    budgets: dict[int, Budget] = {}
    for budget in budgets_found.order_by("program_id", "-starts_on", "-id"):
        budgets.setdefault(budget.program_id, budget)
    if not budgets:
        return {}
    issued_window = Q(pk__in=[])
    committed_window = Q(pk__in=[])
    for budget in budgets.values():
        issued_window |= Q(
            program_id=budget.program_id, period__gte=budget.starts_on.replace(day=1), period__lte=budget.ends_on
        )
        committed_window |= Q(
            program_id=budget.program_id,
            requested_at__date__gte=budget.starts_on,
            requested_at__date__lte=budget.ends_on,
        )
    issued = dict(
        LedgerEntry.objects.filter(issued_window, account=Account.ISSUED)
        .order_by()
        .values("program_id")
        .annotate(total=Sum("amount"))
        .values_list("program_id", "total")
    )
    committed = dict(
        Issuance.objects.filter(committed_window, status=Issuance.Status.APPROVED)
        .order_by()
        .values("program_id")
        .annotate(total=Sum("amount"))
        .values_list("program_id", "total")
    )
    return {
        program_id: BudgetFigures(
            budget=budget, issued=issued.get(program_id) or ZERO, committed=committed.get(program_id) or ZERO
        )
        for program_id, budget in budgets.items()
    }


def programs_with_entries() -> QuerySet[Program]:
    return Program.objects.filter(Q(is_active=True) | Q(ledger_entries__isnull=False)).distinct().order_by("name")
