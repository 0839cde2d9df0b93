"""Health coverage work: special authorization requests, restricted coverage, out-of-province
claims, coverage decisions and medical travel. Statuses move only through `coverage.services`."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChange, status_columns

MONEY = {"max_digits": 12, "decimal_places": 2}


class SpecialAuthorization(models.Model):
    """A prescriber's request that the drug program pay for a drug it covers only on criteria."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        MORE_INFORMATION = "more_info", _("More information requested")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")
        EXPIRED = "expired", _("Expired")

    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {Status.MORE_INFORMATION, Status.UNDER_REVIEW},
        Status.MORE_INFORMATION: {Status.UNDER_REVIEW},
        Status.UNDER_REVIEW: {Status.MORE_INFORMATION, Status.APPROVED, Status.DENIED},
        Status.APPROVED: {Status.EXPIRED},
        Status.DENIED: set(),
        Status.EXPIRED: set(),
    }
    OPEN = (Status.RECEIVED, Status.MORE_INFORMATION, Status.UNDER_REVIEW)
    STATUS_NOUN = "special authorization request"

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="special_authorizations")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="special_authorizations")
    drug = models.CharField(max_length=200, help_text="The drug, strength and form, as prescribed.")
    din = models.CharField("DIN", max_length=8, blank=True, help_text="The drug identification number.")
    prescriber = models.CharField(max_length=200)
    criteria_claimed = models.TextField(help_text="The program's criteria the prescriber says the client meets.")
    evidence = models.ManyToManyField("clients.Document", blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField()
    decision_reasons = models.TextField(blank=True)
    approved_from = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["status", "received_on"], name="specialauth_status_received")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_from__isnull=False, approved_until__isnull=False),
                name="specialauth_approved_has_period",
            ),
            models.CheckConstraint(
                condition=Q(approved_until__isnull=True) | Q(approved_until__gte=F("approved_from")),
                name="specialauth_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Special authorization SA-{self.pk}: {self.drug}"


class SpecialAuthorizationStatusChange(StatusChange):
    request = models.ForeignKey(SpecialAuthorization, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(SpecialAuthorization.Status, max_length=12)

    class Meta(StatusChange.Meta):
        ordering = ["changed_at", "id"]


class CoverageRestriction(models.Model):
    """A client whose drug coverage is limited to one pharmacy or one prescriber, for a period."""

    class Kind(models.TextChoices):
        PHARMACY = "pharmacy", _("One pharmacy")
        PRESCRIBER = "prescriber", _("One prescriber")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="coverage_restrictions")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="coverage_restrictions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    provider = models.CharField(max_length=200, help_text="The pharmacy or prescriber the client is limited to.")
    reason = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    ended_early_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["client", "starts_on"], name="restriction_client_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="restriction_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.provider}"

    @property
    def last_day(self):
        return self.ended_early_on or self.ends_on


