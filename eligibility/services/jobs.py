"""The three periodic jobs' shared machinery: which enrollments, claiming each one, doing the work.

A run is `job_prepare` (the selector's ids, each written as a pending `JobClaim` for the job
and day) and then, per enrollment, `job_work` (claim and work in one transaction). The
Celery tasks run `job_work` one enrollment per task; the management commands run it
in-process. Either way, a second run or a re-run after a crash finds the done claims done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from eligibility import selectors
from eligibility.models import JobClaim
from eligibility.services.redetermine import redetermine_many
from eligibility.services.reviews import review_open, review_suspend_overdue

Job = JobClaim.Job
CLAIMS_KEPT_DAYS = 35


def _open(ids: Sequence[int], run_on: date) -> None:
    for enrollment_id in ids:
        review_open(enrollment_id=enrollment_id, run_on=run_on)


def _overdue(ids: Sequence[int], run_on: date) -> None:
    for enrollment_id in ids:
        review_suspend_overdue(enrollment_id=enrollment_id, run_on=run_on)


def _redetermine(ids: Sequence[int], run_on: date) -> None:
    redetermine_many(enrollment_ids=ids, run_on=run_on)


SELECTORS: dict[str, Callable[..., list[int]]] = {
    Job.REVIEWS_OPEN: selectors.reviews_due_enrollment_ids,
    Job.REVIEWS_OVERDUE: selectors.reviews_overdue_enrollment_ids,
    Job.REDETERMINE: selectors.redetermine_enrollment_ids,
}
WORK: dict[str, Callable[[Sequence[int], date], None]] = {
    Job.REVIEWS_OPEN: _open,
    Job.REVIEWS_OVERDUE: _overdue,
    Job.REDETERMINE: _redetermine,
}


def job_prepare(*, job: str, run_on: date) -> list[int]:
    """The enrollments the job has to do today: the selector's, plus any claim left pending by a crash."""
    # Claims only matter while a run may be repeated; a month of them is plenty to look back on.
    JobClaim.objects.filter(job=job, run_on__lt=run_on - timedelta(days=CLAIMS_KEPT_DAYS)).delete()
    ids = SELECTORS[job](run_on=run_on)
    JobClaim.objects.bulk_create(
        (JobClaim(job=job, run_on=run_on, enrollment_id=i) for i in ids), ignore_conflicts=True, batch_size=1000
    )
    return list(
        JobClaim.objects.filter(job=job, run_on=run_on, status=JobClaim.Status.PENDING)
        .order_by("enrollment_id")
        .values_list("enrollment_id", flat=True)
    )


def job_work(*, job: str, run_on: date, enrollment_ids: Sequence[int]) -> list[int]:
    """Claim these enrollments for the job and day, and do the work, in one transaction.

    The claim is a conditional UPDATE (pending -> done). Done in the same transaction as the
    work, a crash rolls both back, so the claim is pending again for the re-run; and a second
    copy of the task blocks on the row lock until the first commits, then claims nothing.
    Returns the ids this call claimed.
    """
    claims = JobClaim.objects.filter(job=job, run_on=run_on, status=JobClaim.Status.PENDING)
    with transaction.atomic():
        if len(enrollment_ids) == 1:
            claimed = (
                list(enrollment_ids)
                if claims.filter(enrollment_id=enrollment_ids[0]).update(
                    status=JobClaim.Status.DONE, done_at=timezone.now()
                )
                else []
            )
        else:
            # A batch: lock what is free (another worker's rows are skipped, not waited for).
            mine = claims.filter(enrollment_id__in=list(enrollment_ids))
            if connection.features.has_select_for_update_skip_locked:
                mine = mine.select_for_update(skip_locked=True)
            claimed = list(mine.values_list("enrollment_id", flat=True))
            claims.filter(enrollment_id__in=claimed).update(status=JobClaim.Status.DONE, done_at=timezone.now())
        if claimed:
            WORK[job](sorted(claimed), run_on)
    return claimed


def job_run_inline(*, job: str, run_on: date, batch_size: int = 1) -> int:
    """The whole job in this process (the management commands): prepare, then work in batches."""
    ids = job_prepare(job=job, run_on=run_on)
    done = 0
    for start in range(0, len(ids), batch_size):
        done += len(job_work(job=job, run_on=run_on, enrollment_ids=ids[start : start + batch_size]))
    return done
