"""The monthly statistical report, kept as a record once made."""

from django.db import models
from django.utils import timezone


class MonthlyReport(models.Model):
    """The agency's figures for one calendar month, as made on the first of the next one.

    Made once per month (the unique month) so a job that runs twice makes it once; its
    figures, PDF and CSV are kept as they were on the day, whatever is corrected later.
    """

    month = models.DateField(unique=True, help_text="The first day of the month reported on.")
    figures = models.JSONField(help_text="The report's tables, as shown on its page.")
    csv = models.TextField()
    pdf = models.BinaryField()
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Monthly report {self.month:%Y-%m}"
