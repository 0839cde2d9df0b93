"""Settling a decided redetermination: for each month already paid, what was paid against what was due.

A redetermination (eligibility.services.redetermine) takes effect from the first month the
household's change affects under the program's reporting rule (`change_effective_on`; for SNAP
7 CFR 273.18(c)(1)(ii)(A)), which is often before the months the payment run has already paid
at the old amount. Settling compares those months once: months paid too much become one
overpayment, months paid too little one arrears issuance, and the comparison of every month
is kept on the `RedeterminationSettlement`. A month's overpayment is what was received less
the correct benefit for that month, as SNAP calculates a claim (7 CFR 273.18(c)(1)(ii)).

Which months a redetermination decides:

- from its effective month to the last month with an issued recurring benefit, and never a
  month before the enrollment began (its application month): the household was owed nothing
  under it then, so such a month is neither compared nor listed as not paid;
- not a month from which a later decision on the enrollment applies (that decision's
  settlement, or the payment run at its amount, decides it);
- not a month in which the enrollment was suspended at any time (no over- or underpayment
  for a suspended month);
- not a month without an issued benefit (none, or reversed): whether to pay a month that
  was never paid is a worker's decision, not the job's.

What was paid for a month is the recurring benefit's gross amount, or, when an earlier
redetermination's settlement already compared that month, what that settlement found due
(its overpayment or arrears already brought the household to that figure).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assistance.models import (
    Account,
    Issuance,
    LedgerTransaction,
    Overpayment,
    RedeterminationSettlement,
)
from assistance.services.issuances import reference_for
from assistance.services.ledger import Line, ledger_post
from assistance.services.overpayments import PeriodAmount, establish
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, Task
from casework.services.cases import case_client_ids
from casework.services.tasks import task_create
from core.money import format_money
from core.status import status_begin_many
from core.users import job_user
from eligibility.models import Determination, Enrollment, EnrollmentStatusChange

logger = logging.getLogger(__name__)
Action = AuditEvent.Action
ZERO = Decimal("0.00")


class Result:
    """What a month came to; the last three are skipped, with no over- or underpayment."""

    OVERPAID = "overpaid"
    UNDERPAID = "underpaid"
    EVEN = "even"
    SUSPENDED = "suspended"
    NOT_PAID = "not_paid"
    SUPERSEDED = "superseded"

    COMPARED = (OVERPAID, UNDERPAID, EVEN)
    LABELS = {
        OVERPAID: "Paid too much",
        UNDERPAID: "Paid too little",
        EVEN: "Paid what was due",
        SUSPENDED: "Skipped: the enrollment was suspended in the month",
        NOT_PAID: "Skipped: no benefit issued for the month",
        SUPERSEDED: "Skipped: a later decision applies to the month",
    }


@dataclass(frozen=True)
class Month:
    period: date
    paid: Decimal | None
    due: Decimal
    result: str
    issued_at: datetime | None = None

    @property
    def difference(self) -> Decimal:
        return (self.paid or ZERO) - self.due

    def to_dict(self) -> dict:
        return {
            "period": self.period.isoformat(),
            "paid": str(self.paid) if self.paid is not None else None,
            "due": str(self.due),
            "difference": str(self.difference) if self.result in Result.COMPARED else None,
            "result": self.result,
            "skipped": self.result not in Result.COMPARED,
        }


def settleable(determination: Determination) -> bool:
    """A decided redetermination with an effective month: approved (due its amount) or denied (due nothing)."""
    return (
        determination.is_redetermination
        and determination.effective_on is not None
        and determination.status in (Determination.Status.APPROVED, Determination.Status.DENIED)
    )


def due_from(determination: Determination) -> Decimal:
    """What a month is due under the decision: its amount if approved as eligible, else nothing."""
    if determination.status == Determination.Status.APPROVED and determination.eligible:
        return determination.monthly_amount
    return ZERO


def redetermination_settle(*, determination: Determination) -> RedeterminationSettlement:
    """Settle a decided redetermination, once.

    Overpaid months become one overpayment (source: redetermination) established through the
    ledger, with a task telling the case's worker; underpaid months one arrears issuance to the
    client by direct deposit, issued through the ledger. A second call, or a call racing this
    one, gets the first settlement back: the enrollment's row lock serialises settlements of an
    enrollment, and the settlement's one-to-one key is the last word.
    """
    existing = RedeterminationSettlement.objects.filter(determination_id=determination.pk).first()
    if existing is not None:
        return existing
    user = job_user()
    try:
        with transaction.atomic():
            determination = Determination.objects.get(pk=determination.pk)
            if not settleable(determination):
                raise ValidationError(
                    _("Determination %(pk)s is not a decided redetermination with an effective date.")
                    % {"pk": determination.pk}
                )
            # Decisions on the enrollment lock it too, so none can land while its months are compared.
            enrollment = Enrollment.objects.select_for_update().get(pk=determination.enrollment_id)
            existing = RedeterminationSettlement.objects.filter(determination_id=determination.pk).first()
            if existing is not None:
                return existing
            case = Case.objects.select_related("primary_client", "assigned_worker").get(pk=enrollment.case_id)
            months = compare_months(determination=determination, enrollment=enrollment)
            overpayment = _overpayment(determination, enrollment, case, months, user)
            arrears = _arrears(determination, enrollment, case, months, user)
            settlement = RedeterminationSettlement.objects.create(
                determination=determination,
                overpayment=overpayment,
                arrears=arrears,
                months=[m.to_dict() for m in months],
            )
            audit_record(
                actor=user,
                action=Action.CREATE,
                target=settlement,
                client_ids=case_client_ids(case.pk),
                changes={
                    "months": [None, len(months)],
                    "overpayment": [None, str(overpayment.amount) if overpayment else None],
                    "arrears": [None, str(arrears.amount) if arrears else None],
                },
                reason="Redetermination settled",
            )
            if overpayment is not None:
                _tell_worker(case, enrollment, overpayment, arrears)
    except IntegrityError:
        # Another settlement of this determination committed between our look and our insert.
        existing = RedeterminationSettlement.objects.filter(determination_id=determination.pk).first()
        if existing is None:
            raise
        return existing
    return settlement


def compare_months(*, determination: Determination, enrollment: Enrollment) -> list[Month]:
    """Each month from the effective month (not before the enrollment began) to the last one paid."""
    start = settlement_start(determination, enrollment)
    issued = {
        row.period: row
        for row in Issuance.objects.filter(
            enrollment=enrollment, kind=Issuance.Kind.RECURRING, status=Issuance.Status.ISSUED, period__gte=start
        ).only("period", "amount", "issued_at")
    }
    if not issued:
        return []
    due = due_from(determination)
    later_from = _later_decision_from(determination)
    suspended = _suspended_spans(enrollment.pk)
    settled_due = _settled_dues(enrollment.pk, exclude_id=determination.pk)
    months: list[Month] = []
    for period in _each_month(start, max(issued)):
        issuance = issued.get(period)
        gross = issuance.amount if issuance else None
        issued_at = issuance.issued_at if issuance else None
        if later_from is not None and period >= later_from:
            result = Result.SUPERSEDED
        elif any(_overlaps(span, period) for span in suspended):
            result = Result.SUSPENDED
        elif issuance is None:
            result = Result.NOT_PAID
        else:
            gross = settled_due.get(period, gross)
            result = Result.OVERPAID if gross > due else Result.UNDERPAID if gross < due else Result.EVEN
        months.append(Month(period=period, paid=gross, due=due, result=result, issued_at=issued_at))
    return months


def settlement_start(determination: Determination, enrollment: Enrollment) -> date:
    """The first month a settlement compares: the effective month, or the enrollment's first month if later."""
    return max(determination.effective_on.replace(day=1), enrollment.application_date.replace(day=1))


