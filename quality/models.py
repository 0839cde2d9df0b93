"""Quality-assurance case reviews: monthly random samples, checklists, findings, corrective actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns

MONEY = {"max_digits": 12, "decimal_places": 2}


class Checklist(models.Model):
    """The elements a reviewer checks for one program, kept as data an administrator can edit.

    `elements` is a list of {"code", "label", "help"}; the shipped ones come from
    quality/data/checklists.json (benefit programs by their rules module, and child support).
    """

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    rules_module = models.CharField(
        max_length=30, blank=True, help_text="The programs this checklist serves (their rules module); empty: none yet."
    )
    elements = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """One month's random draw of cases for one program and office (one stratum).

    The draw is reproducible: the same population, size and seed give the same cases
    (`quality.sampling`), and it is never redrawn nor changed once made.
    """

    month = models.DateField(help_text="The first day of the month the sample reviews.")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+")
    size = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField(help_text="How many cases the sample was drawn from.")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "office__name", "program__name"]
        constraints = [
            models.UniqueConstraint(fields=["month", "program", "office"], name="sample_one_per_stratum_month")
        ]

    def __str__(self) -> str:
        return f"{self.program} · {self.office} · {self.month:%Y-%m}"


class SampledCase(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="cases")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey("eligibility.Enrollment", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["sample", "position"]
        constraints = [models.UniqueConstraint(fields=["sample", "case"], name="sampled_case_once")]

    def __str__(self) -> str:
        return f"{self.sample}: case {self.case_id}"


class Review(models.Model):
    """A reviewer's look at one sampled case, element by element, and what they found."""

    class Status(models.TextChoices):
        OPEN = "open", _("In review")
        COMPLETED = "completed", _("Completed")

    class Responsibility(models.TextChoices):
        NONE = "", _("No error")
        AGENCY = "agency", _("Agency error")
        CLIENT = "client", _("Client error")

    TRANSITIONS: dict[str, set[str]] = {Status.OPEN: {Status.COMPLETED}, Status.COMPLETED: set()}

    sampled = models.OneToOneField(SampledCase, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+")
    determination = models.ForeignKey(
        "eligibility.Determination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    issued_amount = models.DecimalField(**MONEY, default=0, help_text="The monthly amount the case was paid.")
    verified_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="The amount the rules give on the verified facts."
    )
    error_amount = models.DecimalField(
        **MONEY, default=0, help_text="Issued less verified: above zero overpaid, below zero underpaid."
    )
    verified_facts = models.JSONField(
        default=dict,
        blank=True,
        help_text="The corrections the amount was re-run with: incomes, expenses, household members and resources.",
    )
    cause = models.CharField(max_length=200, blank=True)
    responsibility = models.CharField(max_length=10, choices=Responsibility.choices, blank=True)
    summary = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False), name="review_completed_has_date"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.sampled}"

    @property
    def finding(self) -> str:
        """What the review found, in the reader's language."""
        if self.error_amount > 0:
            return gettext("Overpaid")
        if self.error_amount < 0:
            return gettext("Underpaid")
        return gettext("Correct amount")


class ReviewStatusChange(StatusChange):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Review.Status, max_length=10)


class ReviewElement(models.Model):
    class Result(models.TextChoices):
        PENDING = "", _("Not yet checked")
        CORRECT = "correct", _("Correct")
        INCORRECT = "incorrect", _("Incorrect")
        NOT_APPLICABLE = "na", _("Not applicable")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="elements")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    verified_value = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "code"], name="review_element_once")]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_result_display()}"


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS: dict[str, set[str]] = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description[:60]} ({self.get_status_display()})"


class CorrectiveActionStatusChange(StatusChange):
    action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(CorrectiveAction.Status, max_length=10)
