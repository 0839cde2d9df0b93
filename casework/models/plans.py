from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class Plan(models.Model):
    """A service or employment plan for one client in a case.

    A revision is a new Plan (version + 1) copied from the last; agreeing it marks the
    earlier one superseded, which stays readable as it was.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service plan")
        EMPLOYMENT = "employment", _("Employment plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        SUPERSEDED = "superseded", _("Superseded")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="plans")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["client", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "client", "kind", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["case", "client", "kind"], condition=Q(status="draft"), name="plan_one_draft"
            ),
            models.CheckConstraint(
                condition=~Q(status="agreed") | Q(agreed_on__isnull=False), name="plan_agreed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} for {self.client}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Goal(models.Model):
    class Barrier(models.TextChoices):
        CHILDCARE = "childcare", _("Childcare")
        TRANSPORTATION = "transportation", _("Transportation")
        HEALTH = "health", _("Health")
        MENTAL_HEALTH = "mental_health", _("Mental health")
        SUBSTANCE_USE = "substance_use", _("Substance use")
        EDUCATION = "education", _("Education")
        HOUSING = "housing", _("Housing")
        LEGAL = "legal", _("Legal")
        LANGUAGE = "language", _("Language")
        DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    description = models.TextField()
    barrier = models.CharField(max_length=20, choices=Barrier.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanStep(models.Model):
    class Responsible(models.TextChoices):
        CLIENT = "client", _("Client")
        WORKER = "worker", _("Caseworker")
        PROVIDER = "provider", _("Service provider")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("No longer needed")

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="steps")
    description = models.TextField()
    responsible = models.CharField(max_length=10, choices=Responsible.choices)
    target_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["target_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class ProgressNote(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="progress_notes")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, null=True, blank=True, related_name="progress_notes")
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Progress on {self.plan}"


class WorkActivity(models.Model):
    """A work activity an employment plan requires, with its weekly hours."""

    class Kind(models.TextChoices):
        JOB_SEARCH = "job_search", _("Job search")
        JOB_READINESS = "job_readiness", _("Job readiness class")
        TRAINING = "training", _("Vocational training")
        JOB_CLUB = "job_club", _("Job club")
        WORK_SITE = "work_site", _("Work site")
        EDUCATION = "education", _("Education")
        #: A job: unsubsidized employment is a work activity (45 CFR 261.30(a)); a placement's hours count here.
        EMPLOYMENT = "employment", _("Unsubsidized employment")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="work_activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.CharField(max_length=160, blank=True)
    weekly_hours = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=Decimal("0"), weekly_hours__lte=Decimal("80")),
                name="work_activity_hours_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.weekly_hours} h/week"


class SupportiveService(models.Model):
    """A service the client needs to take part (recorded here; issued through assistance)."""

    class Kind(models.TextChoices):
        TRANSPORTATION = "transportation", _("Transportation")
        CHILDCARE = "childcare", _("Childcare")
        WORK_CLOTHING = "work_clothing", _("Work clothing and tools")
        TRAINING_COSTS = "training_costs", _("Training costs")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="supportive_services")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200, blank=True)
    estimated_monthly_cost = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()
