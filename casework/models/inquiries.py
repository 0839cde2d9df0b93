from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Inquiry(models.Model):
    """An inquiry or complaint, from whoever it comes, and the agency's response."""

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        COMPLAINT = "complaint", _("Complaint")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        MAIL = "mail", _("Mail")
        EMAIL = "email", _("Email")

    class Source(models.TextChoices):
        CLIENT = "client", _("Client")
        REPRESENTATIVE = "representative", _("Client's representative")
        ELECTED_OFFICIAL = "elected_official", _("Elected official's office")
        AGENCY = "agency", _("Another agency")
        PUBLIC = "public", _("Member of the public")

    class Subject(models.TextChoices):
        ELIGIBILITY = "eligibility", _("Eligibility")
        PAYMENT = "payment", _("Payment or benefit amount")
        CASE_STATUS = "case_status", _("Case status")
        DOCUMENTS = "documents", _("Documents")
        STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
        SERVICES = "services", _("Services and referrals")
        POLICY = "policy", _("Policy question")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

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
