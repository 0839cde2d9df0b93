"""The monthly payment run: one per benefit month."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentRun(models.Model):
    """The run that issues a month's recurring benefits; started again, it carries on where it stopped."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")

    period = models.DateField(unique=True, help_text=_("The first of the benefit month."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: When beat last sent its unpaid batches again because the run had stopped moving.
    resumed_at = models.DateTimeField(null=True, blank=True)
    #: Counts and totals of the finished run, and the enrollments it skipped with the reason.
    report = models.JSONField(default=dict, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"Payment run {self.period:%Y-%m}"
