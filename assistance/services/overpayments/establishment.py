"""Establishing an overpayment found by an investigation, and correcting its reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts import access
from accounts.models import User
from assistance.models import Account, LedgerEntry, Overpayment
from assistance.services.issuances import positive_amount
from assistance.services.overpayments.common import ZERO, Action, PeriodAmount, Status, _locked, establish
from audit.services import audit_record
from casework.models import Case
from casework.services.cases import case_client_ids
from clients.models import Client
from core.money import format_money
from eligibility.models import Enrollment, Program

CENT = Decimal("0.01")


def overpayment_establish(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    reason: str,
    allegation: str,
    findings: str,
    outcome: str,
    periods: Sequence[tuple[date, Decimal | str]],
) -> Overpayment:
    """Record an overpayment found by an investigation of alleged misuse.

    The caseworker (or supervisor) who investigated records the allegation, the findings, the
    outcome and, month by month, the amount overpaid; no second person approves it, the
    household's right to contest the claim is its check. Each month's amount is at most what
    the ledger shows as issued to the client under the program in that month and not already
    claimed, so what was due is that less the amount. Months are whole calendar months, each
    once, none after the current one.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors record overpayments.")
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if reason not in Overpayment.Reason.values:
        error("reason", "Choose the reason for the overpayment.")
    for field, text, message in (
        ("allegation", allegation, "Describe what was alleged."),
        ("findings", findings, "Record what the investigation found."),
        ("outcome", outcome, "Record the outcome of the investigation."),
    ):
        if not (text or "").strip():
            error(field, message)
    months = _months_and_amounts(periods, error)
    if client.pk not in case_client_ids(case.pk):
        error("client", "The client must be a member of this case's household.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The client's row serialises establishments, so two at once cannot both claim one month's money.
        client = Client.objects.select_for_update().get(pk=client.pk)
        case = Case.objects.get(pk=case.pk)
        issued = _unclaimed_by_month(client_id=client.pk, program_id=program.pk, periods=[p for p, _ in months])
        rows: list[PeriodAmount] = []
        for period, amount in months:
            paid = issued.get(period, ZERO)
            if amount > paid:
                shown = f"{format_money(paid)}" if paid > 0 else "nothing"
                error(
                    "periods",
                    f"{period:%B %Y}: the ledger shows {shown} of {program} issued to {client.full_name} and not "
                    f"already claimed; the overpayment for that month cannot be more.",
                )
            else:
                rows.append(PeriodAmount(period=period, paid=paid, due=paid - amount, amount=amount))
        if errors:
            raise ValidationError(errors)
        enrollment = Enrollment.objects.filter(case=case, program=program).order_by("-application_date", "-id").first()
        return establish(
            acting_user=acting_user,
            case=case,
            client=client,
            program=program,
            enrollment=enrollment,
            source=Overpayment.Source.INVESTIGATION,
            reason=reason,
            periods=rows,
            allegation=allegation.strip(),
            findings=findings.strip(),
            outcome=outcome.strip(),
            memo="Established after an investigation",
        )


def _months_and_amounts(periods: Sequence[tuple[date, Decimal | str]], error) -> list[tuple[date, Decimal]]:
    this_month = timezone.localdate().replace(day=1)
    months: list[tuple[date, Decimal]] = []
    seen: set[date] = set()
    for period, amount in periods:
        if not isinstance(period, date):
            error("periods", "Enter each month as a year and month, like 2026-03.")
            continue
        period = period.replace(day=1)
        label = f"{period:%B %Y}"
        if period > this_month:
            error("periods", f"{label} has not begun; an overpayment is for a month already paid.")
        if period in seen:
            error("periods", f"{label} is entered twice; enter each month once with its whole amount.")
        seen.add(period)
        try:
            months.append((period, positive_amount(amount)))
        except ValidationError as bad:
            error("periods", f"{label}: {bad.message_dict['amount'][0]}")
    if not periods:
        error("periods", "Enter at least one month and the amount overpaid in it.")
    return sorted(months)


def _unclaimed_by_month(*, client_id: int, program_id: int, periods: list[date]) -> dict[date, Decimal]:
    """Assistance issued per month, net of reversals and of overpayments already established for it."""
    rows = (
        LedgerEntry.objects.filter(
            client_id=client_id, program_id=program_id, account=Account.ISSUED, period__in=periods
        )
        .values("period")
        .annotate(total=Sum("amount"))
    )
    return {row["period"]: Decimal(row["total"]).quantize(CENT) for row in rows}


def overpayment_reason_change(*, acting_user: User, overpayment: Overpayment, reason: str, note: str) -> Overpayment:
    """Correct an overpayment's reason before its recovery starts.

    The reason sets how much may be taken from each benefit (more for an intentional
    violation), so it is fixed once anything has been recovered or agreed.
    """
    if not access.may_work_cases(acting_user):
        raise ValidationError("Only caseworkers and supervisors change an overpayment.")
    if reason not in Overpayment.Reason.values:
        raise ValidationError({"reason": "Choose the reason for the overpayment."})
    if not note.strip():
        raise ValidationError({"note": "Say why the reason changes."})
    with transaction.atomic():
        overpayment = _locked(overpayment)
        if overpayment.status != Status.ESTABLISHED or overpayment.balance != overpayment.amount:
            raise ValidationError("Recovery of this overpayment has started; its reason can no longer change.")
        if overpayment.recovery == Overpayment.Recovery.AGREEMENT:
            raise ValidationError("A repayment agreement was made on this reason; end it before changing the reason.")
        if reason == overpayment.reason:
            raise ValidationError({"reason": f"The reason is already {overpayment.get_reason_display().lower()}."})
        before = overpayment.reason
        overpayment.reason = reason
        overpayment.save(update_fields=["reason"])
        audit_record(
            actor=acting_user,
            action=Action.UPDATE,
            target=overpayment,
            client_ids=case_client_ids(overpayment.case_id),
            changes={"reason": [before, reason]},
            reason=note.strip(),
        )
    return overpayment