class OutOfProvinceClaim(models.Model):
    """Care a client received in another province, claimed back: consulted on, decided, paid."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        APPROVED = "approved", _("Approved in full")
        PARTLY_APPROVED = "partly", _("Approved in part")
        DENIED = "denied", _("Denied")

    TRANSITIONS: dict[str, set[str]] = {
        Status.RECEIVED: {Status.APPROVED, Status.PARTLY_APPROVED, Status.DENIED},
        Status.APPROVED: set(),
        Status.PARTLY_APPROVED: set(),
        Status.DENIED: set(),
    }
    STATUS_NOUN = "out-of-province claim"

    class Province(models.TextChoices):
        AB = "AB", _("Alberta")
        BC = "BC", _("British Columbia")
        MB = "MB", _("Manitoba")
        NB = "NB", _("New Brunswick")
        NL = "NL", _("Newfoundland and Labrador")
        NS = "NS", _("Nova Scotia")
        NT = "NT", _("Northwest Territories")
        NU = "NU", _("Nunavut")
        ON = "ON", _("Ontario")
        PE = "PE", _("Prince Edward Island")
        QC = "QC", _("Quebec")
        SK = "SK", _("Saskatchewan")
        YT = "YT", _("Yukon")
        OUTSIDE = "XX", _("Outside Canada")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="out_of_province_claims")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="out_of_province_claims")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=200, help_text="The care received.")
    province = models.CharField(max_length=2, choices=Province.choices)
    provider = models.CharField(max_length=200)
    provider_address = models.TextField(blank=True)
    service_date = models.DateField()
    amount_claimed = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    amount_approved = models.DecimalField(**MONEY, null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    #: The payment of the approved amount, through assistance's request and approval path.
    issuance = models.OneToOneField(
        "assistance.Issuance", on_delete=models.PROTECT, null=True, blank=True, related_name="health_claim"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_claimed__gt=0), name="oopclaim_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_approved__isnull=True)
                | (Q(amount_approved__gte=0) & Q(amount_approved__lte=F("amount_claimed"))),
                name="oopclaim_approved_within_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim OOP-{self.pk}: {self.service} ({self.province})"


class OutOfProvinceClaimStatusChange(StatusChange):
    claim = models.ForeignKey(OutOfProvinceClaim, on_delete=models.PROTECT, related_name="status_changes")
    from_status, to_status = status_columns(OutOfProvinceClaim.Status, max_length=10)

    class Meta(StatusChange.Meta):
        ordering = ["changed_at", "id"]


class ClaimConsultation(models.Model):
    """A health professional consulted on a claim, and what they said. Kept as written."""

    claim = models.ForeignKey(OutOfProvinceClaim, on_delete=models.PROTECT, related_name="consultations")
    professional = models.CharField(max_length=200, help_text="Name and role, e.g. Dr. A. Roy, medical consultant.")
    organization = models.CharField(max_length=200, blank=True)
    province = models.CharField(max_length=2, choices=OutOfProvinceClaim.Province.choices, blank=True)
    consulted_on = models.DateField()
    notes = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["consulted_on", "id"]


class CoverageDecision(models.Model):
    """A coverage determination by a rule in `eligibility.rules` (65+ drug coverage, say), as it ran."""

    class Kind(models.TextChoices):
        SENIOR_DRUG = "senior_drug_coverage", _("65+ drug coverage for a landed immigrant")

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="coverage_decisions")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="coverage_decisions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    determination_date = models.DateField()
    eligible = models.BooleanField()
    #: What the officer verified, as the rule read it, so the decision can be replayed.
    facts = models.JSONField()
    #: The rule's `Outcome.to_dict()`: criteria with their explanation and the parameters used.
    outcome = models.JSONField()
    rule_version = models.PositiveIntegerField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} on {self.determination_date}: {'eligible' if self.eligible else 'not eligible'}"
        )


class MedicalTravel(models.Model):
    """Travel out of the province for care not available in it, with an escort if needed, paid as travel."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="medical_travel")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="medical_travel")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="+")
    care_needed = models.CharField(max_length=200)
    not_available_because = models.TextField(help_text="Why the care cannot be had in the province.")
    destination = models.CharField(max_length=200)
    itinerary = models.TextField()
    departs_on = models.DateField()
    returns_on = models.DateField()
    escort_name = models.CharField(max_length=200, blank=True)
    escort_reason = models.CharField(max_length=300, blank=True)
    transport_cost = models.DecimalField(**MONEY, default=0)
    lodging_cost = models.DecimalField(**MONEY, default=0)
    meals_cost = models.DecimalField(**MONEY, default=0)
    escort_cost = models.DecimalField(**MONEY, default=0)
    issuance = models.OneToOneField("assistance.Issuance", on_delete=models.PROTECT, related_name="medical_travel")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-departs_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(returns_on__gte=F("departs_on")), name="medicaltravel_dates_in_order"),
            models.CheckConstraint(
                condition=Q(escort_name="") | ~Q(escort_reason=""), name="medicaltravel_escort_has_reason"
            ),
        ]

    @property
    def total_cost(self):
        return self.transport_cost + self.lodging_cost + self.meals_cost + self.escort_cost
