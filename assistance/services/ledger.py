"""Posting to the ledger. Every posting is balanced here, and again by PostgreSQL at commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction as db_transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from assistance.models import Account, Issuance, LedgerEntry, LedgerTransaction, Overpayment
from audit.chain import LEDGER, chain_extend, ledger_content


@dataclass(frozen=True)
class Line:
    """One entry to post: an amount (debit positive) on an account, for a case's client and a program."""

    account: str
    amount: Decimal
    case_id: int
    client_id: int
    program_id: int
    period: date
    overpayment_id: int | None = None


def ledger_post(
    *,
    kind: str,
    lines: list[Line],
    posted_by: User,
    issuance: Issuance | None = None,
    overpayment: Overpayment | None = None,
    reverses: LedgerTransaction | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Post one balanced transaction inside the caller's database transaction."""
    return ledger_post_many(postings=[(kind, lines, issuance, overpayment, reverses, memo)], posted_by=posted_by)[0]


def ledger_post_many(*, postings: list[tuple], posted_by: User) -> list[LedgerTransaction]:
    """Post many transactions with two INSERTs (the payment run's path), at the end of the ledger's hash chain.

    Each posting is `(kind, lines, issuance, overpayment, reverses, memo)`. A posting whose
    lines do not sum to zero, or with a zero line, is refused before anything is written.
    """
    now = timezone.now()
    transactions: list[LedgerTransaction] = []
    entries: list[list[LedgerEntry]] = []
    for kind, lines, issuance, overpayment, reverses, memo in postings:
        check_balanced(lines, posting=f"A ledger posting ({LedgerTransaction.Kind(kind).label})")
        transaction = LedgerTransaction(
            kind=kind,
            issuance=issuance,
            overpayment=overpayment,
            reverses=reverses,
            memo=memo,
            posted_by=posted_by,
            posted_at=now,
        )
        transactions.append(transaction)
        entries.append(
            [
                LedgerEntry(
                    transaction=transaction,
                    account=line.account,
                    amount=line.amount,
                    case_id=line.case_id,
                    client_id=line.client_id,
                    program_id=line.program_id,
                    period=line.period,
                    overpayment_id=line.overpayment_id,
                    posted_at=now,
                )
                for line in lines
            ]
        )
    # The chain's head, the transactions and their entries commit together (no savepoint: no query).
    with db_transaction.atomic(savepoint=False):
        ledger_chain(transactions, entries)
        transactions = LedgerTransaction.objects.bulk_create(transactions)
        LedgerEntry.objects.bulk_create([entry for lines in entries for entry in lines])
    return transactions


def check_balanced(lines: list[Line], *, posting: str) -> None:
    """Refuse a posting with fewer than two lines, a zero line, or lines that do not sum to zero.

    `posting` names it in the message ("A reversal posting", "The issue posting of P-000123").
    The database checks the balance again at commit; this check tells the user before anything is written.
    """
    if len(lines) < 2 or any(line.amount == 0 for line in lines):
        raise ValidationError(f"{posting} needs two or more non-zero lines.")
    total = sum(line.amount for line in lines)
    if total != 0:
        raise ValidationError(f"{posting} must balance: its lines sum to {total}.")


def ledger_chain(transactions: list, entries: list[list]) -> None:
    """Give new ledger transactions (or look-alikes) their place and hash in the ledger's chain, before insert."""
    placed = chain_extend(LEDGER, [ledger_content(t, lines) for t, lines in zip(transactions, entries, strict=True)])
    for transaction, (seq, hash_) in zip(transactions, placed, strict=True):
        transaction.seq, transaction.hash = seq, hash_


def issue_lines(issuance: Issuance, *, recoveries: list[tuple[int, Decimal]] = ()) -> list[Line]:
    """The lines of an issue: the assistance granted, paid to the payee less what recovers overpayments.

    `recoveries` are `(overpayment_id, amount)` pairs that add up to `issuance.recovered`.
    """
    period = issuance.period or timezone.localdate().replace(day=1)
    common = {
        "case_id": issuance.case_id,
        "client_id": issuance.client_id,
        "program_id": issuance.program_id,
        "period": period,
    }
    lines = [Line(account=Account.ISSUED, amount=issuance.amount, **common)]
    paid = issuance.amount - issuance.recovered
    if paid:
        lines.append(Line(account=Account.PAYMENTS, amount=-paid, **common))
    lines.extend(
        Line(account=Account.RECEIVABLE, amount=-amount, overpayment_id=overpayment_id, **common)
        for overpayment_id, amount in recoveries
        if amount
    )
    return lines


def reversal_lines(transaction: LedgerTransaction) -> list[Line]:
    """The opposite of every entry of a transaction."""
    return [
        Line(
            account=entry.account,
            amount=-entry.amount,
            case_id=entry.case_id,
            client_id=entry.client_id,
            program_id=entry.program_id,
            period=entry.period,
            overpayment_id=entry.overpayment_id,
        )
        for entry in transaction.entries.order_by("id")
    ]


def client_transfer_lines(*, from_client_id: int, to_client_id: int) -> list[Line]:
    """The lines that take every balance off one client's accounts and put it on another's.

    Balances are kept per account, case, program, benefit month and overpayment, so every
    figure read by any of these (an overpayment's balance, a month's totals) is the same after
    the transfer, only under the other client.
    """
    rows = (
        LedgerEntry.objects.filter(client_id=from_client_id)
        .order_by()
        .values("account", "case_id", "program_id", "period", "overpayment_id")
        .annotate(total=Sum("amount"))
        .order_by("period", "program_id", "case_id", "account", "overpayment_id")
    )
    lines: list[Line] = []
    for row in rows:
        if not row["total"]:
            continue
        common = {
            "account": row["account"],
            "case_id": row["case_id"],
            "program_id": row["program_id"],
            "period": row["period"],
            "overpayment_id": row["overpayment_id"],
        }
        lines.append(Line(amount=-row["total"], client_id=from_client_id, **common))
        lines.append(Line(amount=row["total"], client_id=to_client_id, **common))
    return lines


def ledger_transfer_client(
    *, from_client_id: int, to_client_id: int, posted_by: User, memo: str
) -> LedgerTransaction | None:
    """Move one client's balances to another by one balanced transfer; None when nothing is left to move.

    Entries are never rewritten: the first client's entries stay, netted to zero by the transfer.
    """
    lines = client_transfer_lines(from_client_id=from_client_id, to_client_id=to_client_id)
    if not lines:
        return None
    return ledger_post(kind=LedgerTransaction.Kind.TRANSFER, lines=lines, posted_by=posted_by, memo=memo)