def default_reason(determination: Determination, months: list[Month]) -> str:
    """Client error (7 CFR 273.18(b)(2)): the household's facts changed before the agency knew.

    Agency error (273.18(b)(3)) when every overpaid month was issued after the agency already
    had the changed facts (the redetermination was run on them) and paid the old amount
    anyway. A worker corrects the reason before recovery starts (`overpayment_reason_change`);
    an intentional violation is never assumed.
    """
    overpaid = [m for m in months if m.result == Result.OVERPAID]
    if overpaid and all(m.issued_at is not None and m.issued_at > determination.run_at for m in overpaid):
        return Overpayment.Reason.AGENCY_ERROR
    return Overpayment.Reason.CLIENT_ERROR


def _overpayment(
    determination: Determination, enrollment: Enrollment, case: Case, months: list[Month], user: User
) -> Overpayment | None:
    overpaid = [m for m in months if m.result == Result.OVERPAID]
    if not overpaid:
        return None
    return establish(
        acting_user=user,
        case=case,
        client=case.primary_client,
        program=enrollment.program,
        enrollment=enrollment,
        determination=determination,
        source=Overpayment.Source.REDETERMINATION,
        reason=default_reason(determination, months),
        periods=[PeriodAmount(period=m.period, paid=m.paid, due=m.due, amount=m.difference) for m in overpaid],
        memo=f"Redetermination {determination.pk} effective {determination.effective_on:%B %Y}",
    )


