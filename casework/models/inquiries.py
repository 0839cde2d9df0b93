from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Inquiry(models.Model):
    """An inquiry or complaint, from whoever it comes, and the agency's response."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        COMPLAINT = "complaint", "Complaint"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        WALK_IN = "walk_in", "Walk-in"
        MAIL = "mail", "Mail"
        EMAIL = "email", "Email"

    class Source(models.TextChoices):
        CLIENT = "client", "Client"
        REPRESENTATIVE = "representative", "Client's representative"
        ELECTED_OFFICIAL = "elected_official", "Elected official's office"
        AGENCY = "agency", "Another agency"
        PUBLIC = "public", "Member of the public"

    class Subject(models.TextChoices):
        ELIGIBILITY = "eligibility", "Eligibility"
        PAYMENT = "payment", "Payment or benefit amount"
        CASE_STATUS = "case_status", "Case status"
        DOCUMENTS = "documents", "Documents"
        STAFF_CONDUCT = "staff_conduct", "Staff conduct"
        SERVICES = "services", "Services and referrals"
        POLICY = "policy", "Policy question"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    # The allowed moves, a response then closing; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.RESPONDED},
        Status.RESPONDED: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="inquiries")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INQUIRY)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    requester_name = models.CharField(max_length=160, blank=True)
    requester_contact = models.CharField(max_length=160, blank=True)
    subject = models.CharField(max_length=20, choices=Subject.choices)
    description = models.TextField()
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries")
    received_at = models.DateTimeField(default=timezone.now)
    response_due_on = models.DateField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inquiries")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "inquiries"
        indexes = [models.Index(fields=["office", "received_at"], name="inquiry_office_received")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(response="") & Q(responded_at__isnull=False)),
                name="inquiry_answered_has_response",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} about {self.get_subject_display().lower()}"
