"""The monthly payment run: a benefit month's recurring issuances, less recovery deductions, and its payment file.

A run is one `PaymentRun` per benefit month (the period is unique). `payment_run_start` makes
it (or finds it); `payment_run_batch` pays a batch of enrollments in one transaction; and
`payment_run_complete` closes the run with its report once no payable enrollment is left
unpaid. The Celery tasks fan the batches out; `payment_run_inline` (the management command
and the benchmark) runs them in this process, one after another or on a few threads.

Why it can run twice, or die halfway and run again, and give the result of one clean run:

- at most one recurring issuance per enrollment and month (a unique constraint), and each
  batch pays only the enrollments of its list still unpaid. A second copy of a batch running
  at the same time waits on the first's new rows in that constraint's index (or on the
  overpayments it locks), fails on the constraint once the first commits, and is tried
  again: then it finds them paid. Enrollments are not locked: a suspension committed while
  a batch runs counts as after it (locking them cost a fifth of the run's time);
- a batch is one transaction: its issuances, their status rows, their ledger postings, the
  overpayment balances and statuses they lower and the batch's audit event commit together
  or not at all, so a crash leaves whole batches behind it and the re-run pays the rest;
- references, idempotency keys and the payment file are derived from the enrollment and the
  month, never from the order or timing of the work, so the file is the same bytes however
  the run was interrupted;
- a batch holds the run's row in share mode and completion takes it exclusively, so a run
  cannot be completed while a batch is still writing, and a completed run takes no more.

A unique-constraint error (another writer paid an enrollment between the batch's read and its
insert) rolls the batch back, and it is tried again.

Speed: on PostgreSQL a batch writes its rows with COPY (`_write_copy`), a few statements per
batch and no model instance per row; the ledger lines are still `issue_lines`, checked as
`ledger_post_many` checks them, and the database checks the balance again at commit. On
SQLite (developers' machines) the same rows go through `bulk_create` and `ledger_post_many`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import User
from assistance.models import (
    Issuance,
    IssuanceStatusChange,
    LedgerEntry,
    LedgerTransaction,
    Overpayment,
    OverpaymentStatusChange,
    PaymentRun,
)
from assistance.selectors.runs import (
    NOT_DUE,
    may_see_runs,
    payable,
    pending_enrollment_ids,
    pending_exists,
    unpaid_enrollments,
    why_not_paid,
)
from assistance.services.ledger import issue_lines, ledger_post_many
from assistance.services.recovery import as_claims, deductions, open_claims, recoveries_record, recovery_caps
from audit.models import AuditEvent, AuditEventClient
from audit.services import audit_record
from eligibility.models import Determination, Enrollment
from eligibility.services.reviews import JOB_USERNAME, job_user

Action = AuditEvent.Action
Kind = Issuance.Kind
ZERO = Decimal("0.00")
DEFAULT_BATCH_SIZE = 1000
RETRIES = 10  # each failed try means another writer committed, so the next one sees more paid
FILE_COLUMNS = ("payee", "method", "amount", "reference", "period", "program")


def period_parse(value: str | date) -> date:
    """A benefit month from `YYYY-MM` (or any date in it, `YYYY-MM-DD`): the first of the month."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise ValidationError({"period": f"{text!r} is not a month: write it as YYYY-MM, like 2026-03."}) from None


def next_period(day: date) -> date:
    """The benefit month after `day`'s (the run on the 25th pays the next month)."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def reference(enrollment_id: int, period: date) -> str:
    """The payment's reference: the month and the enrollment, the same however often the run is repeated."""
    return f"RB-{period:%Y%m}-{enrollment_id:08d}"


def idempotency_key(enrollment_id: int, period: date) -> str:
    return f"recurring:{enrollment_id}:{period:%Y-%m}"


def run_reason(period: date) -> str:
    return f"Monthly payment run {period:%Y-%m}"


def file_name(run: PaymentRun) -> str:
    """Where the payment file is kept in the private media storage."""
    return f"payments/payments-{run.period:%Y-%m}.csv"


