"""The nightly settling of decided redeterminations into overpayments and arrears.

Beat (config/schedules.py) calls `settlements_enqueue`, which asks a selector for the decided
redeterminations without a settlement and stores one small task per determination in the job outbox, sent
once the transaction commits. Each task calls `redetermination_settle`, which settles a determination
once: its settlement row is written in the same transaction as the overpayment and the
arrears, so a task delivered twice, or a run that died halfway and runs again, finds the
done ones done and does the rest.
"""

from celery import shared_task
from django.db import transaction

from assistance.selectors.overpayments import settlements_due
from assistance.services.settlements import redetermination_settle
from core.jobs import job_enqueue
from eligibility.models import Determination

__all__ = ["settlement_make", "settlements_enqueue"]


@shared_task(name="assistance.tasks.settlements_enqueue")
def settlements_enqueue() -> int:
    """Nightly: one task per decided redetermination not settled yet."""
    with transaction.atomic():
        ids = settlements_due()
        for determination_id in ids:
            job_enqueue(settlement_make, determination_id)
    return len(ids)


@shared_task(name="assistance.tasks.settlement_make", acks_late=True)
def settlement_make(determination_id: int) -> int | None:
    """Settle one redetermination (safe to run twice); the settlement's id, None if it is gone."""
    determination = Determination.objects.filter(pk=determination_id).first()
    if determination is None:
        return None
    return redetermination_settle(determination=determination).pk
