from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.append_only import AppendOnlyError, AppendOnlyModel
from audit.encoding import AuditJSONEncoder

__all__ = ["AppendOnlyError", "AuditEvent", "AuditEventClient"]


class AuditEvent(AppendOnlyModel):
    """One thing somebody did or saw. Rows are only ever inserted.

    On PostgreSQL a trigger (migration 0002) refuses UPDATE and DELETE, so not even
    a raw query or a database console can rewrite history.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Removed"
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        DOWNLOAD = "download", "Downloaded"
        REVEAL = "reveal", "Revealed identifier"
        MERGE = "merge", "Merged"
        BREAK_GLASS = "break_glass", "Break-glass access"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Failed sign-in"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=AuditJSONEncoder)
    reason = models.TextField(blank=True)

    append_only_message = "The audit trail is append-only."

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"


class AuditEventClient(AppendOnlyModel):
    """Which clients an event concerns: one for a page view, many for a search."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    client_id = models.BigIntegerField(db_index=True)

    append_only_message = "The audit trail is append-only."

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "client_id"], name="audit_subject_unique")]

    def __str__(self) -> str:
        return f"event {self.event_id}: client {self.client_id}"
