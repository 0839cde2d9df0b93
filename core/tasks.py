"""Celery tasks of the job outbox (beat entries in config/schedules.py)."""

from celery import shared_task

from core.jobs import jobs_prune, jobs_relay


@shared_task(name="core.tasks.jobs_relay")
def jobs_relay_task() -> int:
    """Every minute: send the jobs the broker could not take when they were written."""
    return jobs_relay()


@shared_task(name="core.tasks.jobs_prune")
def jobs_prune_task() -> int:
    """Daily: forget jobs sent long ago."""
    return jobs_prune()
