"""Closed-loop referrals: a client sent from a case to a service, and what came of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import StatusChange, status_columns


class SharedInfo(models.TextChoices):
    """What of the client's file a referral passes to the organization (and prints on its letter)."""

    CONTACT = "contact", "Contact details (phone, email)"
    ADDRESS = "address", "Address"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    HOUSEHOLD = "household", "Household (relationships and ages)"
    INCOME = "income", "Income"
    DOCUMENTS = "documents", "Documents on file (their kinds)"


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"
        NOT_COMPLETED = "not_completed", "Not completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.SENT, Status.WITHDRAWN},
        Status.SENT: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.COMPLETED, Status.NOT_COMPLETED, Status.WITHDRAWN},
        Status.DECLINED: set(),
        Status.COMPLETED: set(),
        Status.NOT_COMPLETED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN = (Status.DRAFT, Status.SENT, Status.ACCEPTED)

    class Urgency(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        ROUTINE = "routine", "Routine"

    # Days without a move before the worker is given a follow-up task; settings may
    # override them with REFERRAL_FOLLOW_UP_DAYS = {"urgent": 2, ...}.
    FOLLOW_UP_DAYS: dict[str, int] = {Urgency.URGENT: 2, Urgency.HIGH: 5, Urgency.ROUTINE: 14}

    class Outcome(models.TextChoices):
        """Why an accepted referral did not end with the client getting the service."""

        NO_CAPACITY = "no_capacity", "No capacity"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        COULD_NOT_CONTACT = "could_not_contact", "Could not contact the client"
        CLIENT_DECLINED = "client_declined", "Client declined"

    class Declined(models.TextChoices):
        """Why the receiving organization declined a referral (its link or its system)."""

        NO_CAPACITY = "no_capacity", "No capacity"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        SERVICE_NOT_OFFERED = "service_not_offered", "Service not offered"
        OUT_OF_AREA = "out_of_area", "Outside the service area"
        DUPLICATE = "duplicate", "Already referred or served"
        OTHER = "other", "Other"

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey("referrals.Service", on_delete=models.PROTECT, related_name="referrals")
    # Kept as it was when the referral was made, for the figures, whatever the directory later says.
    organization = models.ForeignKey("referrals.Organization", on_delete=models.PROTECT, related_name="referrals")
    location = models.ForeignKey(
        "referrals.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    shared = models.JSONField(default=list, blank=True, help_text="SharedInfo codes: what the organization is told.")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    consent = models.ForeignKey(
        "clients.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The consent the referral relied on when it was sent.",
    )
    consent_override_reason = models.TextField(blank=True)
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intake_task = models.ForeignKey("casework.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # What the receiving organization said, through its link or its system.
    partner_responded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the organization first accepted or declined."
    )
    declined_reason = models.CharField(max_length=20, choices=Declined.choices, blank=True)
    first_appointment_at = models.DateTimeField(
        null=True, blank=True, help_text="The first appointment the organization proposed."
    )
    # The time of the latest move: the follow-up job counts the days since.
    last_moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "urgency", "last_moved_at"], name="referral_follow_up"),
            models.Index(fields=["case", "created_at"], name="referral_case"),
            models.Index(fields=["created_at"], name="referral_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sent", "accepted"]) | Q(closed_at__isnull=False),
                name="referral_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_completed") | ~Q(outcome=""), name="referral_not_completed_has_outcome"
            ),
            models.CheckConstraint(
                condition=Q(consent_override_reason="") | Q(consent_override_by__isnull=False),
                name="referral_override_has_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service.name}" if self.service_id else f"Referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def allowed_moves(self) -> list[str]:
        return [s for s in self.Status.values if s in self.TRANSITIONS.get(self.status, set())]

    @classmethod
    def follow_up_days(cls) -> dict[str, int]:
        return {**cls.FOLLOW_UP_DAYS, **getattr(settings, "REFERRAL_FOLLOW_UP_DAYS", {})}

    def shared_labels(self) -> list[str]:
        return [label for value, label in SharedInfo.choices if value in self.shared]


class ReferralStatusChange(StatusChange):
    """One row per move of a referral: who moved it, when, why, and (not completed) the outcome."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Referral.Status, max_length=15)
    outcome = models.CharField(max_length=20, choices=Referral.Outcome.choices, blank=True)


class OrganizationAccount(models.Model):
    """The account a directory organization acts through: its referral links and its system's API
    client (api/) record their moves under it, so the trail names the organization."""

    organization = models.OneToOneField("referrals.Organization", on_delete=models.PROTECT, related_name="account")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organization_account")

    def __str__(self) -> str:
        return f"{self.organization} ({self.user})"
