from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class OfficeTransfer(models.Model):
    """A client and their open cases moving from one office to another.

    The sending office's supervisor asks (their request is the sending side's approval); the
    receiving office's supervisor accepts, naming the worker who takes the cases, or declines.
    Until it is accepted nothing moves and the receiving office sees nothing of the client.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for the receiving office"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.REQUESTED: {Status.ACCEPTED, Status.DECLINED, Status.CANCELLED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.CANCELLED: set(),
    }

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="office_transfers")
    cases = models.ManyToManyField("casework.Case", related_name="office_transfers")
    from_office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    to_office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    to_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The receiving office's worker who takes the cases.",
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["to_office", "status"], name="officetransfer_to_status"),
            models.Index(fields=["from_office", "status"], name="officetransfer_from_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="requested"),
                name="officetransfer_one_waiting_per_client",
                violation_error_message="A transfer of this client is already waiting.",
            ),
            models.CheckConstraint(
                condition=~Q(from_office=F("to_office")),
                name="officetransfer_between_two_offices",
                violation_error_message="A transfer goes to another office.",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="officetransfer_not_decided_by_requester",
                violation_error_message="Nobody decides their own request.",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(to_worker__isnull=False, decided_by__isnull=False),
                name="officetransfer_accepted_has_worker",
            ),
        ]

    def __str__(self) -> str:
        return f"Transfer of {self.client} from {self.from_office} to {self.to_office}"

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.REQUESTED
