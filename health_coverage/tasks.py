"""Celery tasks: they take ids and call a service. Beat runs `special_authorizations_enqueue_due`
(config/schedules.py), which fans out one small task per approval to renew or to expire."""

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.jobs import job_enqueue
from health_coverage import selectors, services


@shared_task
def special_authorizations_enqueue_due(day: str | None = None) -> int:
    """Renewal tasks for approvals ending soon, and expiry of those that have ended. Returns how many."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    renew = selectors.special_authorization_ids_to_renew(today=today, days=services.RENEWAL_NOTICE_DAYS)
    ended = selectors.special_authorization_ids_ended(today=today)
    with transaction.atomic():
        for request_id in renew:
            job_enqueue(special_authorization_renewal, request_id, today.isoformat())
        for request_id in ended:
            job_enqueue(special_authorization_expire, request_id, today.isoformat())
    return len(renew) + len(ended)


@shared_task
def special_authorization_renewal(request_id: int, day: str) -> int | None:
    task = services.special_authorization_renewal_task(request_id=request_id, today=date.fromisoformat(day))
    return task.pk if task else None


@shared_task
def special_authorization_expire(request_id: int, day: str) -> int | None:
    request = services.special_authorization_expire(request_id=request_id, today=date.fromisoformat(day))
    return request.pk if request else None
