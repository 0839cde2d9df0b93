"""Review a month's work participation for every client with activities running in it.

    manage.py participation_review --month 2026-03

Without --month it reviews the month before this one. Running it again changes nothing:
each shortfall task has a key per client and month (see `participation_review`).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework import participation as arithmetic
from casework.models import Case
from casework.selectors.attendance import participation_pairs
from casework.services.attendance import participation_review
from clients.models import Client


class Command(BaseCommand):
    help = "Compare each client's hours in a past month with what their activities require; task the shortfalls."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="The month to review, YYYY-MM (default: last month).")

    def handle(self, *args, month: str | None = None, **options) -> None:
        today = timezone.localdate()
        try:
            year, number = arithmetic.parse_month(month) if month else arithmetic.previous_month(today)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not arithmetic.month_has_ended(year, number, today):
            raise CommandError(f"{year}-{number:02d} has not ended yet; review a month once it is over.")
        pairs = participation_pairs(year=year, month=number)
        cases = Case.objects.in_bulk({case_id for case_id, _ in pairs})
        clients = Client.objects.in_bulk({client_id for _, client_id in pairs})
        short = created = 0
        for case_id, client_id in pairs:
            try:
                review = participation_review(case=cases[case_id], client=clients[client_id], year=year, month=number)
            except ValidationError as error:
                self.stderr.write(f"Case {case_id}, client {client_id}: {' '.join(error.messages)}")
                continue
            short += review.participation.is_short
            created += review.task_created
        self.stdout.write(
            f"{year}-{number:02d}: reviewed {len(pairs)} client(s) on their cases; "
            f"{short} short of the requirement; {created} new participation task(s)."
        )
