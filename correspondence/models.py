"""Everything sent to a client: each letter, notice, email and text message, kept as sent.

A `Correspondence` row is written when something is sent (or drafted), with the content
rendered in the client's language and the address it went to; its delivery moves along
`Correspondence.TRANSITIONS`, one `CorrespondenceStatusChange` row per move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns


class Channel(models.TextChoices):
    MAIL = "mail", _("Mail")
    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")


class Language(models.TextChoices):
    """The languages letters are written in; settings.LANGUAGES is the same list."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Español")
    FRENCH = "fr", _("Français")


class ContactPreference(models.Model):
    """How a client agreed to be reached, and what is safe for them.

    A client with no row is written to by mail at their address on file and by nothing else:
    email and text need the client's agreement. A restricted client, or one whose address is
    confidential, is written to by mail only at the safe alternate address kept here.
    """

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="contact_preference")
    preferred_channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.MAIL)
    language = models.CharField(
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: from the language on the client's file."),
    )
    mail_agreed = models.BooleanField("may be written to by mail", default=True)
    mail_safe = models.BooleanField("safe to send mail", default=True)
    email_agreed = models.BooleanField("agreed to email", default=False)
    email_safe = models.BooleanField("safe to email", default=True)
    email_message_ok = models.BooleanField(
        "safe to leave details by email", default=True, help_text=_("If not, the email only asks them to contact us.")
    )
    text_agreed = models.BooleanField("agreed to text messages", default=False)
    text_safe = models.BooleanField("safe to text", default=True)
    text_message_ok = models.BooleanField(
        "safe to leave details by text", default=True, help_text=_("If not, the text only asks them to contact us.")
    )
    alt_name = models.CharField("safe address: addressed to", max_length=120, blank=True)
    alt_line1 = models.CharField("safe address", max_length=120, blank=True)
    alt_line2 = models.CharField("safe address (line 2)", max_length=120, blank=True)
    alt_city = models.CharField("safe address: city", max_length=80, blank=True)
    alt_region = models.CharField("safe address: state or province", max_length=40, blank=True)
    alt_postal_code = models.CharField("safe address: postal code", max_length=12, blank=True)
    notes = models.TextField(blank=True, help_text=_("What the client said about contacting them."))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Contact preferences of client #{self.client_id}"

    @property
    def has_alternate_address(self) -> bool:
        return bool(self.alt_line1 and self.alt_city)


class LetterTemplate(models.Model):
    """An admin's wording of a letter in one language; editing saves a new version.

    The body reaches only the named fields of its code (`{{ field }}`); the newest version of
    a code and language replaces the built-in wording registered by the app that owns it.
    """

    code = models.SlugField(max_length=60)
    language = models.CharField(max_length=2, choices=Language.choices)
    version = models.PositiveIntegerField(editable=False)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Plain text; {{ field }} puts in one of the template's named fields."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["code", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language", "version"], name="lettertemplate_one_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.language}) v{self.version}"


class PrintBatch(models.Model):
    """One office's letters of the day by mail, in one PDF, each after its address page.

    A batch names many clients, restricted ones among them: only the office's own printers
    (`accounts.access.print_batch_scope`) list, download or mark it. Batches made before they
    were kept per office, holding letters of several offices, have no office and no printer.
    """

    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="print_batches"
    )
    created_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to="correspondence/batches/%Y/%m", max_length=200, blank=True)
    letters = models.PositiveIntegerField(default=0)
    printed_at = models.DateTimeField(null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "-created_at"], name="printbatch_office_recent")]

    def __str__(self) -> str:
        return f"Print batch {self.pk} of {timezone.localtime(self.created_at):%Y-%m-%d}"


class Correspondence(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        NOTICE = "notice", _("Notice")
        REMINDER = "reminder", _("Reminder")
        EMAIL = "email", _("Email")
        TEXT = "text", _("Text message")
        MEMO = "memo", _("Memo")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        PRINTED = "printed", _("Printed")

    STATUS_NOUN = "message"

    # The allowed moves; `correspondence.services` refuses any other (`core.status`). A queued item that fails
    # stays queued while it has retries left; mail is "sent" once in a print batch.
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.QUEUED},
        Status.QUEUED: {Status.SENT, Status.DELIVERED, Status.FAILED},
        Status.SENT: {Status.DELIVERED, Status.PRINTED, Status.FAILED},
        Status.FAILED: {Status.QUEUED},
        Status.DELIVERED: set(),
        Status.PRINTED: set(),
    }

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="correspondence")
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="correspondence"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LETTER)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    address = models.TextField(blank=True, help_text=_("The postal address, email address or number used, as it was."))
    language = models.CharField(max_length=2, choices=Language.choices)
    template_code = models.CharField(max_length=60)
    template_version = models.PositiveIntegerField(default=0, help_text=_("0: the built-in wording."))
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text=_("The text as sent."))
    pdf = models.FileField(upload_to="correspondence/letters/%Y/%m", max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job = models.CharField(max_length=100, blank=True, help_text=_("The scheduled job that sent it, if no person did."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    print_batch = models.ForeignKey(PrintBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="items")
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "correspondence"
        indexes = [
            models.Index(fields=["client", "-created_at"], name="corr_client_recent"),
            models.Index(fields=["case", "-created_at"], name="corr_case_recent"),
            # The retry job and the print batch read only queued rows.
            models.Index(fields=["channel", "next_attempt_at"], condition=Q(status="queued"), name="corr_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to client #{self.client_id}: {self.subject}"

    @property
    def sent_by_label(self) -> str:
        if self.sent_by_id:
            return self.sent_by.get_full_name() or self.sent_by.get_username()
        return self.job


class CorrespondenceStatusChange(StatusChange):
    """One row per move of a correspondence's delivery: its history, never changed (append-only)."""

    correspondence = models.ForeignKey(Correspondence, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Correspondence.Status, max_length=10)
    error = models.TextField(blank=True)
    # Empty when a job moved it (`job` names the job).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job = models.CharField(max_length=100, blank=True)

    class Meta(StatusChange.Meta):
        pass


class StaffMessage(models.Model):
    """A message to a member of staff, read in their inbox: never about a client, so it names none.

    Written with its text in the recipient's language and queued; the worker process delivers it
    to the inbox through the outbox (`correspondence.services.staff_message_deliver`). `key` names
    what it tells (the monthly report of a month, say): one message per recipient and key, so a job
    that runs twice sends it once. Kept once sent, like a letter to a client.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_messages")
    key = models.CharField(max_length=100, help_text=_("What it tells, once per recipient."))
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text=_("The text as sent."))
    link = models.CharField(max_length=200, blank=True, help_text=_("The page it points to, on this site."))
    job = models.CharField(max_length=100, blank=True, help_text=_("The scheduled job that sent it."))
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="staffmessage_once_per_recipient",
                violation_error_message="This person was already sent this message.",
            )
        ]
        # A person's inbox: their delivered messages, newest first.
        indexes = [models.Index(fields=["recipient", "-created_at"], name="staffmessage_inbox")]

    def __str__(self) -> str:
        return f"To {self.recipient_id}: {self.subject}"
