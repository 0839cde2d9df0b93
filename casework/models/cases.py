from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import StatusChange, status_columns


class Case(models.Model):
    """A household's case with the agency: who works it, and where it stands."""

    class Status(models.TextChoices):
        INTAKE = "intake", "Intake"
        OPEN = "open", "Open"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.INTAKE: {Status.OPEN, Status.CLOSED},
        Status.OPEN: {Status.SUSPENDED, Status.CLOSED},
        Status.SUSPENDED: {Status.OPEN, Status.CLOSED},
        Status.CLOSED: {Status.OPEN},
    }
    ACTIVE = (Status.INTAKE, Status.OPEN, Status.SUSPENDED)

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        INELIGIBLE = "ineligible", "No longer eligible"
        CLIENT_REQUEST = "client_request", "Client asked to close"
        MOVED = "moved", "Moved out of the area"
        NO_CONTACT = "no_contact", "Could not be contacted"
        TRANSFERRED = "transferred", "Transferred to another agency"
        DECEASED = "deceased", "Deceased"
        DUPLICATE = "duplicate", "Opened in error or duplicate"
        OTHER = "other", "Other"

    number = models.CharField(max_length=20, unique=True, editable=False)
    household = models.ForeignKey("clients.Household", on_delete=models.PROTECT, related_name="cases")
    primary_client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="primary_cases")
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="cases")
    assigned_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INTAKE)
    restricted = models.BooleanField(
        default=False, help_text="Only the assigned worker and their supervisor see this case and its clients."
    )
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True, help_text="Kept by the case-note service.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["assigned_worker", "status"], name="case_worker_status"),
            models.Index(fields=["office", "status"], name="case_office_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(closure_reason="")),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def allowed_moves(self) -> list[str]:
        return sorted(self.TRANSITIONS.get(self.status, set()))


class CaseNumberSequence(models.Model):
    """The last case number given out each year, locked while the next is taken."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseStatusChange(StatusChange):
    """One row per status move: the case's history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Case.Status, max_length=12)


class CaseAssignment(models.Model):
    """Who worked a case, from when to when. The current one has no end."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    override_reason = models.TextField(blank=True, help_text="Why the worker's maximum caseload was exceeded.")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="assignment_one_current_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.worker}"
