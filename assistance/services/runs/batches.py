"""Paying a batch of the run: its recurring issuances, less recovery deductions, in one transaction.

Speed: on PostgreSQL a batch writes its rows with COPY (`_write_copy`), a few statements per
batch and no model instance per row; the ledger lines are still `issue_lines`, checked as
`ledger_post_many` checks them, and the database checks the balance again at commit. On
SQLite (developers' machines) the same rows go through `bulk_create` and `ledger_post_many`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from assistance.models import (
    Issuance,
    IssuanceStatusChange,
    LedgerEntry,
    LedgerTransaction,
    PaymentRun,
)
from assistance.selectors.runs import payable
from assistance.services.ledger import check_balanced, issue_lines, ledger_chain, ledger_post_many
from assistance.services.recovery import as_claims, deductions, open_claims, recoveries_record, recovery_caps
from assistance.services.runs.common import ZERO, Action, Kind, idempotency_key, reference, run_reason
from audit.models import AuditEvent, AuditEventClient
from audit.services import audit_record
from core.status import status_begin_many
from core.users import job_user
from eligibility.models import Determination, Enrollment
from eligibility.selectors import amounts_in_force

RETRIES = 10  # each failed try means another writer committed, so the next one sees more paid


@dataclass
class BatchResult:
    """What one batch did: issued now, found already paid, no longer payable, and the recoveries."""

    issued: int = 0
    already_paid: int = 0
    not_payable: int = 0
    recovering: int = 0
    recovered: int = 0
    gross: Decimal = ZERO
    withheld: Decimal = ZERO


def payment_run_batch(
    *, run: PaymentRun | int, enrollment_ids: Sequence[int], acting_user: User | None = None
) -> BatchResult:
    """Pay these enrollments their recurring benefit for the run's month, those not yet paid, in one transaction.

    Each gets an issued recurring issuance of its monthly amount, less the recovery deductions
    for the household's open overpayments (`assistance.services.recovery`), posted to the
    ledger with the receivable lines that lower each overpayment's balance. One audit event
    names every client paid.
    """
    acting_user = acting_user or job_user()
    run_id = run.pk if isinstance(run, PaymentRun) else int(run)
    ids = sorted(set(enrollment_ids))
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return _batch(run_id, ids, acting_user)
        except IntegrityError:
            # Another writer paid one of these enrollments after our read: start the batch again.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _lock_run_shared(run_id: int) -> tuple[date, str] | None:
    """The run's month and status, its row held in share mode until the batch commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT period, status FROM {PaymentRun._meta.db_table} WHERE id = %s FOR SHARE",
                [run_id],
            )
            return cursor.fetchone()
    return PaymentRun.objects.filter(pk=run_id).values_list("period", "status").first()


ENROLLMENT_FIELDS = (
    "pk",
    "monthly_amount",
    "case_id",
    "program_id",
    "case__primary_client_id",
    "case__primary_client__first_name",
    "case__primary_client__middle_name",
    "case__primary_client__last_name",
    "case__primary_client__preferred_name",
)


@dataclass(slots=True)
class _Payment:
    """One recurring benefit to write; the attributes `issue_lines` reads are named as on an Issuance."""

    enrollment_id: int
    case_id: int
    client_id: int
    program_id: int
    determination_id: int | None
    period: date
    amount: Decimal
    recovered: Decimal
    payee_name: str
    withheld: list[tuple[int, Decimal]]

    @property
    def reference(self) -> str:
        return reference(self.enrollment_id, self.period)


def display_name(first: str, middle: str, last: str, preferred: str) -> str:
    """`Client.display_name` from the name columns alone (the run reads no client rows as models)."""
    full = " ".join(part for part in (first, middle, last) if part)
    return f"{full} ({preferred})" if preferred and preferred != first else full


