"""Celery tasks of casework. Each takes ids, loads, and calls a service; beat schedules are in config/schedules.py."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from casework import participation as arithmetic
from casework.models import Appointment, Case
from casework.selectors import appointments as appointment_selectors
from casework.selectors.attendance import participation_pairs
from casework.services import appointments as appointment_services
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


@shared_task
def appointment_reminders_enqueue() -> int:
    """Daily: one reminder task per scheduled appointment starting within the reminder days."""
    ids = appointment_selectors.appointments_to_remind(now=timezone.now(), days=appointment_services.reminder_days())
    with transaction.atomic():
        for pk in ids:
            job_enqueue(appointment_remind, appointment_id=pk)
    return len(ids)


@shared_task(acks_late=True)
def appointment_remind(*, appointment_id: int) -> bool:
    """Remind one client; the appointment's reminder mark makes a second run send nothing."""
    return appointment_services.appointment_remind(appointment=Appointment.objects.get(pk=appointment_id))


@shared_task
def appointments_flag_unmarked_enqueue() -> int:
    """Daily: a task for each appointment past its end that nobody marked kept or missed."""
    ids = appointment_selectors.appointments_unmarked(now=timezone.now())
    with transaction.atomic():
        for pk in ids:
            job_enqueue(appointment_flag_unmarked, appointment_id=pk)
    return len(ids)


@shared_task(acks_late=True)
def appointment_flag_unmarked(*, appointment_id: int) -> bool:
    """One unmarked appointment's task; its key makes a second run change nothing."""
    return (
        appointment_services.appointment_flag_unmarked(appointment=Appointment.objects.get(pk=appointment_id))
        is not None
    )
