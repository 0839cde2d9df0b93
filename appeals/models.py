"""Appeals against decisions, and the fair hearings that decide them.

An `Appeal` is a client's request to be heard about one decision: a determination (a denial,
a reduction, a termination), a suspension, an overpayment claim or a refused issuance. Its
status moves only along `Appeal.TRANSITIONS`, through `core.status.status_move`, one
`AppealStatusChange` row per move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns


class Appeal(models.Model):
    STATUS_NOUN = "appeal"

    class Subject(models.TextChoices):
        DETERMINATION = "determination", _("A determination")
        SUSPENSION = "suspension", _("A suspension")
        OVERPAYMENT = "overpayment", _("An overpayment claim")
        ISSUANCE = "issuance", _("A refused issuance")

    class Received(models.TextChoices):
        WRITING = "writing", _("In writing")
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")

    class Status(models.TextChoices):
        REFUSED = "refused", _("Refused as late")
        OPEN = "open", _("Open")
        HEARING = "hearing", _("Hearing scheduled")
        SETTLED = "settled", _("Settled at an agency conference")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        SUSTAINED = "sustained", _("Agency sustained")
        REVERSED = "reversed", _("Agency reversed")
        MODIFIED = "modified", _("Modified")
        DISMISSED = "dismissed", _("Dismissed")

    TRANSITIONS: dict[str, set[str]] = {
        Status.REFUSED: {Status.OPEN},  # accepted for good cause by a supervisor
        Status.OPEN: {Status.HEARING, Status.SETTLED, Status.DECIDED, Status.WITHDRAWN},
        Status.HEARING: {Status.HEARING, Status.DECIDED, Status.SETTLED, Status.WITHDRAWN},
        Status.SETTLED: set(),
        Status.DECIDED: set(),
        Status.WITHDRAWN: set(),
    }
    OPEN_STATUSES = (Status.OPEN, Status.HEARING)

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="appeals")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appeals")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=15, choices=Subject.choices)
    adverse_action = models.ForeignKey(
        "eligibility.AdverseAction", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    determination = models.ForeignKey(
        "eligibility.Determination", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    overpayment = models.ForeignKey(
        "assistance.Overpayment", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    issuance = models.ForeignKey(
        "assistance.Issuance", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    received_via = models.CharField(max_length=10, choices=Received.choices)
    requested_on = models.DateField()
    decision_noticed_on = models.DateField(help_text="The date of the notice of the decision appealed.")
    request_deadline = models.DateField(help_text="The last day the client could ask (SNAP: 90 days, 273.15(g)).")
    decision_due = models.DateField(help_text="The hearing's decision is due by (SNAP: 60 days, 273.15(c)(1)).")
    statement = models.TextField(blank=True, help_text="What the client says, in their words.")
    status = models.CharField(max_length=10, choices=Status.choices)
    refusal = models.TextField(blank=True)
    good_cause = models.TextField(blank=True)
    good_cause_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    continued_benefits = models.BooleanField(default=False)
    hearing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals_heard"
    )
    hearing = models.ForeignKey(
        "casework.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conference_notes = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    findings = models.JSONField(default=dict, blank=True, help_text="The hearing's findings of fact, as figures.")
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_determination = models.ForeignKey(
        "eligibility.Determination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        "assistance.Overpayment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decision_due", "id"]
        indexes = [models.Index(fields=["status", "decision_due"], name="appeal_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="decided") | (~Q(decision="") & Q(decided_on__isnull=False)),
                name="appeal_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} of {self.get_subject_display().lower()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AppealStatusChange(StatusChange):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Appeal.Status, max_length=10)
