"""Programs, their dated parameters, a case's enrollments and the determinations behind them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns

MONEY = {"max_digits": 12, "decimal_places": 2}


class Program(models.Model):
    """A program a case can enroll in, and the settings its notices and reviews follow."""

    class RulesModule(models.TextChoices):
        SNAP = "snap", _("SNAP (7 CFR part 273)")
        INCOME_SUPPORT = "income_support", _("Income Support")
        DRUG_ASSISTANCE = "drug_assistance", _("Prescription Drug Assistance")

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    rules_module = models.CharField(max_length=20, choices=RulesModule.choices)
    review_period_months = models.PositiveSmallIntegerField(
        default=12, help_text=_("Length of a certification period; the next review falls at its end.")
    )
    notice_days = models.PositiveSmallIntegerField(
        default=10, help_text=_("Days of advance notice before an adverse action takes effect.")
    )
    grace_days = models.PositiveSmallIntegerField(
        default=0, help_text=_("Days after a missed review before suspension.")
    )
    appeal_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("Days the household has, from the notice, to ask for a fair hearing.")
    )
    hearing_decision_days = models.PositiveSmallIntegerField(
        default=60, help_text="Days from a hearing request to its decision (SNAP: 60, 7 CFR 273.15(c)(1))."
    )
    appeal_authority = models.CharField(
        max_length=200, blank=True, help_text=_("The rule that gives the right to appeal, cited on notices.")
    )
    exempt_asset_kinds = models.JSONField(
        default=list, blank=True, help_text=_("Asset kinds this program does not count (the home, for instance).")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ParameterValue(models.Model):
    """One version of one rule parameter; admins add versions, nobody rewrites a used one."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="parameters")
    name = models.CharField(max_length=100)
    value = models.JSONField(null=True, blank=True, help_text=_("Amounts as strings ('1696'); null: still to be set."))
    effective_from = models.DateField()
    source_title = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    example = models.BooleanField(default=False, help_text=_("An illustrative value, not an official rate."))

    class Meta:
        ordering = ["program", "name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name", "effective_from"],
                name="parameter_one_per_date",
                violation_error_message="This program already has a value for this parameter from that date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.effective_from:%Y-%m-%d}"


class Enrollment(models.Model):
    """A case's enrollment in a program; its status moves only through `enrollment_transition`."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        PENDING = "pending", _("Pending decision")
        ACTIVE = "active", _("Active")
        DENIED = "denied", _("Denied")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.APPLIED: {Status.PENDING},
        Status.PENDING: {Status.ACTIVE, Status.DENIED},
        Status.ACTIVE: {Status.SUSPENDED, Status.TERMINATED},
        Status.SUSPENDED: {Status.ACTIVE, Status.TERMINATED},
        Status.DENIED: set(),
        Status.TERMINATED: set(),
    }
    #: Statuses in which the enrollment is still live: at most one per case and program.
    LIVE = (Status.APPLIED, Status.PENDING, Status.ACTIVE, Status.SUSPENDED)

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    application_date = models.DateField()
    certification_start = models.DateField(null=True, blank=True)
    certification_end = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    monthly_amount = models.DecimalField(**MONEY, default=0)
    #: SNAP's expedited-service screening at application (7 CFR 273.2(i)): None until screened.
    expedited = models.BooleanField(null=True, blank=True)
    expedited_screening = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-application_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "program"],
                condition=Q(status__in=["applied", "pending", "active", "suspended"]),
                name="enrollment_one_live_per_case_program",
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="enrollment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(certification_end__isnull=True) | Q(certification_end__gte=models.F("certification_start")),
                name="enrollment_certification_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} for case {self.case_id} ({self.get_status_display()})"

    def allowed_moves(self) -> list[str]:
        return sorted(self.TRANSITIONS.get(self.status, set()))


class EnrollmentStatusChange(StatusChange):
    """One row per status move: the enrollment's history."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Enrollment.Status, max_length=12)


class FinalisedError(Exception):
    """A finalised determination was about to be changed or removed."""