def _batch(run_id: int, ids: list[int], acting_user: User) -> BatchResult:
    result = BatchResult()
    locked = _lock_run_shared(run_id)
    if locked is None or locked[1] != PaymentRun.Status.RUNNING:
        return result
    period = locked[0]
    rows = list(
        Enrollment.objects.filter(pk__in=ids).filter(payable(period)).order_by("pk").values_list(*ENROLLMENT_FIELDS)
    )
    result.not_payable = len(ids) - len(rows)
    paid = set(
        Issuance.objects.filter(
            kind=Kind.RECURRING, period=period, enrollment_id__in=[row[0] for row in rows]
        ).values_list("enrollment_id", flat=True)
    )
    rows = [row for row in rows if row[0] not in paid]
    result.already_paid = len(paid)
    if not rows:
        return result
    decided: dict[int, int] = dict(
        Determination.objects.filter(enrollment_id__in=[row[0] for row in rows], status=Determination.Status.APPROVED)
        .order_by("enrollment_id", "finalised_at", "id")
        .values_list("enrollment_id", "id")
    )  # the last of each enrollment's rows wins: its latest approved determination
    # An adverse action still under notice, or appealed with benefits continued, keeps the prior amount.
    held = amounts_in_force(enrollment_ids=[row[0] for row in rows], period=period)
    claims = open_claims(keys={(row[2], row[3]) for row in rows}, lock=True)
    caps = recovery_caps(program_ids={key[1] for key in claims}, period=period) if claims else {}

    payments: list[_Payment] = []
    for enrollment_id, amount, case_id, program_id, client_id, first, middle, last, preferred in rows:
        amount = held.get(enrollment_id, amount)
        mine = claims.get((case_id, program_id))
        withheld = deductions(amount, as_claims(mine), caps.get(program_id)) if mine else []
        recovered = sum((part for _, part in withheld), ZERO)
        payments.append(
            _Payment(
                enrollment_id=enrollment_id,
                case_id=case_id,
                client_id=client_id,
                program_id=program_id,
                determination_id=decided.get(enrollment_id),
                period=period,
                amount=amount,
                recovered=recovered,
                payee_name=display_name(first, middle, last, preferred)[:200],
                withheld=withheld,
            )
        )
        result.gross += amount
        result.withheld += recovered
    reason = run_reason(period)
    writer = _write_copy if connection.vendor == "postgresql" else _write_orm
    event_clients = writer(payments, run_id=run_id, acting_user=acting_user, reason=reason)

    amounts: dict[int, Decimal] = {}
    for payment in payments:
        for overpayment_id, part in payment.withheld:
            amounts[overpayment_id] = amounts.get(overpayment_id, ZERO) + part
    overpayments = {o.pk: o for found in claims.values() for o in found}
    recorded = recoveries_record(
        overpayments=overpayments, amounts=amounts, acting_user=acting_user, reason=f"Recovered by {reason.lower()}"
    )
    result.issued = len(payments)
    result.recovering, result.recovered = recorded.recovering, recorded.recovered
    client_ids = {payment.client_id for payment in payments} | {overpayments[pk].client_id for pk in amounts}
    audit_record(
        actor=acting_user,
        action=Action.CREATE,
        object_type=PaymentRun._meta.label_lower,
        object_id=run_id,
        object_repr=f"Payment run {period:%Y-%m}: {len(payments)} recurring benefits issued",
        client_ids=client_ids,
        write_clients=event_clients,
        changes={
            "issued": [None, len(payments)],
            "references": [None, [payments[0].reference, payments[-1].reference]],
            "gross": [None, str(result.gross)],
            "recovered": [None, str(result.withheld)],
            "deductions": [
                None,
                [
                    [pk, str(amounts[pk]), str(overpayments[pk].balance), overpayments[pk].status]
                    for pk in sorted(amounts)
                ],
            ],
        },
        reason=reason,
    )
    return result


def _fingerprint(payment: _Payment) -> str:
    details = (
        f"{payment.enrollment_id}|{payment.period:%Y-%m}|{payment.amount}|{payment.case_id}|{payment.client_id}|"
        f"{payment.program_id}|{payment.payee_name}|direct_deposit"
    )
    return hashlib.sha256(details.encode()).hexdigest()


def _postings(payments: list[_Payment]) -> list[list]:
    """Each payment's ledger lines (`issue_lines`), checked by `check_balanced` as `ledger_post_many` checks them."""
    postings = []
    for payment in payments:
        lines = issue_lines(payment, recoveries=payment.withheld)
        check_balanced(lines, posting=f"The issue posting of {payment.reference}")
        postings.append(lines)
    return postings


