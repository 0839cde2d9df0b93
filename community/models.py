"""Sponsor projects and their agreements, monitoring, volunteers, outreach events and brochures.

Statuses move only through `community.services`, along the `TRANSITIONS` tables here.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


def agreement_path(instance: "SponsorProject", filename: str) -> str:
    # A random-looking name: the stored path does not say whose agreement it is.
    return f"community/agreements/{timezone.now():%Y/%m}/{instance.pk}-{timezone.now():%H%M%S%f}"


def brochure_path(instance: "Brochure", filename: str) -> str:
    return f"community/brochures/{instance.language}/{timezone.now():%Y%m%d%H%M%S%f}"


class SponsorProject(models.Model):
    """A community project run by a sponsor organization, negotiated and monitored by the office.

    A worker proposes and recommends it; a supervisor or manager other than the recommending
    worker approves it (signing agreements with sponsors needs supervisory approval); the signed
    agreement is kept; each participant's share of the funding is paid to the sponsor through
    assistance (an issuance on the participant's case, so the budget and the ledger count it).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RECOMMENDED = "recommended", _("Recommended")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        ACTIVE = "active", _("Agreement signed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, set[str]] = {
        Status.PROPOSED: {Status.RECOMMENDED, Status.CANCELLED},
        Status.RECOMMENDED: {Status.APPROVED, Status.DECLINED, Status.CANCELLED},
        Status.APPROVED: {Status.ACTIVE, Status.CANCELLED},
        Status.ACTIVE: {Status.COMPLETED, Status.CANCELLED},
        Status.DECLINED: set(),
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
    }

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="sponsor_projects")
    sponsor = models.ForeignKey("referrals.Organization", on_delete=models.PROTECT, related_name="sponsor_projects")
    program = models.ForeignKey(
        "eligibility.Program",
        on_delete=models.PROTECT,
        related_name="sponsor_projects",
        help_text="The program whose budget pays the funding.",
    )
    title = models.CharField(max_length=200)
    proposal = models.TextField()
    project_budget = models.DecimalField(**MONEY, help_text="The sponsor's budget for the whole project.")
    participants_planned = models.PositiveSmallIntegerField()
    funding_per_participant = models.DecimalField(**MONEY, help_text="Negotiated with the sponsor.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    agreement = models.FileField(upload_to=agreement_path, max_length=200, blank=True)
    agreement_signed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            # Nobody approves their own recommendation: such a decision cannot be stored.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("recommended_by")),
                name="sponsorproject_not_decided_by_recommender",
            ),
            models.CheckConstraint(condition=Q(funding_per_participant__gt=0), name="sponsorproject_funding_positive"),
            models.CheckConstraint(condition=Q(participants_planned__gte=1), name="sponsorproject_participants"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="sponsorproject_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:project_detail", args=[self.pk])

    @property
    def funding_total(self):
        return self.funding_per_participant * self.participants_planned


class ProjectParticipant(models.Model):
    """A client taking part in a project; their share of the funding is one issuance to the sponsor."""

    project = models.ForeignKey(SponsorProject, on_delete=models.PROTECT, related_name="participants")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="sponsor_projects")
    joined_on = models.DateField()
    issuance = models.OneToOneField(
        "assistance.Issuance", on_delete=models.PROTECT, null=True, blank=True, related_name="sponsor_participant"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "client"], name="projectparticipant_once")]

    def __str__(self) -> str:
        return f"{self.client} on {self.project}"


class MonitoringVisit(models.Model):
    """A visit to a project to see that the approved activities are being done."""

    project = models.ForeignKey(SponsorProject, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField()
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField()
    follow_up = models.TextField(blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    #: The follow-up on the visiting worker's task list; done there, it is done here.
    follow_up_task = models.OneToOneField(
        "casework.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up="") | Q(follow_up_due__isnull=False), name="monitoringvisit_follow_up_has_due"
            )
        ]

    @property
    def follow_up_done(self) -> bool:
        if self.follow_up_task_id is not None:
            return self.follow_up_task.status != "open"
        return self.follow_up_done_at is not None


class ParticipantContact(models.Model):
    """A contact with a participant, to see that the project is worthwhile for them."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        SITE_VISIT = "site_visit", _("On-site visit")

    participant = models.ForeignKey(ProjectParticipant, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    contacted_on = models.DateField()
    summary = models.TextField()
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-contacted_on", "-id"]


class Volunteer(models.Model):
    """A volunteer (not a user: sees no client data unless given an account with a role)."""

    class Check(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PENDING = "pending", _("Pending")
        CLEARED = "cleared", _("Cleared")
        NOT_CLEARED = "not_cleared", _("Not cleared")

    #: References that must answer well before a volunteer is scheduled (the agency's screening policy).
    REFERENCES_NEEDED = 2

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(max_length=160)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    recruited_on = models.DateField()
    recruited_through = models.CharField(max_length=160, blank=True)
    background_check = models.CharField(max_length=12, choices=Check.choices, default=Check.NOT_STARTED)
    background_checked_on = models.DateField(null=True, blank=True)
    training_completed_on = models.DateField(null=True, blank=True)
    availability = models.CharField(max_length=200, blank=True, help_text="e.g. weekday mornings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(background_check__in=["not_started", "pending"]) | Q(background_checked_on__isnull=False),
                name="volunteer_check_result_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerReference(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not reached yet")
        GOOD = "good", _("Recommends")
        CONCERN = "concern", _("Raised a concern")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="references")
    name = models.CharField(max_length=160)
    phone = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class OutreachEvent(models.Model):
    """A presentation or event that makes the agency's programs known."""

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="outreach_events")
    held_on = models.DateField()
    topic = models.CharField(max_length=200)
    audience = models.CharField(max_length=200)
    place = models.CharField(max_length=200)
    materials = models.TextField(blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True)
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%Y-%m-%d})"


class VolunteerShift(models.Model):
    """A volunteer's shift for a program or an event, and the hours served."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="shifts")
    assignment = models.CharField(max_length=160, help_text="The program or event served.")
    event = models.ForeignKey(OutreachEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    hours_served = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteershift_ends_after_start"),
            models.CheckConstraint(
                condition=Q(hours_served__isnull=True) | Q(hours_served__gte=0, hours_served__lte=24),
                name="volunteershift_hours_in_day",
            ),
        ]


class Brochure(models.Model):
    """A brochure or handout in one language, for outreach and for clients."""

    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=160, blank=True)
    language = models.CharField(max_length=10, help_text="The language's code, e.g. en, es, fr.")
    file = models.FileField(upload_to=brochure_path, max_length=200)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["language", "title", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