def payment_run_start(*, acting_user: User, period: date) -> PaymentRun:
    """The run for benefit month `period`, made if it does not exist yet (one per month: a unique period)."""
    if acting_user.get_username() != JOB_USERNAME and not may_see_runs(acting_user):
        raise ValidationError("Only supervisors and administrators start a payment run.")
    if period.day != 1:
        raise ValidationError({"period": "A benefit month starts on the first: give the first of the month."})
    with transaction.atomic():
        run, created = PaymentRun.objects.get_or_create(period=period, defaults={"started_by": acting_user})
        if created:
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=run,
                changes={"period": [None, f"{period:%Y-%m}"], "status": [None, run.status]},
            )
    return run


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
    claims = open_claims(keys={(row[2], row[3]) for row in rows}, lock=True)
    caps = recovery_caps(program_ids={key[1] for key in claims}, period=period) if claims else {}

    payments: list[_Payment] = []
    for enrollment_id, amount, case_id, program_id, client_id, first, middle, last, preferred in rows:
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
    event = audit_record(
        actor=acting_user,
        action=Action.CREATE,
        object_type=PaymentRun._meta.label_lower,
        object_id=run_id,
        object_repr=f"Payment run {period:%Y-%m}: {len(payments)} recurring benefits issued",
        client_ids=client_ids if event_clients is None else (),
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
    if event_clients is not None:
        event_clients(event, client_ids)
    return result


def _fingerprint(payment: _Payment) -> str:
    details = (
        f"{payment.enrollment_id}|{payment.period:%Y-%m}|{payment.amount}|{payment.case_id}|{payment.client_id}|"
        f"{payment.program_id}|{payment.payee_name}|direct_deposit"
    )
    return hashlib.sha256(details.encode()).hexdigest()


def _postings(payments: list[_Payment]) -> list[list]:
    """Each payment's ledger lines (`issue_lines`), checked as `ledger_post_many` checks them."""
    postings = []
    for payment in payments:
        lines = issue_lines(payment, recoveries=payment.withheld)
        if len(lines) < 2 or any(line.amount == 0 for line in lines) or sum(line.amount for line in lines) != 0:
            raise ValidationError(f"The issue posting of {payment.reference} does not balance.")
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
    IssuanceStatusChange.objects.bulk_create(
        IssuanceStatusChange(
            issuance=issuance,
            from_status="",
            to_status=Issuance.Status.ISSUED,
            reason=reason,
            changed_by=acting_user,
            changed_at=now,
        )
        for issuance in issuances
    )
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
    now = timezone.now().isoformat()
    user = acting_user.pk
    memo = _text(reason[:300])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        issuance_ids = _reserve(raw, Issuance, len(payments))
        change_ids = _reserve(raw, IssuanceStatusChange, len(payments))
        transaction_ids = _reserve(raw, LedgerTransaction, len(payments))
        entry_ids = iter(_reserve(raw, LedgerEntry, sum(len(lines) for lines in postings)))
        issuances, changes, transactions, entries = [], [], [], []
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
            transactions.append(f"{transaction_id}\tissue\t{issuance_id}\t{memo}\t{user}\t{now}\n")
            entries.extend(
                f"{next(entry_ids)}\t{transaction_id}\t{line.account}\t{line.amount}\t{line.case_id}\t"
                f"{line.client_id}\t{line.program_id}\t{line.period}\t{_null(line.overpayment_id)}\t{now}\n"
                for line in lines
            )
        _copy(raw, Issuance, ISSUANCE_COLUMNS, issuances)
        _copy(raw, IssuanceStatusChange, CHANGE_COLUMNS, changes)
        _copy(raw, LedgerTransaction, TRANSACTION_COLUMNS, transactions)
        _copy(raw, LedgerEntry, ENTRY_COLUMNS, entries)

    def subjects(event: AuditEvent, client_ids: set[int]) -> None:
        ordered = sorted(client_ids)
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


# The columns each COPY writes, in the order `_write_copy` formats them.
ISSUANCE_COLUMNS = (
    "id", "case_id", "client_id", "program_id", "enrollment_id", "determination_id", "kind", "status", "period",
    "amount", "recovered", "purpose", "payee_kind", "payee_name", "payee_address", "method", "reference",
    "idempotency_key", "fingerprint", "exceeds", "payment_run_id", "requested_by_id", "requested_at",
    "decision_reason", "issued_by_id", "issued_at",
)  # fmt: skip
CHANGE_COLUMNS = ("id", "issuance_id", "from_status", "to_status", "reason", "changed_by_id", "changed_at")
TRANSACTION_COLUMNS = ("id", "kind", "issuance_id", "memo", "posted_by_id", "posted_at")
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


def payment_run_complete(
    *, run: PaymentRun | int, acting_user: User | None = None, quick_check: bool = True
) -> PaymentRun | None:
    """Close the run with its report and the payment file's digest once nothing payable is left unpaid.

    Returns the completed run, or None while enrollments remain to be paid. The run's row is
    locked: batches still writing finish first, and two callers complete it once.
    `quick_check`: first ask whether anything is left unpaid, which stops at the first one
    found (a Celery batch, while others still run); the report finds it too, more slowly.
    """
    run_id = run.pk if isinstance(run, PaymentRun) else int(run)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run_id)
        if run.status == PaymentRun.Status.COMPLETED:
            return run
        if quick_check and pending_exists(period=run.period):
            return None
        report = payment_run_report(run=run)
        if report is None:
            return None
        content = payment_file(run=run)
        run.report = report
        run.file_sha256 = hashlib.sha256(content).hexdigest()
        run.status = PaymentRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save(update_fields=["report", "file_sha256", "status", "finished_at"])
        audit_record(
            actor=acting_user or job_user(),
            action=Action.UPDATE,
            target=run,
            changes={
                "status": [PaymentRun.Status.RUNNING, PaymentRun.Status.COMPLETED],
                "issued": [None, report["issued"]],
                "net": [None, report["net"]],
                "file_sha256": [None, run.file_sha256],
            },
        )
        transaction.on_commit(lambda: payment_file_store(run=run, content=content))
    return run


