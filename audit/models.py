from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.append_only import AppendOnlyError, AppendOnlyModel
from audit.encoding import AuditJSONEncoder

__all__ = ["AppendOnlyError", "AuditEvent", "AuditEventClient", "ChainAnchor", "ChainHead"]


class AuditEvent(AppendOnlyModel):
    """One thing somebody did or saw. Rows are only ever inserted.

    On PostgreSQL a trigger (migrations 0002, 0005) refuses UPDATE and DELETE, but for giving
    an event its place in the hash chain once, so not even a raw query or a database console
    can rewrite history. There the table is partitioned by month (audit/partitions.py).
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
    #: Its place in the trail's hash chain and the chain's hash up to it (`audit.chain`).
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")

    append_only_message = "The audit trail is append-only."

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            # Two writers can never take the same place: the chain cannot fork, even past the head's lock.
            # On PostgreSQL the trail is partitioned by month and this holds within each month only
            # (audit/partitions.py); the chainer alone places events, under the head's lock.
            models.UniqueConstraint(fields=["seq"], name="auditevent_one_row_per_chain_position"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            # What the chainer reads every few seconds: events still waiting for their place.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_waiting"),
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


class ChainHead(models.Model):
    """The end of one hash chain (the audit trail's or the ledger's): its last position and hash.

    Each append locks this row (SELECT ... FOR UPDATE) until it commits, so writers extend the
    chain one after another. `audit_verify` compares it with the last row: rows removed from the
    end, or added past it outside the application, show.
    """

    name = models.CharField(max_length=20, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    moved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.seq}"


class ChainAnchor(AppendOnlyModel):
    """A chain's head as it was written to the anchor file kept outside the database."""

    append_only_message = "Anchors are never changed."

    anchored_at = models.DateTimeField(db_index=True)
    chain = models.CharField(max_length=20)
    seq = models.BigIntegerField()
    last_id = models.BigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=64)
    file = models.CharField(max_length=500)

    class Meta:
        ordering = ["-anchored_at", "chain"]

    def __str__(self) -> str:
        return f"{self.chain} at {self.seq} ({self.anchored_at:%Y-%m-%d %H:%M})"

    @property
    def chain_label(self) -> str:
        """ "Audit trail" or "Ledger" (`audit.chain.LABELS`)."""
        from audit.chain import LABELS  # the chains' module builds on these models

        return LABELS.get(self.chain, (self.chain,))[0]