def _write_orm(payments: list[_Payment], *, run_id: int, acting_user: User, reason: str) -> None:
    """Write the batch through the ORM (`bulk_create`, `ledger_post_many`): SQLite, on developers' machines."""
    now = timezone.now()
    issuances = Issuance.objects.bulk_create(
        Issuance(
            case_id=p.case_id,
            client_id=p.client_id,
            program_id=p.program_id,
            enrollment_id=p.enrollment_id,
            determination_id=p.determination_id,
            kind=Kind.RECURRING,
            status=Issuance.Status.ISSUED,
            period=p.period,
            amount=p.amount,
            recovered=p.recovered,
            payee_kind=Issuance.PayeeKind.CLIENT,
            payee_name=p.payee_name,
            method=Issuance.Method.DIRECT_DEPOSIT,
            reference=p.reference,
            idempotency_key=idempotency_key(p.enrollment_id, p.period),
            fingerprint=_fingerprint(p),
            payment_run_id=run_id,
            requested_by=acting_user,
            requested_at=now,
            issued_by=acting_user,
            issued_at=now,
        )
        for p in payments
    )
    status_begin_many(issuances, acting_user=acting_user, reason=reason, at=now)
    ledger_post_many(
        postings=[
            (LedgerTransaction.Kind.ISSUE, lines, issuance, None, None, reason)
            for issuance, lines in zip(issuances, _postings(payments), strict=True)
        ],
        posted_by=acting_user,
    )


def _write_copy(payments: list[_Payment], *, run_id: int, acting_user: User, reason: str):
    """Write the batch with COPY on PostgreSQL: the same rows as `_write_orm`, without a model instance per row.

    Ids come from the tables' sequences first, so the issuances, their status rows, their ledger
    transactions and the transactions' entries can point at one another. The ledger lines are
    `issue_lines`, checked here as `ledger_post_many` checks them and again by the database's
    balance trigger at commit. Returns the writer of the audit event's subjects (also by COPY).
    """
    postings = _postings(payments)
    moment = timezone.now()
    now = moment.isoformat()
    user = acting_user.pk
    memo = _text(reason[:300])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        issuance_ids = _reserve(raw, Issuance, len(payments))
        change_ids = _reserve(raw, IssuanceStatusChange, len(payments))
        transaction_ids = _reserve(raw, LedgerTransaction, len(payments))
        entry_ids = iter(_reserve(raw, LedgerEntry, sum(len(lines) for lines in postings)))
        issuances, changes, entries = [], [], []
        for issuance_id, change_id, transaction_id, p, lines in zip(
            issuance_ids, change_ids, transaction_ids, payments, postings, strict=True
        ):
            issuances.append(
                f"{issuance_id}\t{p.case_id}\t{p.client_id}\t{p.program_id}\t{p.enrollment_id}\t"
                f"{_null(p.determination_id)}\trecurring\tissued\t{p.period}\t{p.amount}\t{p.recovered}\t\t"
                f"client\t{_text(p.payee_name)}\t\tdirect_deposit\t{p.reference}\t"
                f"{idempotency_key(p.enrollment_id, p.period)}\t{_fingerprint(p)}\t[]\t{run_id}\t{user}\t{now}\t\t"
                f"{user}\t{now}\n"
            )
            changes.append(f"{change_id}\t{issuance_id}\t\tissued\t{memo}\t{user}\t{now}\n")
            entries.extend(
                f"{next(entry_ids)}\t{transaction_id}\t{line.account}\t{line.amount}\t{line.case_id}\t"
                f"{line.client_id}\t{line.program_id}\t{line.period}\t{_null(line.overpayment_id)}\t{now}\n"
                for line in lines
            )
        _copy(raw, Issuance, ISSUANCE_COLUMNS, issuances)
        _copy(raw, IssuanceStatusChange, CHANGE_COLUMNS, changes)
        # The ledger's chain last: from here to commit every audited write in the agency waits on its head.
        placed = _chain(issuance_ids, postings, user=user, memo=reason[:300], posted_at=moment)
        transactions = [
            f"{transaction_id}\tissue\t{issuance_id}\t{memo}\t{user}\t{now}\t{seq}\t{chained}\n"
            for transaction_id, issuance_id, (seq, chained) in zip(transaction_ids, issuance_ids, placed, strict=True)
        ]
        _copy(raw, LedgerTransaction, TRANSACTION_COLUMNS, transactions)
        _copy(raw, LedgerEntry, ENTRY_COLUMNS, entries)

    def subjects(event: AuditEvent, ordered: list[int]) -> None:
        with connection.cursor() as cursor, connection.wrap_database_errors:
            raw = cursor.cursor
            ids = _reserve(raw, AuditEventClient, len(ordered))
            _copy(
                raw,
                AuditEventClient,
                ("id", "event_id", "client_id"),
                [f"{pk}\t{event.pk}\t{client_id}\n" for pk, client_id in zip(ids, ordered, strict=True)],
            )

    return subjects