def payment_run_report(*, run: PaymentRun) -> dict | None:
    """The run's report, from the database alone: the same however the run went (None if unpaid work is left).

    Issued: the recurring issuances of this run, in all and per program (gross, withheld for
    overpayments, net). Already paid: enrollments whose benefit for the month came from
    elsewhere. Not due: suspended enrollments and those with no amount, counted. Skipped:
    active enrollments the run did not pay, each listed with the reason.
    """
    period = run.period
    programs: dict[str, dict] = {}
    totals = {"issued": 0, "gross": ZERO, "recovered": ZERO, "with_deduction": 0}
    rows = (
        Issuance.objects.filter(payment_run=run, kind=Kind.RECURRING)
        .values("program__code", "program__name")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            withheld=Sum("recovered"),
            deducted=Count("id", filter=Q(recovered__gt=0)),
        )
        .order_by("program__code")
    )
    for row in rows:
        figures = {
            "issued": row["n"],
            "gross": row["total"],
            "recovered": row["withheld"],
            "with_deduction": row["deducted"],
        }
        programs[row["program__code"]] = {
            "name": row["program__name"],
            **{key: str(value) if isinstance(value, Decimal) else value for key, value in figures.items()},
            "net": str(figures["gross"] - figures["recovered"]),
        }
        for key in totals:
            totals[key] += figures[key]
    not_due: dict[str, int] = {}
    skipped_reasons: dict[str, int] = {}
    skipped: list[dict] = []
    for unpaid in unpaid_enrollments(period=period):
        why = why_not_paid(unpaid, period)
        if why is None:
            return None
        kind, explanation = why
        if kind in NOT_DUE:
            not_due[kind] = not_due.get(kind, 0) + 1
            continue
        skipped_reasons[kind] = skipped_reasons.get(kind, 0) + 1
        skipped.append(
            {
                "enrollment": unpaid.enrollment_id,
                "case_id": unpaid.case_id,
                "case": unpaid.case_number,
                "program": unpaid.program_code,
                "reason": explanation,
            }
        )
    already_paid = Issuance.objects.filter(kind=Kind.RECURRING, period=period).exclude(payment_run_id=run.pk).count()
    recovered_in_full = OverpaymentStatusChange.objects.filter(
        to_status=Overpayment.Status.RECOVERED, reason=f"Recovered by {run_reason(period).lower()}"
    ).count()
    return {
        "period": f"{period:%Y-%m}",
        "issued": totals["issued"],
        "gross": str(totals["gross"]),
        "recovered": str(totals["recovered"]),
        "net": str(totals["gross"] - totals["recovered"]),
        "with_deduction": totals["with_deduction"],
        "overpayments_recovered_in_full": recovered_in_full,
        "already_paid": already_paid,
        "not_due": dict(sorted(not_due.items())),
        "skipped_count": len(skipped),
        "skipped_reasons": dict(sorted(skipped_reasons.items())),
        "skipped": skipped,
        "programs": programs,
    }


