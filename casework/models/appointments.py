from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns


class Appointment(models.Model):
    """A meeting a worker keeps with a client on a case: an interview, a visit, a conference, a call.

    Its status moves only through `casework.services.appointments`; each move is an
    `AppointmentStatusChange`. A rescheduled appointment stays, pointing to the one that replaced it.
    """

    class Kind(models.TextChoices):
        APPLICATION_INTERVIEW = "application_interview", _("Application interview")
        RENEWAL_INTERVIEW = "renewal_interview", _("Renewal interview")
        OFFICE_VISIT = "office_visit", _("Office visit")
        HOME_VISIT = "home_visit", _("Home visit")
        CASE_CONFERENCE = "case_conference", _("Case conference")
        FAIR_HEARING = "fair_hearing", _("Fair hearing")
        PHONE = "phone", _("Phone appointment")

    INTERVIEWS = (Kind.APPLICATION_INTERVIEW, Kind.RENEWAL_INTERVIEW)

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        KEPT = "kept", _("Kept")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    # The allowed moves; `appointment_mark` and `appointment_reschedule` refuse any other.
    # A worker may correct kept and missed the same day they were marked wrong.
    TRANSITIONS: dict[str, set[str]] = {
        Status.SCHEDULED: {Status.KEPT, Status.MISSED, Status.CANCELLED, Status.RESCHEDULED},
        Status.KEPT: {Status.MISSED},
        Status.MISSED: {Status.KEPT, Status.RESCHEDULED},
        Status.CANCELLED: set(),
        Status.RESCHEDULED: set(),
    }

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="appointments")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appointments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, help_text=_("Where: the office, the client's home, a room."))
    phone = models.CharField(max_length=30, blank=True, help_text=_("For a phone appointment: the number to call."))
    required = models.BooleanField(
        default=False, help_text=_("A required interview: missing it sends the client a notice of missed interview.")
    )
    agenda = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reminder = models.ForeignKey(
        "correspondence.Correspondence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminder_problem = models.TextField(blank=True, help_text=_("Why no reminder could be sent, if none was."))
    missed_notice_sent_at = models.DateTimeField(null=True, blank=True)
    missed_notice = models.ForeignKey(
        "correspondence.Correspondence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["worker", "starts_at"], name="appointment_worker_start"),
            # The reminder job reads scheduled appointments by start, not yet reminded.
            models.Index(
                fields=["starts_at"],
                condition=Q(status="scheduled", reminder_sent_at__isnull=True),
                name="appointment_to_remind",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status="rescheduled") | Q(rescheduled_to__isnull=True),
                name="appointment_only_rescheduled_points_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_interview(self) -> bool:
        return self.kind in self.INTERVIEWS

    def allowed_moves(self) -> list[str]:
        return sorted(self.TRANSITIONS.get(self.status, set()))


class AppointmentStatusChange(StatusChange):
    """One row per status move of an appointment: its history, never changed (append-only)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Appointment.Status, max_length=12)
    # Kept nullable as the table has always been; every move names who made it.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(StatusChange.Meta):
        ordering = ["changed_at", "id"]


class AppointmentParticipant(models.Model):
    """Someone at a case conference besides the worker: a colleague, or someone from outside the agency."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=120, blank=True, help_text=_("Someone outside the agency."))
    organization = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="appointment_participant_named")
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else f"{self.name} ({self.organization})".replace(" ()", "")


class CalendarFeed(models.Model):
    """A worker's private iCalendar address: whoever has the token reads the worker's appointments,
    without client names. A new token makes the old address stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"