def _arrears(
    determination: Determination, enrollment: Enrollment, case: Case, months: list[Month], user: User
) -> Issuance | None:
    """One issuance for the underpaid months, issued at once: the household was due it."""
    underpaid = [m for m in months if m.result == Result.UNDERPAID]
    if not underpaid:
        return None
    total = sum((-m.difference for m in underpaid), ZERO)
    client = case.primary_client
    key = f"arrears-determination-{determination.pk}"
    now = timezone.now()
    listed = ", ".join(f"{m.period:%b %Y} {format_money(-m.difference)}" for m in underpaid)
    issuance = Issuance.objects.create(
        case=case,
        client=client,
        program=enrollment.program,
        enrollment=enrollment,
        determination=determination,
        kind=Issuance.Kind.ARREARS,
        status=Issuance.Status.ISSUED,
        period=underpaid[0].period,
        amount=total,
        purpose=f"Arrears after redetermination {determination.pk}: {listed}"[:2000],
        payee_kind=Issuance.PayeeKind.CLIENT,
        payee_name=client.full_name,
        method=Issuance.Method.DIRECT_DEPOSIT,
        reference=f"tmp-{hashlib.sha256(key.encode()).hexdigest()[:26]}",
        idempotency_key=key,
        fingerprint=hashlib.sha256(f"{key}:{total}".encode()).hexdigest(),
        requested_by=user,
        requested_at=now,
        issued_by=user,
        issued_at=now,
    )
    issuance.reference = reference_for(issuance.pk)
    issuance.save(update_fields=["reference"])
    Status = Issuance.Status
    reason = f"Underpaid months found by redetermination {determination.pk}"
    status_begin_many([issuance], acting_user=user, reason=reason, through=[Status.REQUESTED, Status.APPROVED], at=now)
    common = {"case_id": case.pk, "client_id": client.pk, "program_id": enrollment.program_id}
    lines: list[Line] = []
    # A pair of lines per month: the arrears count as assistance for the months they belong to.
    for m in underpaid:
        lines.append(Line(account=Account.ISSUED, amount=-m.difference, period=m.period, **common))
        lines.append(Line(account=Account.PAYMENTS, amount=m.difference, period=m.period, **common))
    ledger_post(kind=LedgerTransaction.Kind.ISSUE, lines=lines, posted_by=user, issuance=issuance, memo=reason)
    audit_record(
        actor=user,
        action=Action.CREATE,
        target=issuance,
        client_ids=case_client_ids(case.pk),
        changes={
            "kind": [None, issuance.kind],
            "amount": [None, str(total)],
            "payee": [None, issuance.payee_name],
            "method": [None, issuance.method],
            "status": [None, Status.ISSUED],
        },
        reason=reason,
    )
    return issuance


