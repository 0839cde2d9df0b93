from django.conf import settings
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


def status_columns(choices: type[models.TextChoices], *, max_length: int) -> tuple[models.CharField, models.CharField]:
    """The `from_status` and `to_status` columns of a history model, with its subject's statuses.

    Used in the class body: `from_status, to_status = status_columns(Case.Status, max_length=12)`.
    `from_status` is blank on the row that records the creation.
    """
    return (
        models.CharField(max_length=max_length, choices=choices.choices, blank=True),
        models.CharField(max_length=max_length, choices=choices.choices),
    )


class StatusChange(models.Model):
    """One row per status move of a row that has `TRANSITIONS`: who moved it, when, and why.

    A concrete history model adds the foreign key to its subject, named as it likes but with
    `related_name="status_changes"` (that is how `core.status.status_move` finds it), and its
    two status columns from `status_columns`. The tables are append-only for the application
    (`core.db_roles.APPEND_ONLY_TABLES`).
    """

    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        subject = self.subject_field()
        return f"{subject.related_model._meta.verbose_name} {getattr(self, subject.attname)}: " + (
            f"{self.from_status or 'new'} → {self.to_status}"
        )

    @classmethod
    def subject_field(cls) -> models.ForeignKey:
        """The foreign key to the row whose moves this model records."""
        return next(
            f for f in cls._meta.concrete_fields if f.is_relation and f.remote_field.related_name == "status_changes"
        )
