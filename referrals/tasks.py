"""Celery tasks: they take ids and call a service. Beat runs `referrals_enqueue_follow_ups`
(config/schedules.py), which fans out one small task per referral due."""

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.jobs import job_enqueue
from referrals import services
from referrals.selectors.referrals import referral_ids_due_follow_up


@shared_task
def referrals_enqueue_follow_ups(day: str | None = None) -> int:
    """Enqueue a follow-up for each referral with no move for its urgency's days. Returns how many."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    ids = referral_ids_due_follow_up(today=today)
    with transaction.atomic():
        for referral_id in ids:
            job_enqueue(referral_follow_up, referral_id, today.isoformat())
    return len(ids)


@shared_task
def referral_follow_up(referral_id: int, day: str) -> int | None:
    """Make the follow-up task for one referral, once (see `services.referral_follow_up`)."""
    task = services.referral_follow_up(referral_id=referral_id, today=date.fromisoformat(day))
    return task.pk if task else None