@dataclass(slots=True)
class _Posting:
    """The attributes of a ledger transaction and its entries that the chain's hash covers."""

    kind: str
    issuance_id: int | None
    overpayment_id: int | None
    reverses_id: int | None
    memo: str
    posted_by_id: int
    posted_at: datetime
    seq: int | None = None
    hash: str = ""


def _chain(issuance_ids: list[int], postings: list[list], *, user: int, memo: str, posted_at: datetime) -> list:
    """Each issue posting's place and hash in the ledger's chain, as `ledger_post_many` gives them."""
    transactions = [
        _Posting(LedgerTransaction.Kind.ISSUE, issuance_id, None, None, memo, user, posted_at)
        for issuance_id in issuance_ids
    ]
    entries = [
        [
            _Entry(x.account, x.amount, x.case_id, x.client_id, x.program_id, x.period, x.overpayment_id, posted_at)
            for x in lines
        ]
        for lines in postings
    ]
    ledger_chain(transactions, entries)
    return [(t.seq, t.hash) for t in transactions]


@dataclass(slots=True)
class _Entry:
    """A ledger line as the chain's hash reads an entry: the line and the moment it is posted."""

    account: str
    amount: Decimal
    case_id: int
    client_id: int
    program_id: int
    period: date
    overpayment_id: int | None
    posted_at: datetime


# The columns each COPY writes, in the order `_write_copy` formats them.
ISSUANCE_COLUMNS = (
    "id", "case_id", "client_id", "program_id", "enrollment_id", "determination_id", "kind", "status", "period",
    "amount", "recovered", "purpose", "payee_kind", "payee_name", "payee_address", "method", "reference",
    "idempotency_key", "fingerprint", "exceeds", "payment_run_id", "requested_by_id", "requested_at",
    "decision_reason", "issued_by_id", "issued_at",
)  # fmt: skip
CHANGE_COLUMNS = ("id", "issuance_id", "from_status", "to_status", "reason", "changed_by_id", "changed_at")
TRANSACTION_COLUMNS = ("id", "kind", "issuance_id", "memo", "posted_by_id", "posted_at", "seq", "hash")
ENTRY_COLUMNS = (
    "id", "transaction_id", "account", "amount", "case_id", "client_id", "program_id", "period", "overpayment_id",
    "posted_at",
)  # fmt: skip
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A text value for COPY's text format: backslash, tab and line breaks escaped."""
    return value.translate(_ESCAPES)


def _null(value) -> str:
    return "\\N" if value is None else str(value)


def _reserve(raw_cursor, model, count: int) -> list[int]:
    """`count` ids from the table's identity sequence, in order."""
    if not count:
        return []
    table = model._meta.db_table
    if table not in _SEQUENCES:
        raw_cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _SEQUENCES[table] = raw_cursor.fetchone()[0]
    # The sequence is named once: resolving it for every row would cost ten times the ids themselves.
    raw_cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_SEQUENCES[table], count])
    return [row[0] for row in raw_cursor.fetchall()]


_SEQUENCES: dict[str, str] = {}


def _copy(raw_cursor, model, columns: Sequence[str], lines: list[str]) -> None:
    """COPY formatted lines (text format, see `_text` and `_null`) into the model's table."""
    if lines:
        buffer = io.StringIO("".join(lines))
        raw_cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)