def payment_file(*, run: PaymentRun) -> bytes:
    """The payment file: one CSV row per payment of the run, ordered by reference, built from the database.

    Columns: payee, method, amount (net of recovery deductions), reference, period (YYYY-MM),
    program (its code). A benefit withheld in full for an overpayment pays nothing and has no
    row. There is no address column: the run pays by direct deposit, which needs none, so no
    client's address (restricted or not) ever leaves in this file. A run paying by cheque
    would need one, and must leave out any restricted client's or confidential address.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FILE_COLUMNS)
    month = f"{run.period:%Y-%m}"  # every issuance of a run is for its month
    rows = (
        Issuance.objects.filter(payment_run=run, kind=Kind.RECURRING, amount__gt=F("recovered"))
        .order_by("reference")
        .values_list("payee_name", "method", "amount", "recovered", "reference", "program__code")
    )
    # Amounts are stored with two decimals, so their difference prints as dollars and cents.
    writer.writerows(
        (payee, method, str(amount - recovered), ref, month, program)
        for payee, method, amount, recovered, ref, program in rows.iterator(chunk_size=10_000)
    )
    return buffer.getvalue().encode("utf-8")


def payment_file_store(*, run: PaymentRun, content: bytes | None = None) -> str:
    """Keep the payment file in the private media storage; returns its path on disk (or its name)."""
    name = file_name(run)
    content = payment_file(run=run) if content is None else content
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return name


def payment_file_issue(*, acting_user: User, run: PaymentRun) -> bytes:
    """The payment file handed to a supervisor or administrator, recorded in the trail with every payee."""
    if not may_see_runs(acting_user):
        raise ValidationError("Only supervisors and administrators download payment files.")
    content = payment_file(run=run)
    audit_record(
        actor=acting_user,
        action=Action.DOWNLOAD,
        target=run,
        client_ids=Issuance.objects.filter(payment_run=run, kind=Kind.RECURRING).values_list("client_id", flat=True),
        changes={"document": "payment file", "file_sha256": hashlib.sha256(content).hexdigest()},
    )
    return content


Progress = Callable[[int, int, BatchResult], None]


def payment_run_inline(
    *,
    period: date,
    batch_size: int = DEFAULT_BATCH_SIZE,
    acting_user: User | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> PaymentRun:
    """The whole run in this process, batch after batch (the management command; safe to run again).

    `workers` > 1 (PostgreSQL only) pays that many batches at once, each on its own database
    connection, as that many Celery workers would. Returns the run: completed, unless
    enrollments kept becoming payable while it ran.
    """
    acting_user = acting_user or job_user()
    run = payment_run_start(acting_user=acting_user, period=period)
    for _round in range(3):
        if run.status == PaymentRun.Status.COMPLETED:
            return run
        ids = pending_enrollment_ids(period=period)
        batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
        if workers > 1 and connection.vendor == "postgresql":
            _pay_in_threads(run, batches, acting_user, progress, workers)
        else:
            for number, batch in enumerate(batches, 1):
                result = payment_run_batch(run=run, enrollment_ids=batch, acting_user=acting_user)
                if progress is not None:
                    progress(number, len(batches), result)
        run = payment_run_complete(run=run, acting_user=acting_user, quick_check=False) or run
    return run


def _pay_in_threads(
    run: PaymentRun, batches: list[list[int]], acting_user: User, progress: Progress | None, workers: int
) -> None:
    """Pay the batches on `workers` threads; the first error stops the others taking more, and is raised."""
    todo: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
    for batch in batches:
        todo.put(batch)
    lock = threading.Lock()
    done = {"count": 0}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not errors:
                try:
                    batch = todo.get_nowait()
                except queue.Empty:
                    return
                result = payment_run_batch(run=run, enrollment_ids=batch, acting_user=acting_user)
                with lock:
                    done["count"] += 1
                    if progress is not None:
                        progress(done["count"], len(batches), result)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, name=f"payment-run-{n}") for n in range(min(workers, len(batches)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
