"""Redetermine active enrollments whose household facts changed (the beat job's code, run in this process)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from eligibility.models import JobClaim
from eligibility.services.jobs import job_run_inline


class Command(BaseCommand):
    help = "Redetermine active enrollments whose household facts changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Run as of this day (YYYY-MM-DD); today by default."
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, date=None, batch_size=500, **options):
        # call_command(..., date="2026-01-31") skips the parser's conversion.
        run_on = datetime.date.fromisoformat(date) if isinstance(date, str) else date or timezone.localdate()
        done = job_run_inline(job=JobClaim.Job.REDETERMINE, run_on=run_on, batch_size=batch_size)
        self.stdout.write(f"{done} enrollment(s) done for {run_on:%Y-%m-%d}.")
