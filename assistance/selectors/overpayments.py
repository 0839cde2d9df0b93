"""Reads for the overpayment pages and the nightly settling job, scoped to what the user may see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.shortcuts import get_object_or_404

from accounts.access import case_scope, client_scope
from assistance.models import (
    Account,
    LedgerEntry,
    LedgerTransaction,
    Overpayment,
    OverpaymentStatusChange,
    RedeterminationSettlement,
    RepaymentAgreement,
)
from casework.models import Case
from casework.services.cases import case_client_ids
from clients.models import Client
from eligibility.models import Determination, Program

#: The postings that recover an overpayment: a deduction from a payment (its issue), a repayment
#: received, and the reversal of a payment, whose deduction is owed again (a debit that undoes it).
#: Establishing a claim and writing it off move its balance too, but recover nothing.
RECOVERY_KINDS = (
    LedgerTransaction.Kind.ISSUE,
    LedgerTransaction.Kind.REPAYMENT,
    LedgerTransaction.Kind.REVERSAL,
)


def overpayments_recovered(*, cases: Q) -> Decimal:
    """What has been recovered to date on the overpayments of the cases `cases` selects (a Q on a
    ledger entry's `case__`): the receivable credits of the recovery postings, in one query."""
    total = LedgerEntry.objects.filter(
        cases,
        account=Account.RECEIVABLE,
        overpayment__isnull=False,
        transaction__kind__in=RECOVERY_KINDS,
    ).aggregate(total=Sum("amount"))["total"]
    return -total if total else Decimal("0.00")


def settlements_due() -> list[int]:
    """Decided redeterminations with an effective date that have no settlement yet, oldest decision first."""
    settled = RedeterminationSettlement.objects.filter(determination_id=OuterRef("pk"))
    return list(
        Determination.objects.filter(
            is_redetermination=True,
            effective_on__isnull=False,
            status__in=[Determination.Status.APPROVED, Determination.Status.DENIED],
        )
        .exclude(Exists(settled))
        .order_by("run_at", "pk")
        .values_list("pk", flat=True)
    )


def case_overpayments(*, case: Case) -> QuerySet[Overpayment]:
    """A case's overpayments for its tab, newest first, with what each row shows (one query)."""
    return (
        Overpayment.objects.filter(case=case)
        .select_related("client", "program")
        .annotate(
            agreement_instalment=Subquery(
                RepaymentAgreement.objects.filter(
                    overpayment=OuterRef("pk"), status=RepaymentAgreement.Status.ACTIVE
                ).values("instalment")[:1]
            )
        )
        .order_by("-established_at", "-id")
    )


def establish_choices(*, user, case: Case) -> dict:
    """Whom and which program an overpayment found on this case can be for: its clients `user` may see."""
    return {
        "clients": Client.objects.filter(client_scope(user), pk__in=case_client_ids(case.pk)).order_by(
            "last_name", "first_name"
        ),
        "programs": Program.objects.order_by("name"),
    }


def overpayment_get(*, user, pk: int) -> Overpayment:
    """The overpayment if `user` may see its case, else 404."""
    return get_object_or_404(
        Overpayment.objects.filter(case_scope(user, prefix="case__")).select_related(
            "case__primary_client",
            "case__household",
            "case__office",
            "case__assigned_worker",
            "client",
            "program",
            "enrollment",
            "determination",
            "established_by",
            "write_off_requested_by",
            "write_off_decided_by",
        ),
        pk=pk,
    )


def overpayment_page(*, overpayment: Overpayment) -> dict:
    """What the detail page shows: months, the receivable ledger with a running balance, history, agreements."""
    entries = list(
        LedgerEntry.objects.filter(overpayment=overpayment, account=Account.RECEIVABLE)
        .select_related("transaction__posted_by", "transaction__issuance")
        .order_by("posted_at", "id")
    )
    running = Decimal("0.00")
    for entry in entries:
        running += entry.amount
        entry.balance_after = running
    agreements = list(overpayment.agreements.select_related("agreed_by").order_by("-agreed_at", "-id"))
    return {
        "periods": list(overpayment.periods.all()),
        "entries": entries,
        "history": list(overpayment.status_changes.select_related("changed_by")),
        "agreements": agreements,
        "active_agreement": next((a for a in agreements if a.status == RepaymentAgreement.Status.ACTIVE), None),
    }


def write_off_queue(*, user) -> QuerySet[Overpayment]:
    """Write-offs waiting for a supervisor, on cases `user` may see, but not the ones they asked for."""
    requested_at = (
        OverpaymentStatusChange.objects.filter(
            overpayment=OuterRef("pk"), to_status=Overpayment.Status.WRITE_OFF_PENDING
        )
        .order_by("-changed_at", "-id")
        .values("changed_at")[:1]
    )
    return (
        Overpayment.objects.filter(case_scope(user, prefix="case__"), status=Overpayment.Status.WRITE_OFF_PENDING)
        .exclude(write_off_requested_by=user)
        .select_related("case", "client", "program", "write_off_requested_by")
        .annotate(requested_at=Subquery(requested_at))
        .order_by("requested_at", "id")
    )
