"""Celery tasks: they take ids and call a service. Beat runs `correspondence_retry_due` every
minute and `print_batch_make` each morning (config/schedules.py); `staff_message_deliver` is
enqueued through the outbox by `correspondence.services.staff_message_send`."""

from celery import shared_task
from django.db import transaction

from core.jobs import job_enqueue
from correspondence import services
from correspondence.selectors import correspondence_ids_due_retry


@shared_task(name="correspondence.tasks.correspondence_deliver")
def correspondence_deliver(correspondence_id: int) -> str | None:
    """Deliver one queued email or text (safe to run twice: a delivered one is left alone)."""
    item = services.correspondence_deliver(correspondence_id=correspondence_id)
    return item.status if item else None


@shared_task(name="correspondence.tasks.correspondence_retry_due")
def correspondence_retry_due() -> int:
    """Enqueue another try of each message whose pause after a failure is over. Returns how many."""
    ids = correspondence_ids_due_retry()
    with transaction.atomic():
        for pk in ids:
            job_enqueue(correspondence_deliver, pk)
    return len(ids)


@shared_task(name="correspondence.tasks.print_batch_make")
def print_batch_make() -> list[int]:
    """Gather the letters waiting for the post into the day's print batch of each office."""
    return [batch.pk for batch in services.print_batch_make()]


@shared_task(name="correspondence.tasks.staff_message_deliver")
def staff_message_deliver(message_id: int) -> bool:
    """Deliver one message to a member of staff's inbox (safe to run twice)."""
    return services.staff_message_deliver(message_id=message_id) is not None
