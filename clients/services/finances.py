"""A client's income, expenses and assets."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from clients.models import (
    Asset,
    Expense,
    Income,
)

Action = AuditEvent.Action


CENT = Decimal("0.01")

FINANCE_FIELDS = {
    Income: ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"],
    Expense: ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"],
    Asset: ["kind", "value", "description", "as_of", "disposed_on", "verification"],
}


def _check_finance(record) -> None:
    errors = {}
    amount = record.value if isinstance(record, Asset) else record.amount
    amount_field = "value" if isinstance(record, Asset) else "amount"
    if amount is None or amount < 0:
        errors[amount_field] = "Enter an amount of zero or more."
    elif amount.as_tuple().exponent < -2:
        errors[amount_field] = "Enter the amount in dollars and cents (at most two decimals)."
    start, end = (
        (record.as_of, record.disposed_on) if isinstance(record, Asset) else (record.start_date, record.end_date)
    )
    if end is not None and start is not None and end < start:
        end_field = "disposed_on" if isinstance(record, Asset) else "end_date"
        errors[end_field] = "The end date cannot be before the start date."
    if errors:
        raise ValidationError(errors)


def finance_record_save(*, acting_user, record: Income | Expense | Asset, values: dict[str, Any]):
    """Add or change one income, expense or asset of a client, with old and new values in the trail."""
    fields = FINANCE_FIELDS[type(record)]
    with transaction.atomic():
        adding = record.pk is None
        if not adding:
            record = type(record).objects.select_for_update().get(pk=record.pk)
        before = {} if adding else audit_snapshot(record, fields)
        for name in fields:
            if name in values:
                setattr(record, name, values[name])
        _check_finance(record)
        # Stored with two decimals: "1200" typed over "1200.00" is no change.
        amount_field = "value" if isinstance(record, Asset) else "amount"
        setattr(record, amount_field, getattr(record, amount_field).quantize(CENT))
        changes = audit_diff(before, audit_snapshot(record, fields))
        if not adding and not changes:
            return record
        record.save()
        audit_record(
            actor=acting_user,
            action=Action.CREATE if adding else Action.UPDATE,
            target=record,
            object_repr=f"{record._meta.verbose_name} of {record.client}",
            client_ids=[record.client_id],
            changes=changes,
        )
    return record