def _tell_worker(case: Case, enrollment: Enrollment, overpayment: Overpayment, arrears: Issuance | None) -> None:
    months = ", ".join(f"{p.period:%b %Y}" for p in overpayment.periods.all())
    determination = overpayment.determination
    why = f" ({determination.effective_reason.rstrip('.')})" if determination.effective_reason else ""
    details = (
        f"A redetermination effective {determination.effective_on:%B %Y}{why} found "
        f"{format_money(overpayment.amount)} "
        f"paid that was not due ({months}). The reason was set to "
        f"{overpayment.get_reason_display().lower()}: check it before recovery starts, and send the notice."
    )
    if arrears is not None:
        details += (
            f" Months paid too little were paid as arrears ({arrears.reference}, {format_money(arrears.amount)})."
        )
    try:
        task_create(
            case=case,
            kind=Task.Kind.FOLLOW_UP,
            title=f"Overpayment established: {format_money(overpayment.amount)} of {enrollment.program}",
            due_on=timezone.localdate() + timedelta(days=enrollment.program.notice_days),
            details=details,
            dedupe_key=f"assistance-overpayment-{overpayment.pk}",
        )
    except ValidationError as error:
        # A worker who left cannot be given the task; the overpayment still shows on the case.
        logger.warning("No task for overpayment %s: %s", overpayment.pk, "; ".join(error.messages))


def _later_decision_from(determination: Determination) -> date | None:
    """The first month from which a decision made after this one applies, if any."""
    later = (
        Determination.objects.filter(enrollment_id=determination.enrollment_id)
        .exclude(status=Determination.Status.DRAFT)
        .filter(Q(run_at__gt=determination.run_at) | Q(run_at=determination.run_at, pk__gt=determination.pk))
        .values_list("is_redetermination", "effective_on", "as_of")
    )
    starts = [
        (effective_on if is_redetermination and effective_on else as_of).replace(day=1)
        for is_redetermination, effective_on, as_of in later
    ]
    return min(starts, default=None)


def _suspended_spans(enrollment_id: int) -> list[tuple[date, date | None]]:
    """The days the enrollment was suspended, from the day it was suspended to the day it moved on."""
    changes = list(
        EnrollmentStatusChange.objects.filter(enrollment_id=enrollment_id)
        .order_by("changed_at", "id")
        .values_list("to_status", "changed_at")
    )
    spans = []
    for index, (to_status, changed_at) in enumerate(changes):
        if to_status == Enrollment.Status.SUSPENDED:
            ended = timezone.localdate(changes[index + 1][1]) if index + 1 < len(changes) else None
            spans.append((timezone.localdate(changed_at), ended))
    return spans


def _overlaps(span: tuple[date, date | None], period: date) -> bool:
    start, end = span
    return start < _next_month(period) and (end is None or end >= period)


def _settled_dues(enrollment_id: int, *, exclude_id: int) -> dict[date, Decimal]:
    """What earlier settlements of the enrollment found due, month by month (the newest decision last)."""
    dues: dict[date, Decimal] = {}
    rows = (
        RedeterminationSettlement.objects.filter(determination__enrollment_id=enrollment_id)
        .exclude(determination_id=exclude_id)
        .order_by("determination__run_at", "determination_id")
        .values_list("months", flat=True)
    )
    for months in rows:
        for month in months:
            if month["result"] in Result.COMPARED:
                dues[date.fromisoformat(month["period"])] = Decimal(month["due"])
    return dues


def _next_month(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def _each_month(first: date, last: date):
    period = first
    while period <= last:
        yield period
        period = _next_month(period)
