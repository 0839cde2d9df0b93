"""Celery tasks of casework. Each takes ids, loads, and calls a service; beat schedules are in config/schedules.py."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from casework import participation as arithmetic
from casework.models import Case
from casework.selectors.attendance import participation_pairs
from casework.services.attendance import participation_review
from clients.models import Client
from core.jobs import job_enqueue


@shared_task
def participation_enqueue_month() -> int:
    """On the first of the month: one small review task per client with activities last month."""
    year, month = arithmetic.previous_month(timezone.localdate())
    pairs = participation_pairs(year=year, month=month)
    with transaction.atomic():
        for case_id, client_id in pairs:
            job_enqueue(participation_review_client, case_id=case_id, client_id=client_id, year=year, month=month)
    return len(pairs)


@shared_task(acks_late=True)
def participation_review_client(*, case_id: int, client_id: int, year: int, month: int) -> bool:
    """Review one client's month; the shortfall task's key makes a second run change nothing."""
    review = participation_review(
        case=Case.objects.get(pk=case_id), client=Client.objects.get(pk=client_id), year=year, month=month
    )
    return review.task_created
