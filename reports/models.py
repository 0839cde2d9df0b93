"""The monthly statistical report, kept as a record once made."""

from django.db import models
from django.utils import timezone


class MonthlyReport(models.Model):
    """The agency's figures for one calendar month, as made on the first of the next one.

    Made once per month (the unique month) so a job that runs twice makes it once; its
    figures, PDF and CSV are kept as they were on the day, whatever is corrected later.
    """

    month = models.DateField(unique=True, help_text="The first day of the month reported on.")
    figures = models.JSONField(
        help_text="Each figure's key and numbers (reports.figures.RENDERERS writes its words in the reader's "
        "language); a report made before that keeps each figure's title, columns, rows and summary as written."
    )
    language = models.CharField(
        max_length=10, default="en", help_text="The language the CSV and PDF kept with the report were made in."
    )
    csv = models.TextField()
    pdf = models.BinaryField()
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"Monthly report {self.month:%Y-%m}"
