from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Task(models.Model):
    """Something a worker must do on a case, or about another record of the agency (a sponsor
    project's monitoring follow-up), by a date. Other apps create them through
    `casework.services.tasks.task_create`."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        DOCUMENT_REQUEST = "document_request", _("Document request")
        REVIEW = "review", _("Review")
        HOME_VISIT = "home_visit", _("Home visit")
        CALL_BACK = "call_back", _("Call back")
        PLAN_REVIEW = "plan_review", _("Plan review")
        PARTICIPATION = "participation", _("Participation shortfall")
        INTAKE = "intake", _("Intake")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    # What a task without a case is about (a sponsor project, say): a link that keeps casework from
    # knowing the apps above it. A task has a case, or this, or both.
    about_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Set by jobs that must create a task once however often they run (e.g. "plan-review:42:2026-12-01").
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False), name="task_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(about_type__isnull=False, about_id__isnull=False),
                name="task_has_case_or_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def client_ids(self) -> list[int]:
        """The client a task names, for the audit trail: its case's primary client, if it has a case."""
        return [self.case.primary_client_id] if self.case_id else []

    def is_overdue_on(self, day) -> bool:
        return self.status == self.Status.OPEN and self.due_on < day