class Determination(models.Model):
    """One run of a program's rules: the household as it was, the values used and the result.

    Once approved or denied it never changes: `save()` and `delete()` refuse, so the decision
    can be explained and replayed (`determination_replay`) years later.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="determinations")
    as_of = models.DateField(help_text=_("The determination date; the benefit month is its calendar month."))
    snapshot = models.JSONField(help_text=_("HouseholdSnapshot.to_dict() at the time of the run."))
    outcome = models.JSONField(help_text=_("Outcome.to_dict() without the parameters (kept beside)."))
    parameters_used = models.JSONField(help_text=_("Each parameter's value, effective date and source."))
    eligible = models.BooleanField()
    monthly_amount = models.DecimalField(**MONEY)
    copay_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rule_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("The RULE_VERSION of the program's rules module that gave this result; empty: not recorded."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    reasons = models.JSONField(default=list, blank=True, help_text=_("The failed criteria, for a denial."))
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    is_redetermination = models.BooleanField(
        default=False, help_text=_("Run by the nightly job because the household's facts changed.")
    )
    effective_on = models.DateField(
        null=True, blank=True, help_text=_("A redetermination: the first of the first month the change affects.")
    )
    effective_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("A redetermination: the change that dates it and the rule that sets the month."),
    )

    class Meta:
        ordering = ["-run_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="determination_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(finalised_by__isnull=False) & Q(finalised_at__isnull=False)),
                name="determination_finalised_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Determination {self.pk} as of {self.as_of:%Y-%m-%d} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        # The guard of an append-only record: the row as stored decides, not the instance.
        if self._stored_is_final():
            raise FinalisedError(f"{self} is finalised and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_final or self._stored_is_final():
            raise FinalisedError(f"{self} is finalised and cannot be removed")
        return super().delete(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.DRAFT

    def _stored_is_final(self) -> bool:
        return (
            self.pk is not None and Determination.objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists()
        )


class Review(models.Model):
    """A periodic review of an enrollment: one per enrollment and due date (the certification end).

    Opened by the daily job when the due date comes within the program's notice days;
    completed when a new determination is decided; overdue when the grace days pass first,
    which suspends the enrollment.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        OVERDUE = "overdue", _("Overdue (enrollment suspended)")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    task = models.ForeignKey("casework.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "due_on"],
                name="review_one_per_due_date",
                violation_error_message="This enrollment already has a review due on that date.",
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="review_status_due")]

    def __str__(self) -> str:
        return f"Review of enrollment {self.enrollment_id} due {self.due_on:%Y-%m-%d} ({self.get_status_display()})"


class JobClaim(models.Model):
    """One periodic job's work on one enrollment on one day, claimed before it is done.

    The enqueue step writes the rows as pending; each small task flips its row to done with a
    conditional UPDATE in the same transaction as its work, so a second copy of the task
    finds nothing to claim, and a task that dies rolls its claim back with its work.
    """

    class Job(models.TextChoices):
        REVIEWS_OPEN = "reviews_open", _("Open reviews")
        REVIEWS_OVERDUE = "reviews_overdue", _("Suspend overdue reviews")
        REDETERMINE = "redetermine", _("Redetermine changed households")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    job = models.CharField(max_length=20, choices=Job.choices)
    run_on = models.DateField()
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "run_on", "enrollment"], name="jobclaim_one_per_job_day_enrollment")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.run_on:%Y-%m-%d} enrollment {self.enrollment_id} ({self.status})"


class AdverseAction(models.Model):
    """A decision against a client on an enrollment, and the notice that told them of it.

    `effective_on` is the first benefit month the action applies to: for an action on an
    ongoing benefit it falls after the notice period (timely notice, 7 CFR 273.13(a)); where
    adequate notice is enough (273.13(b)) it is the month of the decision. Until then, and for
    as long as benefits continue during an appeal (273.15(k)), the payment run pays
    `amount_before` (`eligibility.selectors.amounts_in_force`).
    """

    class Kind(models.TextChoices):
        DENIAL = "denial", "Denial"
        REDUCTION = "reduction", "Reduction"
        SUSPENSION = "suspension", "Suspension"
        TERMINATION = "termination", "Termination"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="adverse_actions")
    determination = models.ForeignKey(
        Determination, on_delete=models.PROTECT, null=True, blank=True, related_name="adverse_actions"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_before = models.DecimalField(**MONEY)
    amount_after = models.DecimalField(**MONEY)
    noticed_on = models.DateField(help_text="The date of the notice.")
    effective_on = models.DateField(help_text="The first of the first benefit month the action applies to.")
    timely = models.BooleanField(help_text="Timely notice (an ongoing benefit); else adequate notice.")
    reasons = models.JSONField(default=list, blank=True, help_text="Each reason: the rule, the figure, the limit.")
    notice = models.ForeignKey(
        "correspondence.Correspondence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice_refused = models.TextField(blank=True, help_text="Why no notice could be sent by a safe channel.")
    continued_from = models.DateField(
        null=True, blank=True, help_text="Benefits continue at the prior amount from this month, pending an appeal."
    )
    continued_until = models.DateField(
        null=True, blank=True, help_text="The appeal's decision: benefits continued up to this date."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-noticed_on", "-id"]
        indexes = [models.Index(fields=["enrollment", "effective_on"], name="adverse_enrollment_effective")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_before__gte=0) & Q(amount_after__gte=0), name="adverse_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.enrollment} effective {self.effective_on:%Y-%m}"

    @property
    def continuing(self) -> bool:
        return self.continued_from is not None and self.continued_until is None
