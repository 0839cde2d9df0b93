"""Settle decided redeterminations into overpayments and arrears (the nightly job's code, run in this process)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from assistance.selectors.overpayments import settlements_due
from assistance.services.settlements import redetermination_settle
from core.money import format_money
from eligibility.models import Determination


class Command(BaseCommand):
    help = "Settle decided redeterminations with an earlier effective date: overpayments and arrears, once each."

    def handle(self, *args, **options) -> None:
        settled = overpayments = arrears = 0
        overpaid = underpaid = Decimal("0.00")
        failed: list[str] = []
        for determination in Determination.objects.filter(pk__in=settlements_due()).order_by("run_at", "pk"):
            try:
                settlement = redetermination_settle(determination=determination)
            except ValidationError as error:
                failed.append(f"determination {determination.pk}: {'; '.join(error.messages)}")
                continue
            settled += 1
            if settlement.overpayment_id:
                overpayments += 1
                overpaid += settlement.overpayment.amount
            if settlement.arrears_id:
                arrears += 1
                underpaid += settlement.arrears.amount
        for line in failed:
            self.stderr.write(f"Not settled: {line}")
        self.stdout.write(
            f"{settled} redetermination(s) settled: {overpayments} overpayment(s) of {format_money(overpaid)}, "
            f"{arrears} arrears issuance(s) of {format_money(underpaid)}; {len(failed)} not settled."
        )
