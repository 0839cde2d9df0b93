"""What the parts of the payment run share: a benefit month and the names derived from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from assistance.models import Issuance, PaymentRun
from audit.models import AuditEvent

Action = AuditEvent.Action
Kind = Issuance.Kind
ZERO = Decimal("0.00")


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
