"""An issuance: one payment or one grant of goods to a client, from request to issue (or not)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import StatusChange, status_columns
from core.money import format_money

MONEY = {"max_digits": 12, "decimal_places": 2}


class IssuedError(Exception):
    """An issued payment's money, payee or client was about to change, or it was about to be removed."""


class Issuance(models.Model):
    """Money or goods for a client on a case: requested, approved within someone's authority, issued.

    Its status moves only through the services in `assistance.services.issuances`, along
    `TRANSITIONS`. Issuing posts a balanced ledger transaction; reversing posts the opposite
    one. Nothing is deleted.
    """

    class Kind(models.TextChoices):
        RECURRING = "recurring", "Recurring benefit"
        ONE_OFF = "one_off", "One-off payment"
        EMERGENCY = "emergency", "Emergency funds"
        FOOD_VOUCHER = "food_voucher", "Food voucher"
        DRUG_CARD = "drug_card", "Emergency drug card"
        SHELTER = "shelter", "Shelter nights"
        TRAVEL = "travel", "Travel"
        SUPPORTIVE = "supportive", "Supportive service"
        ARREARS = "arrears", "Arrears (underpayment)"

    #: Kinds a worker asks for by hand; the payment run and overpayment job make the others.
    REQUESTABLE = (
        Kind.ONE_OFF,
        Kind.EMERGENCY,
        Kind.FOOD_VOUCHER,
        Kind.DRUG_CARD,
        Kind.SHELTER,
        Kind.TRAVEL,
        Kind.SUPPORTIVE,
    )

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ISSUED = "issued", "Issued"
        CANCELLED = "cancelled", "Cancelled"
        REVERSED = "reversed", "Reversed"

    # The allowed moves; `core.status.status_move` refuses any other.
    TRANSITIONS: dict[str, set[str]] = {
        Status.REQUESTED: {Status.PENDING, Status.APPROVED},
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.CANCELLED},
        Status.APPROVED: {Status.ISSUED, Status.CANCELLED},
        Status.ISSUED: {Status.REVERSED},
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
        Status.REVERSED: set(),
    }

    #: How a refusal names it: a worker asks for an issuance, and it is their request until issued.
    STATUS_NOUN = "request"

    #: Once issued, what was paid, to whom and for whom stays as it was: a mistake is reversed
    #: and issued anew. A trigger (migration 0008) refuses the same on PostgreSQL; it lets a
    #: merge's UPDATE (`clients.services.merge_move`) move a payment only into the record its
    #: client was merged into.
    ISSUED_FIELDS = ("amount", "recovered", "client", "payee_kind", "payee_name", "payee_address")

    class PayeeKind(models.TextChoices):
        CLIENT = "client", "The client"
        LANDLORD = "landlord", "Landlord"
        SHELTER = "shelter", "Shelter"
        UTILITY = "utility", "Utility"
        PHARMACY = "pharmacy", "Pharmacy"
        OTHER = "other", "Other third party"

    class Method(models.TextChoices):
        DIRECT_DEPOSIT = "direct_deposit", "Direct deposit"
        CHEQUE = "cheque", "Cheque"
        VOUCHER = "voucher", "Voucher"
        CARD = "card", "Card"

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="issuances")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="issuances")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="issuances")
    enrollment = models.ForeignKey(
        "eligibility.Enrollment", on_delete=models.PROTECT, null=True, blank=True, related_name="issuances"
    )
    determination = models.ForeignKey(
        "eligibility.Determination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supportive_service = models.ForeignKey(
        "casework.SupportiveService", on_delete=models.PROTECT, null=True, blank=True, related_name="issuances"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    #: The benefit month (the first of it) for recurring benefits and arrears.
    period = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY, help_text="The gross amount granted.")
    #: Taken from a recurring benefit to recover an overpayment; the payee receives amount - recovered.
    recovered = models.DecimalField(**MONEY, default=0)
    units = models.PositiveIntegerField(null=True, blank=True, help_text="Nights, for shelter.")
    unit_rate = models.DecimalField(**MONEY, null=True, blank=True, help_text="The nightly rate, for shelter.")
    purpose = models.TextField(blank=True)
    payee_kind = models.CharField(max_length=10, choices=PayeeKind.choices, default=PayeeKind.CLIENT)
    payee_name = models.CharField(max_length=200)
    payee_address = models.TextField(blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    reference = models.CharField(max_length=30, unique=True, help_text="Printed on the payment file and stubs.")
    idempotency_key = models.CharField(max_length=100, unique=True)
    #: A digest of the request's details: the same key with other details is refused.
    fingerprint = models.CharField(max_length=64)
    #: Which limits the request went past, and by how much, when it was made.
    exceeds = models.JSONField(default=list, blank=True)
    payment_run = models.ForeignKey(
        "assistance.PaymentRun", on_delete=models.PROTECT, null=True, blank=True, related_name="issuances"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="issuance_amount_positive"),
            models.CheckConstraint(
                condition=Q(recovered__gte=0) & Q(recovered__lte=F("amount")), name="issuance_recovered_within_amount"
            ),
            # Nobody approves their own request: a decision by the requester cannot be stored.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="issuance_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=~Q(method="cheque") | ~Q(payee_address=""), name="issuance_cheque_has_address"
            ),
            models.CheckConstraint(
                condition=~Q(kind="shelter") | (Q(units__gt=0) & Q(unit_rate__gt=0)),
                name="issuance_shelter_has_nights_and_rate",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["recurring", "arrears"]) | Q(period__isnull=False, enrollment__isnull=False),
                name="issuance_recurring_has_enrollment_and_period",
            ),
            # The payment run's guarantee: one recurring benefit per enrollment per month.
            models.UniqueConstraint(
                fields=["enrollment", "period"],
                condition=Q(kind="recurring"),
                name="issuance_one_recurring_per_enrollment_period",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="issuance_status_requested"),
            models.Index(fields=["client", "kind", "requested_at"], name="issuance_client_kind_requested"),
            models.Index(fields=["payment_run", "id"], name="issuance_run"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_kind_display()} {format_money(self.amount)}"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or set(update_fields) & set(self._issued_attnames())):
            self._refuse_changing_issued_money()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and self._stored_issued() is not None:
            raise IssuedError(f"{self.reference} was issued and cannot be removed; reverse it instead.")
        return super().delete(*args, **kwargs)

    @classmethod
    def _issued_attnames(cls) -> list[str]:
        names = []
        for name in cls.ISSUED_FIELDS:
            field = cls._meta.get_field(name)
            names += [field.name, field.attname]
        return names

    def _stored_issued(self) -> dict | None:
        """The stored row's guarded values when it is issued (or reversed), else None."""
        attnames = [self._meta.get_field(name).attname for name in self.ISSUED_FIELDS]
        return (
            Issuance.objects.filter(pk=self.pk, status__in=[self.Status.ISSUED, self.Status.REVERSED])
            .values(*attnames)
            .first()
        )

    def _refuse_changing_issued_money(self) -> None:
        # The row as stored decides, not the instance: a stale instance cannot slip a change past.
        stored = self._stored_issued()
        if stored is None:
            return
        changed = [
            self._meta.get_field(name).verbose_name
            for name in self.ISSUED_FIELDS
            if getattr(self, self._meta.get_field(name).attname) != stored[self._meta.get_field(name).attname]
        ]
        if changed:
            raise IssuedError(
                f"{self.reference} was issued: its {', '.join(changed)} cannot be changed; reverse it and issue anew."
            )

    def allowed_moves(self) -> list[str]:
        return sorted(self.TRANSITIONS.get(self.status, set()))

    @property
    def net_amount(self):
        """What the payee receives."""
        return self.amount - self.recovered


class IssuanceStatusChange(StatusChange):
    """One row per status move: an issuance's history, oldest first."""

    issuance = models.ForeignKey(Issuance, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(Issuance.Status, max_length=10)

    class Meta(StatusChange.Meta):
        ordering = ["changed_at", "id"]
