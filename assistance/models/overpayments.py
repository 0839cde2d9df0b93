"""Overpayments: assistance paid that was not due, what established it, and how it is recovered."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from assistance.models.issuances import MONEY
from core.models import StatusChange, status_columns
from core.money import format_money


class Overpayment(models.Model):
    """A claim against a household for assistance it should not have had.

    Established by the nightly job from a redetermination with an earlier effective date, or by
    hand after an investigation. `balance` is what is still owed; it equals the sum of the
    overpayment's receivable ledger entries and moves only with them.
    """

    class Reason(models.TextChoices):
        AGENCY_ERROR = "agency_error", "Agency error"
        CLIENT_ERROR = "client_error", "Client error (inadvertent)"
        INTENTIONAL = "intentional", "Intentional program violation"

    class Source(models.TextChoices):
        REDETERMINATION = "redetermination", "Redetermination"
        INVESTIGATION = "investigation", "Investigation"

    class Status(models.TextChoices):
        ESTABLISHED = "established", "Established"
        RECOVERING = "recovering", "Recovering"
        RECOVERED = "recovered", "Recovered"
        WRITE_OFF_PENDING = "write_off_pending", "Write-off waiting for approval"
        WRITTEN_OFF = "written_off", "Written off"

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.ESTABLISHED: {Status.RECOVERING, Status.RECOVERED, Status.WRITE_OFF_PENDING},
        Status.RECOVERING: {Status.RECOVERED, Status.WRITE_OFF_PENDING},
        Status.WRITE_OFF_PENDING: {Status.WRITTEN_OFF, Status.ESTABLISHED, Status.RECOVERING},
        # Reversing a payment that recovered part of it puts that part back on the balance.
        Status.RECOVERED: {Status.RECOVERING},
        Status.WRITTEN_OFF: set(),
    }
    #: Statuses in which the payment run deducts from the household's benefit.
    OPEN = (Status.ESTABLISHED, Status.RECOVERING)

    class Recovery(models.TextChoices):
        DEDUCTION = "deduction", "Deduction from benefits"
        AGREEMENT = "agreement", "Repayment agreement"

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="overpayments")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="overpayments")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="overpayments")
    enrollment = models.ForeignKey(
        "eligibility.Enrollment", on_delete=models.PROTECT, null=True, blank=True, related_name="overpayments"
    )
    determination = models.ForeignKey(
        "eligibility.Determination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ESTABLISHED)
    recovery = models.CharField(max_length=10, choices=Recovery.choices, default=Recovery.DEDUCTION)
    amount = models.DecimalField(**MONEY)
    balance = models.DecimalField(**MONEY)
    allegation = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    established_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    established_at = models.DateTimeField(default=timezone.now)
    write_off_reason = models.TextField(blank=True)
    write_off_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    write_off_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    write_off_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-established_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="overpayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=F("amount")), name="overpayment_balance_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(write_off_decided_by__isnull=True) | ~Q(write_off_decided_by=F("write_off_requested_by")),
                name="overpayment_write_off_not_decided_by_requester",
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "status"], name="overpayment_enrollment_status")]

    def __str__(self) -> str:
        return f"Overpayment {self.pk}: {format_money(self.amount)} ({self.get_status_display()})"

    @property
    def is_intentional(self) -> bool:
        return self.reason == self.Reason.INTENTIONAL


class OverpaymentPeriod(models.Model):
    """One month of an overpayment: what was paid, what was due, the difference."""

    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="periods")
    period = models.DateField()
    paid = models.DecimalField(**MONEY)
    due = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["overpayment", "period"], name="overpaymentperiod_one_per_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="overpaymentperiod_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m}: {format_money(self.amount)}"


class OverpaymentStatusChange(StatusChange):
    """One row per status move: the overpayment's history, oldest first."""

    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Overpayment.Status, max_length=20)

    class Meta(StatusChange.Meta):
        ordering = ["changed_at", "id"]


class RepaymentAgreement(models.Model):
    """A household's promise to repay an overpayment in monthly instalments instead of deductions."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ENDED = "ended", "Ended early"

    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="agreements")
    instalment = models.DecimalField(**MONEY)
    first_due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-agreed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(instalment__gt=0), name="repaymentagreement_instalment_positive"),
            models.UniqueConstraint(
                fields=["overpayment"], condition=Q(status="active"), name="repaymentagreement_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.instalment)} a month from {self.first_due_on:%Y-%m-%d}"


class RedeterminationSettlement(models.Model):
    """The nightly job's mark that a decided redetermination has been settled, once.

    Settling compares what was paid with what was due for each month from the effective date:
    an overpayment for months paid too much, an arrears issuance for months paid too little.
    """

    determination = models.OneToOneField("eligibility.Determination", on_delete=models.PROTECT, related_name="+")
    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    arrears = models.ForeignKey(
        "assistance.Issuance", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Each month compared: paid, due, and whether it was skipped (suspended).
    months = models.JSONField(default=list, blank=True)
    settled_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Settlement of determination {self.determination_id}"
