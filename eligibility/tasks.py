"""Celery tasks: they take ids and call a service (enqueued with `transaction.on_commit`)."""

from celery import shared_task

from eligibility.services.enrollments import enrollment_review_schedule


@shared_task
def enrollment_review_task(enrollment_id: int) -> int | None:
    """Put the review of an approved enrollment on its worker's list, once (safe to run twice)."""
    task = enrollment_review_schedule(enrollment_id=enrollment_id)
    return task.pk if task else None
