from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.append_only import AppendOnlyError, AppendOnlyModel

__all__ = ["AppendOnlyError", "CaseNote", "NoteAddendum"]


class AppendOnly(AppendOnlyModel):
    """Saved once, never changed or removed. On PostgreSQL a trigger enforces it too (migration 0002)."""

    append_only_message = "A case note cannot be changed or removed once saved; add an addendum instead."

    class Meta:
        abstract = True


class CaseNote(AppendOnly):
    class Kind(models.TextChoices):
        OFFICE_VISIT = "office_visit", _("Office visit")
        PHONE_CALL = "phone_call", _("Phone call")
        HOME_VISIT = "home_visit", _("Home visit")
        CASE_CONFERENCE = "case_conference", _("Case conference")
        COLLATERAL = "collateral", _("Collateral contact")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    contact_at = models.DateTimeField(help_text=_("When the contact happened."))
    present = models.CharField(max_length=300, blank=True, help_text=_("Who took part."))
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    confidential = models.BooleanField(
        default=False, help_text=_("Only the author, the assigned worker and their supervisor read it.")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-contact_at", "-id"]
        indexes = [models.Index(fields=["case", "contact_at"], name="note_case_contact")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.contact_at:%Y-%m-%d}"


class NoteAddendum(AppendOnly):
    """A correction or addition to a note, shown under it with its own author and time."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="addenda")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to note {self.note_id}"
