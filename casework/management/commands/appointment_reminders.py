"""Remind clients of their appointments within the reminder days, and task the unmarked ones.

    manage.py appointment_reminders

What beat runs each morning, run at once. Running it again sends nothing twice: each appointment
is marked reminded with its letter, and each unmarked one's task has a key.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from casework.models import Appointment
from casework.selectors import appointments as selectors
from casework.services import appointments as services


class Command(BaseCommand):
    help = "Send the appointment reminders due, and a task for each past appointment not marked kept or missed."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        sent = 0
        for pk in selectors.appointments_to_remind(now=now, days=services.reminder_days()):
            sent += services.appointment_remind(appointment=Appointment(pk=pk))
        flagged = 0
        for pk in selectors.appointments_unmarked(now=now):
            flagged += services.appointment_flag_unmarked(appointment=Appointment(pk=pk)) is not None
        self.stdout.write(f"{sent} reminders sent; {flagged} unmarked appointments on workers' lists.")
