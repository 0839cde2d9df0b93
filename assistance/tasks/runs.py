"""The monthly payment run on Celery: beat calls `payment_run_enqueue` on the 25th for the next month.

The enqueue task starts (or finds) the month's run and, once that is committed, enqueues one
batch task per slice of the enrollments still unpaid. Each batch pays what is still unpaid of
its slice and then tries to complete the run; the last to finish completes it. A batch that
runs twice, or a whole enqueue repeated, pays nobody twice (see `assistance.services.runs`).
The batch tasks go through the job outbox with the run, so a broker outage delays them.

A worker killed mid-batch loses nothing written (the batch is one transaction), but the run
stops moving until its message comes back from the broker. Beat runs
`payment_runs_resume_stalled` every few minutes: a run with no new issuance for
`PAYMENT_RUN_STALLED_MINUTES` has its unpaid enrollments sent as batches again.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assistance.models import PaymentRun
from assistance.selectors.runs import pending_enrollment_ids, stalled_run_ids
from assistance.services.runs import (
    DEFAULT_BATCH_SIZE,
    next_period,
    payment_run_batch,
    payment_run_complete,
    payment_run_resume,
    payment_run_start,
    period_parse,
)
from core.jobs import job_enqueue
from core.users import job_user

__all__ = [
    "payment_run_batch_task",
    "payment_run_complete_task",
    "payment_run_enqueue",
    "payment_runs_resume_stalled",
]


@shared_task(name="assistance.tasks.payment_run_enqueue")
def payment_run_enqueue(period: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Start the run for `period` (YYYY-MM; next month by default) and enqueue its batches; returns how many."""
    month = period_parse(period) if period else next_period(timezone.localdate())
    with transaction.atomic():
        run = payment_run_start(acting_user=job_user(), period=month)
        if run.status == PaymentRun.Status.COMPLETED:
            return 0
        return _enqueue_batches(run.pk, pending_enrollment_ids(period=month), batch_size)


def _enqueue_batches(run_id: int, ids: list[int], batch_size: int) -> int:
    """Store one batch task per slice of `ids` in the outbox (or the completion, if none); returns how many."""
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    for batch in batches:
        job_enqueue(payment_run_batch_task, run_id=run_id, enrollment_ids=batch)
    if not batches:
        job_enqueue(payment_run_complete_task, run_id=run_id)
    return len(batches)


@shared_task(name="assistance.tasks.payment_runs_resume_stalled")
def payment_runs_resume_stalled(batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Every few minutes: send again the unpaid batches of runs that stopped moving; returns how many runs."""
    since = timezone.now() - timedelta(minutes=settings.PAYMENT_RUN_STALLED_MINUTES)
    resumed = 0
    for run_id in stalled_run_ids(since=since):
        with transaction.atomic():
            ids = payment_run_resume(run=run_id, since=since, acting_user=job_user())
            if ids is not None:
                _enqueue_batches(run_id, ids, batch_size)
                resumed += 1
    return resumed


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
