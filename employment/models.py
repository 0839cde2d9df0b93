"""Employers, job development, openings, matching, placements and group sessions.

Statuses move only through `employment.services`, along the `TRANSITIONS` tables here.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 5, "decimal_places": 2}


class Employer(models.Model):
    """A local employer the office develops jobs with (optionally the directory's organization)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="employers")
    organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=120, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class EmployerContact(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=160)
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.employer})"


class DevelopmentContact(models.Model):
    """One job development contact with an employer: a visit, a call, a meeting."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        MEETING = "meeting", _("Meeting")
        JOB_FAIR = "job_fair", _("Job fair")

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="development_contacts")
    contact = models.ForeignKey(EmployerContact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    contacted_on = models.DateField()
    summary = models.TextField()
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-contacted_on", "-id"]


class JobOpening(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.FILLED, Status.CLOSED},
        Status.FILLED: {Status.OPEN},
        Status.CLOSED: {Status.OPEN},
    }

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="openings")
    title = models.CharField(max_length=160)
    hourly_wage = models.DecimalField(**MONEY)
    weekly_hours = models.DecimalField(**HOURS)
    requirements = models.TextField(blank=True)
    #: The skills asked for, lower case, one per entry; matched against the clients' recorded skills.
    skills = models.JSONField(default=list, blank=True)
    location = models.CharField(max_length=200, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    positions = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["closes_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_wage__gt=0), name="jobopening_wage_positive"),
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0, weekly_hours__lte=Decimal("80")), name="jobopening_hours_in_range"
            ),
            models.CheckConstraint(condition=Q(positions__gte=1), name="jobopening_one_position_or_more"),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.employer}"


class ClientSkill(models.Model):
    """A skill recorded for a client (from their résumé, an assessment, a training)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="skills")
    name = models.CharField(max_length=80, help_text="Lower case, as matched against openings.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["client", "name"], name="clientskill_once_per_client")]

    def __str__(self) -> str:
        return self.name


class JobReferral(models.Model):
    """A client put forward for an opening, the interview and the outcome."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        INTERVIEW = "interview", _("Interview arranged")
        HIRED = "hired", _("Hired")
        NOT_HIRED = "not_hired", _("Not hired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS: dict[str, set[str]] = {
        Status.REFERRED: {Status.INTERVIEW, Status.HIRED, Status.NOT_HIRED, Status.WITHDRAWN},
        Status.INTERVIEW: {Status.HIRED, Status.NOT_HIRED, Status.WITHDRAWN},
        Status.HIRED: set(),
        Status.NOT_HIRED: set(),
        Status.WITHDRAWN: set(),
    }

    opening = models.ForeignKey(JobOpening, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="job_referrals")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="job_referrals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    interview_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-referred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["opening", "client"], name="jobreferral_once_per_opening")]

    def __str__(self) -> str:
        return f"{self.client} for {self.opening}"


class Placement(models.Model):
    """A client in a job: employer, start, wage, hours; retention is checked at 30, 90 and 180 days."""

    referral = models.OneToOneField(
        JobReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="placement"
    )
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="placements")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="placements")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="placements")
    job_title = models.CharField(max_length=160)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    hourly_wage = models.DecimalField(**MONEY)
    weekly_hours = models.DecimalField(**HOURS)
    #: The hours of work counted towards the client's participation.
    activity = models.OneToOneField("casework.ScheduledActivity", on_delete=models.PROTECT, related_name="placement")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_wage__gt=0), name="placement_wage_positive"),
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0, weekly_hours__lte=Decimal("80")), name="placement_hours_in_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="placement_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.job_title} at {self.employer}"


class GroupSession(models.Model):
    """A job club, training or job-skills session, or a job fair, with a roster."""

    class Kind(models.TextChoices):
        JOB_CLUB = "job_club", _("Job club")
        TRAINING = "training", _("Training")
        JOB_SKILLS = "job_skills", _("Job-skills session")
        JOB_FAIR = "job_fair", _("Job fair")

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="group_sessions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=160)
    held_on = models.DateField()
    hours = models.DecimalField(**HOURS, help_text="How long the session runs, in hours.")
    place = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            # A session is held on one day: at most that day's 24 hours, as attendance is recorded.
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=Decimal("24")), name="groupsession_hours_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.held_on:%Y-%m-%d})"


class RosterEntry(models.Model):
    """A client on a session's roster, with the one-day activity their attendance is recorded on."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="roster")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="group_sessions")
    activity = models.ForeignKey("casework.ScheduledActivity", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "client"], name="rosterentry_once_per_session")]

    def __str__(self) -> str:
        return f"{self.client} at {self.session}"
