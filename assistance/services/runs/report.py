"""The run's report and its payment file, both built from the database alone."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assistance.models import Issuance, Overpayment, OverpaymentStatusChange, PaymentRun
from assistance.selectors.runs import NOT_DUE, run_payments, unpaid_enrollments, why_not_paid
from assistance.services.runs.common import ZERO, Action, Kind, file_name, run_reason
from audit.services import audit_record

CENT = Decimal("0.01")

FILE_COLUMNS = ("payee", "method", "amount", "reference", "period", "program")


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
            # Rounded to cents: SQLite adds decimals as floats (PostgreSQL is exact already).
            "gross": row["total"].quantize(CENT),
            "recovered": row["withheld"].quantize(CENT),
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


def payment_file(*, run: PaymentRun, payments: QuerySet[Issuance] | None = None) -> bytes:
    """The payment file: one CSV row per payment of the run, ordered by reference, built from the database.

    Columns: payee, method, amount (net of recovery deductions), reference, period (YYYY-MM),
    program (its code). A benefit withheld in full for an overpayment pays nothing and has no
    row. There is no address column: the run pays by direct deposit, which needs none, so no
    client's address (restricted or not) ever leaves in this file. A run paying by cheque
    would need one, and must leave out any restricted client's or confidential address.
    `payments` narrows it to a reader's rows (`run_payments`); without it, every payment.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FILE_COLUMNS)
    month = f"{run.period:%Y-%m}"  # every issuance of a run is for its month
    if payments is None:
        payments = run_payments(user=None, run=run)
    rows = payments.order_by("reference").values_list(
        "payee_name", "method", "amount", "recovered", "reference", "program__code"
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
    """The payment file as `acting_user` may have it, recorded in the trail with every client it names.

    Finance gets the agency's file; a supervisor gets the payments to the clients they may see.
    """
    if not acting_user.has_perm("assistance.download_payment_file"):
        raise PermissionDenied(_("Payment files are for supervisors and finance."))
    payments = run_payments(user=acting_user, run=run)
    content = payment_file(run=run, payments=payments)
    audit_record(
        actor=acting_user,
        action=Action.DOWNLOAD,
        target=run,
        client_ids=payments.values_list("client_id", flat=True),
        changes={
            "document": "payment file",
            "scope": "agency" if acting_user.has_perm("assistance.read_agency_payments") else "own clients",
            "file_sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    return content
