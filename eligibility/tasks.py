"""Celery tasks: they take ids and call a service (enqueued through the job outbox, `core.jobs`).

The periodic jobs fan out: beat (config/schedules.py) calls an `*_enqueue` task, which asks
a selector for the enrollments, writes a pending claim for each and stores one small task
per enrollment in the outbox with them, sent once the claims are committed.
"""

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.jobs import job_enqueue
from eligibility.models import JobClaim
from eligibility.services.enrollments import enrollment_review_schedule
from eligibility.services.jobs import job_prepare, job_work

Job = JobClaim.Job


@shared_task
def enrollment_review_task(enrollment_id: int) -> int | None:
    """Put the review of an approved enrollment on its worker's list, once (safe to run twice)."""
    task = enrollment_review_schedule(enrollment_id=enrollment_id)
    return task.pk if task else None


def _enqueue(job: str, run_on: str | None) -> int:
    day = date.fromisoformat(run_on) if run_on else timezone.localdate()
    with transaction.atomic():
        ids = job_prepare(job=job, run_on=day)
        for enrollment_id in ids:
            job_enqueue(eligibility_job_enrollment, job=job, run_on=day.isoformat(), enrollment_id=enrollment_id)
    return len(ids)


@shared_task
def reviews_enqueue_due(run_on: str | None = None) -> int:
    """Daily: one task per enrollment whose review falls due within the program's notice days."""
    return _enqueue(Job.REVIEWS_OPEN, run_on)


@shared_task
def reviews_enqueue_overdue(run_on: str | None = None) -> int:
    """Daily: one task per enrollment whose open review is past due plus the grace days."""
    return _enqueue(Job.REVIEWS_OVERDUE, run_on)


@shared_task
def redetermine_enqueue(run_on: str | None = None) -> int:
    """Nightly: one task per active enrollment, to redetermine it if its household changed."""
    return _enqueue(Job.REDETERMINE, run_on)


@shared_task(acks_late=True)
def eligibility_job_enrollment(*, job: str, run_on: str, enrollment_id: int) -> bool:
    """One job's work on one enrollment; False when another run had already claimed it."""
    return bool(job_work(job=job, run_on=date.fromisoformat(run_on), enrollment_ids=[enrollment_id]))
