"""The resource directory: organizations, their services and locations, in the shape of
Open Referral's Human Services Data Specification (HSDS 3.0), so a directory can be
imported and exported as an HSDS datapackage (`referrals.hsds`).

Every record keeps its HSDS `id` in `hsds_id`: importing the same file again finds the
record by it and updates it. Records made in the admin get a fresh UUID, as HSDS asks.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def new_hsds_id() -> str:
    return str(uuid.uuid4())


class HsdsRecord(models.Model):
    hsds_id = models.CharField(
        "HSDS id",
        max_length=100,
        unique=True,
        default=new_hsds_id,
        help_text="The record's id in Open Referral files; re-importing a file updates the record with this id.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Category(HsdsRecord):
    """A taxonomy term (HSDS `taxonomy_term`) that services are filed under: 'Food pantry', 'Shelter'..."""

    code = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=160)
    taxonomy = models.CharField(max_length=160, blank=True, help_text="The taxonomy the term comes from, if any.")

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    """A language a service is delivered in without an interpreter."""

    name = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639-1 or 639-3.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(HsdsRecord):
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="ref_org_name")]

    def __str__(self) -> str:
        return self.name


class Location(HsdsRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    # The physical address (HSDS `address`, one per location here), with its own HSDS id.
    address_hsds_id = models.CharField(max_length=100, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 two-letter code.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    hours = models.CharField(max_length=300, blank=True, help_text="Opening hours, e.g. 'Mon-Fri 09:00-17:00'.")

    class Meta:
        ordering = ["name", "id"]
        # The directory's area search: "in Riverton" or "in 60601".
        indexes = [
            models.Index(fields=["city"], name="ref_location_city"),
            models.Index(fields=["postal_code"], name="ref_location_postal"),
        ]

    def __str__(self) -> str:
        return self.name or self.one_line_address or f"Location {self.pk}"

    @property
    def one_line_address(self) -> str:
        place = " ".join(p for p in (self.state_province, self.postal_code) if p)
        return ", ".join(p for p in (self.address_1, self.address_2, self.city, place) if p)


class Service(HsdsRecord):
    """Something an organization offers people: a food pantry, shelter beds, legal advice.

    A service with an `internal_office` is one of the agency's own programs: a referral to it
    puts an intake task on the case instead of sending the client's information outside.
    """

    class Status(models.TextChoices):
        # HSDS's values, spelled as HSDS spells them.
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    LISTED = (Status.ACTIVE, Status.TEMPORARILY_CLOSED)

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    application_process = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    fees_description = models.TextField(blank=True)
    hours = models.CharField(max_length=300, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services")
    languages = models.ManyToManyField(Language, blank=True, related_name="services")
    locations = models.ManyToManyField(Location, through="ServiceAtLocation", blank=True, related_name="services")
    # Capacity (HSDS `service_capacity` and its `unit`): "3 of 40 beds available".
    capacity_hsds_id = models.CharField(max_length=100, blank=True)
    capacity_unit = models.CharField(max_length=60, blank=True, help_text="What is counted, e.g. 'Bed'.")
    capacity_available = models.PositiveIntegerField(null=True, blank=True)
    capacity_maximum = models.PositiveIntegerField(null=True, blank=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)

    class Intake(models.TextChoices):
        """Whether the service takes people now: set by the agency or by the organization (its
        referral link or its system). Kept beside HSDS `service_capacity`, which counts places."""

        OPEN = "open", "Taking people"
        WAITLIST = "waitlist", "Waiting list"
        FULL = "full", "Full"

    intake = models.CharField("taking people", max_length=10, choices=Intake.choices, default=Intake.OPEN, blank=True)
    last_verified_on = models.DateField(
        null=True, blank=True, help_text="When the information was last checked with the provider (HSDS assured_date)."
    )
    internal_office = models.ForeignKey(
        "accounts.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set for the agency's own programs: the office that runs it.",
    )
    intake_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For an agency program: who takes referrals from cases of the same office "
        "(otherwise the intake task goes to the case's worker).",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "name"], name="ref_service_status_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=F("minimum_age")),
                name="ref_service_ages_in_order",
                violation_error_message="The maximum age cannot be below the minimum age.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization.name})" if self.organization_id else self.name

    @property
    def is_internal(self) -> bool:
        return self.internal_office_id is not None

    @property
    def ages_served(self) -> str:
        if self.minimum_age is not None and self.maximum_age is not None:
            return f"{self.minimum_age} to {self.maximum_age}"
        if self.minimum_age is not None:
            return f"{self.minimum_age} and over"
        if self.maximum_age is not None:
            return f"up to {self.maximum_age}"
        return ""

    @property
    def capacity_text(self) -> str:
        if self.capacity_available is None:
            return ""
        unit = (self.capacity_unit or "place").lower()
        total = f" of {self.capacity_maximum}" if self.capacity_maximum is not None else ""
        plural = "s" if (self.capacity_maximum or self.capacity_available) != 1 and not unit.endswith("s") else ""
        return f"{self.capacity_available}{total} {unit}{plural} available"


class ServiceAtLocation(models.Model):
    """Where a service is delivered (HSDS `service_at_location`)."""

    hsds_id = models.CharField("HSDS id", max_length=100, unique=True, default=new_hsds_id)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="location_services")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"],
                name="ref_service_at_location_unique",
                violation_error_message="This service is already offered at this location.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"
