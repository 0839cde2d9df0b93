"""The monthly payment run on Celery: beat calls `payment_run_enqueue` on the 25th for the next month.

The enqueue task starts (or finds) the month's run and, once that is committed, enqueues one
batch task per slice of the enrollments still unpaid. Each batch pays what is still unpaid of
its slice and then tries to complete the run; the last to finish completes it. A batch that
runs twice, or a whole enqueue repeated, pays nobody twice (see `assistance.services.runs`).
"""

from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from assistance.models import PaymentRun
from assistance.selectors.runs import pending_enrollment_ids
from assistance.services.runs import (
    DEFAULT_BATCH_SIZE,
    next_period,
    payment_run_batch,
    payment_run_complete,
    payment_run_start,
    period_parse,
)
from eligibility.services.reviews import job_user

__all__ = ["payment_run_batch_task", "payment_run_complete_task", "payment_run_enqueue"]


@shared_task(name="assistance.tasks.payment_run_enqueue")
def payment_run_enqueue(period: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Start the run for `period` (YYYY-MM; next month by default) and enqueue its batches; returns how many."""
    month = period_parse(period) if period else next_period(timezone.localdate())
    with transaction.atomic():
        run = payment_run_start(acting_user=job_user(), period=month)
        if run.status == PaymentRun.Status.COMPLETED:
            return 0
        ids = pending_enrollment_ids(period=month)
        batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
        for batch in batches:
            transaction.on_commit(partial(payment_run_batch_task.delay, run_id=run.pk, enrollment_ids=batch))
        if not batches:
            transaction.on_commit(partial(payment_run_complete_task.delay, run_id=run.pk))
    return len(batches)


@shared_task(name="assistance.tasks.payment_run_batch", acks_late=True)
def payment_run_batch_task(*, run_id: int, enrollment_ids: list[int]) -> int:
    """Pay one slice of a run's enrollments (those still unpaid), then complete the run if nothing is left."""
    user = job_user()
    result = payment_run_batch(run=run_id, enrollment_ids=enrollment_ids, acting_user=user)
    payment_run_complete(run=run_id, acting_user=user)
    return result.issued


@shared_task(name="assistance.tasks.payment_run_complete", acks_late=True)
def payment_run_complete_task(*, run_id: int) -> bool:
    """Complete a run with nothing (left) to pay: its report and payment file."""
    return payment_run_complete(run=run_id) is not None
