"""Run a month's payment run in this process, batch by batch, showing progress; safe to run again."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assistance.models import PaymentRun
from assistance.services.runs import (
    DEFAULT_BATCH_SIZE,
    BatchResult,
    next_period,
    payment_file,
    payment_file_store,
    payment_run_inline,
    period_parse,
)
from core.money import format_money


class Command(BaseCommand):
    help = (
        "Issue a benefit month's recurring benefits, less recovery deductions, and write the payment file. "
        "Running it again carries on where it stopped and pays nobody twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="The benefit month, YYYY-MM; next month by default.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Enrollments per transaction.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Batches paid at once, each on its own database connection (PostgreSQL); 1 by default.",
        )
        parser.add_argument(
            "--out", help="Where to write the payment file (CSV); by default payments/ in the private media storage."
        )

    def handle(self, *args, period=None, batch_size=DEFAULT_BATCH_SIZE, workers=1, out=None, **options):
        if batch_size < 1 or workers < 1:
            raise CommandError("--batch-size and --workers must be 1 or more.")
        try:
            month = period_parse(period) if period else next_period(timezone.localdate())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Payment run for {month:%B %Y}")
        totals = {"issued": 0, "recovering": 0, "already_paid": 0}

        def progress(number: int, count: int, result: BatchResult) -> None:
            totals["issued"] += result.issued
            totals["recovering"] += result.recovering
            totals["already_paid"] += result.already_paid
            extra = f", {result.already_paid:,} already paid" if result.already_paid else ""
            self.stdout.write(
                f"batch {number}/{count}: {result.issued:,} issued, {result.recovering:,} recovering{extra}"
            )

        try:
            run = payment_run_inline(period=month, batch_size=batch_size, progress=progress, workers=workers)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if run.status != PaymentRun.Status.COMPLETED:
            raise CommandError(
                f"The run for {month:%Y-%m} is not complete: enrollments kept becoming payable. Run it again."
            )
        if totals["issued"] == 0 and totals["already_paid"] == 0:
            self.stdout.write("Nothing left to pay: the run was already complete.")
        self._report(run)
        content = payment_file(run=run)
        if out:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        else:
            path = payment_file_store(run=run, content=content)
        self.stdout.write(f"Payment file: {path} (sha256 {run.file_sha256})")

    def _report(self, run: PaymentRun) -> None:
        report = run.report
        write = self.stdout.write
        write(f"Report for {report['period']} (completed {timezone.localtime(run.finished_at):%Y-%m-%d %H:%M}):")
        write(f"  issued: {report['issued']:,}")
        write(
            f"  gross: {format_money(report['gross'])}  recovered: {format_money(report['recovered'])}  "
            f"net: {format_money(report['net'])}"
        )
        write(
            f"  with a recovery deduction: {report['with_deduction']:,}"
            f" (overpayments recovered in full: {report['overpayments_recovered_in_full']:,})"
        )
        write(f"  already paid elsewhere: {report['already_paid']:,}")
        for kind, count in report["not_due"].items():
            write(f"  not due ({kind}): {count:,}")
        write(f"  skipped: {report['skipped_count']:,}")
        for kind, count in report["skipped_reasons"].items():
            write(f"    {kind}: {count:,}")
        for code, figures in report["programs"].items():
            write(
                f"  {figures['name']} ({code}): {figures['issued']:,} issued, gross {format_money(figures['gross'])}, "
                f"recovered {format_money(figures['recovered'])}, net {format_money(figures['net'])}"
            )
