from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxJob(models.Model):
    """A Celery task that must follow a write, stored in the same transaction as the write.

    `core.jobs` relays it to the broker after the commit; while the broker is unreachable the
    row stays pending (`sent_at` empty) and the relay sends it once the broker is back.
    """

    task = models.CharField(max_length=200, help_text="The registered name of the Celery task.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the job waits for the broker.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay reads only pending rows; sent ones pile up until pruned and it never scans them.
            models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="core_outboxjob_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.sent_at is None
