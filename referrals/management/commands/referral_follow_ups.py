"""Give workers a follow-up task for each referral with no move for its urgency's days.

    manage.py referral_follow_ups [--date YYYY-MM-DD]

The same work as the beat job `referrals.tasks.referrals_enqueue_follow_ups`, done here and
now. Running it again the same day changes nothing: each task is keyed by the referral and
the day of its last move.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.models import Task
from referrals.selectors.referrals import referral_ids_due_follow_up
from referrals.services import referral_follow_up


class Command(BaseCommand):
    help = "Make follow-up tasks for referrals that have not moved for their urgency's number of days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", dest="day", help="The day to judge from, YYYY-MM-DD (default: today).")

    def handle(self, *args, day: str | None = None, **options) -> None:
        try:
            today = date.fromisoformat(day) if day else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        ids = referral_ids_due_follow_up(today=today)
        before = Task.objects.filter(kind=Task.Kind.FOLLOW_UP).count()
        for referral_id in ids:
            referral_follow_up(referral_id=referral_id, today=today)
        made = Task.objects.filter(kind=Task.Kind.FOLLOW_UP).count() - before
        self.stdout.write(f"{today:%Y-%m-%d}: {len(ids)} referral(s) due for follow-up; {made} new follow-up task(s).")
