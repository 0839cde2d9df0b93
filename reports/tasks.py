"""The monthly statistical report, made by beat on the first of the month (config/schedules.py),
then sent to the managers' inboxes."""

from celery import shared_task
from django.utils import timezone

from core.dates import add_months
from reports.services import monthly_report_deliver, monthly_report_make


@shared_task
def monthly_report_make_previous() -> int:
    """Last month's report, and the message telling the managers; running twice makes and sends them once."""
    report = monthly_report_make(month=add_months(timezone.localdate(), -1))
    monthly_report_deliver(report=report)
    return report.pk
