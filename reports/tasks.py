"""The monthly statistical report, made by beat on the first of the month (config/schedules.py)."""

from celery import shared_task
from django.utils import timezone

from core.dates import add_months
from reports.services import monthly_report_make


@shared_task
def monthly_report_make_previous() -> int:
    """Last month's report; running twice makes it once."""
    return monthly_report_make(month=add_months(timezone.localdate(), -1)).pk
