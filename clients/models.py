from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.normalize import digits_only, search_key
from core.money import format_money

MONEY = {"max_digits": 12, "decimal_places": 2}


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Verification requested")
    VERIFIED = "verified", _("Verified")
    DISCREPANCY = "discrepancy", _("Discrepancy found")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    SEMIMONTHLY = "semimonthly", _("Twice a month")
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class Client(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        INTERSEX = "X", _("Intersex / another sex")
        UNKNOWN = "U", _("Not stated")

    class IdentifierKind(models.TextChoices):
        SSN = "ssn", _("US Social Security number")
        SIN = "sin", _("Canadian Social Insurance number")

    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(max_length=80)
    middle_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=60, blank=True, help_text=_("In the client's own words."))
    language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=120, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    region = models.CharField("state or province", max_length=40, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    address_confidential = models.BooleanField(
        default=False, help_text=_("Never printed on anything that leaves the agency.")
    )

    identifier_kind = models.CharField(max_length=3, choices=IdentifierKind.choices, blank=True)
    # The identifier itself only ever encrypted; the keyed hash finds exact matches,
    # the last four are what most people are shown.
    identifier_encrypted = models.TextField(blank=True, editable=False)
    identifier_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    identifier_last4 = models.CharField(max_length=4, blank=True, editable=False, db_index=True)

    restricted = models.BooleanField(
        default=False,
        help_text=_(
            "Seen only by the workers on their cases and those workers' supervisors (a victim of violence, say)."
        ),
    )
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from")

    # Derived from the name and phone by `refresh_search_fields`, for search.
    search_name = models.CharField(max_length=330, editable=False, default="")
    phone_digits = models.CharField(max_length=20, editable=False, blank=True, db_index=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="client_dob"),
            models.Index(fields=["office", "last_name"], name="client_office_name"),
            # The client list's order, read from a page's first client on (clients.selectors.client_page).
            models.Index(fields=["last_name", "first_name", "id"], name="client_name_order"),
            # The trigram index on search_name is added on PostgreSQL by migration 0002.
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_hash"],
                condition=Q(identifier_hash__isnull=False, merged_into__isnull=True),
                name="client_identifier_unique",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="client_not_merged_into_self"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name

    @property
    def masked_identifier(self) -> str:
        return f"•••-••-{self.identifier_last4}" if self.identifier_last4 else ""

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def refresh_search_fields(self) -> None:
        self.search_name = search_key(self.first_name, self.middle_name, self.last_name, self.preferred_name)
        self.phone_digits = digits_only(self.phone)


class Household(models.Model):
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="households")
    name = models.CharField(max_length=160, help_text=_("Usually the head's family name."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class HouseholdMembership(models.Model):
    """A client's place in a household. A client has one current membership; past ones are history."""

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        PARTNER = "partner", _("Partner")
        CHILD = "child", _("Child")
        STEPCHILD = "stepchild", _("Stepchild")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Sibling")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        UNRELATED = "unrelated", _("Not related")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["household", "start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(end_date__isnull=True),
                name="membership_one_current_household",
                violation_error_message="This person is already a current member of a household.",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True, relationship="head"),
                name="membership_one_current_head",
                violation_error_message="This household already has a head.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_end_after_start",
                violation_error_message="A member cannot leave the household before joining it.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} in {self.household} ({self.get_relationship_display()})"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class DatedAmount(models.Model):
    """An amount received or paid at a frequency over a period, with its verification."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="%(class)ss")
    amount = models.DecimalField(**MONEY)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED)
    description = models.CharField(max_length=160, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-start_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_money(self.amount)} {self.get_frequency_display().lower()}"

    def is_current_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


def _amount_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(amount__gte=Decimal("0")),
            name=f"{prefix}_amount_not_negative",
            violation_error_message="The amount cannot be negative.",
        ),
        models.CheckConstraint(
            condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
            name=f"{prefix}_end_after_start",
            violation_error_message="The end date cannot be before the start date.",
        ),
    ]


class Income(DatedAmount):
    class Kind(models.TextChoices):
        EARNED = "earned", _("Wages and salary")
        SELF_EMPLOYMENT = "self_employment", _("Self-employment")
        BENEFITS = "benefits", _("Benefits (pension, unemployment, disability...)")
        CHILD_SUPPORT = "child_support", _("Child support received")
        OTHER = "other", _("Other")

    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(DatedAmount.Meta):
        constraints = _amount_constraints("income")


class Expense(DatedAmount):
    """A cost a client pays. Utilities are recorded by kind, because SNAP's utility allowance
    depends on which ones the household pays (7 CFR 273.9(d)(6)(iii)).

    `utilities` is how utilities were recorded before they were kept by kind: such a row is read
    as utilities that include heating or cooling (what it was always assessed as), so old rows and
    stored determinations give the same amounts; new rows name the utility instead.
    """

    class Kind(models.TextChoices):
        RENT = "rent", _("Rent")
        MORTGAGE = "mortgage", _("Mortgage")
        HEATING_COOLING = "heating_cooling", _("Heating or cooling")
        ELECTRICITY = "electricity", _("Electricity (not for heating or cooling)")
        GAS_FUEL = "gas_fuel", _("Gas or other fuel (not for heating or cooling)")
        WATER = "water", _("Water")
        SEWER = "sewer", _("Sewer")
        TRASH = "trash", _("Trash collection")
        TELEPHONE = "telephone", _("Telephone")
        UTILITIES = (
            "utilities",
            _("Utilities including heating or cooling (recorded before utilities were kept by kind)"),
        )
        DEPENDENT_CARE = "dependent_care", _("Dependent care")
        MEDICAL = "medical", _("Medical")
        CHILD_SUPPORT_PAID = "child_support_paid", _("Child support paid")
        OTHER = "other", _("Other")

    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(DatedAmount.Meta):
        constraints = _amount_constraints("expense")


class Asset(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_ACCOUNT = "bank_account", _("Bank account")
        VEHICLE = "vehicle", _("Vehicle")
        PROPERTY = "property", _("Real property")
        INVESTMENT = "investment", _("Investments")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assets")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.DecimalField(**MONEY)
    description = models.CharField(max_length=160, blank=True)
    as_of = models.DateField(default=timezone.localdate)
    disposed_on = models.DateField(null=True, blank=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-as_of", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=Decimal("0")),
                name="asset_value_not_negative",
                violation_error_message="The value cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | Q(disposed_on__gte=F("as_of")),
                name="asset_disposed_after_as_of",
                violation_error_message="The date it was disposed of cannot be before the date of its value.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} worth {format_money(self.value)}"


def document_path(instance: "Document", filename: str) -> str:
    # A random name: the stored path must not reveal whose file it is.
    return f"documents/{timezone.now():%Y/%m}/{instance.storage_token}"


class Document(models.Model):
    class Kind(models.TextChoices):
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        IDENTITY = "identity", _("Photo identification")
        LEASE = "lease", _("Lease or rental agreement")
        BANK_STATEMENT = "bank_statement", _("Bank statement")
        PAY_STUB = "pay_stub", _("Pay stub")
        UTILITY_BILL = "utility_bill", _("Utility bill")
        MEDICAL = "medical", _("Medical record")
        POLICE_REPORT = "police_report", _("Police report")
        COURT_ORDER = "court_order", _("Court or protective order")
        IMMIGRATION = "immigration", _("Immigration document")
        #: What an employment worker matches to openings and sends to employers.
        RESUME = "resume", _("Résumé")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    description = models.CharField(max_length=160, blank=True)
    file = models.FileField(upload_to=document_path, max_length=200)
    storage_token = models.CharField(max_length=64, unique=True, editable=False)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def is_expired_on(self, day) -> bool:
        return self.expires_on is not None and self.expires_on < day


class Consent(models.Model):
    """Permission to share a client's information with an organization, for a purpose."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", _("Referral for services")
        ELIGIBILITY = "eligibility", _("Eligibility verification")
        CARE_COORDINATION = "care_coordination", _("Care coordination")
        BENEFITS = "benefits", _("Benefit administration")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    organization = models.CharField(max_length=160)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    details = models.TextField(blank=True, help_text=_("What may be shared."))
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-granted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("granted_on")),
                name="consent_revoked_after_granted",
                violation_error_message="Consent cannot be revoked before the date it was granted.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("granted_on")),
                name="consent_expires_after_granted",
                violation_error_message="Consent cannot expire before the date it was granted.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_purpose_display()}"

    def in_force_on(self, day) -> bool:
        return (
            self.granted_on <= day
            and (self.revoked_on is None or self.revoked_on > day)
            and (self.expires_on is None or self.expires_on >= day)
        )


#: The kinds of fact recorded with a basis (the benefit that shows them, 7 CFR 271.2): `PersonFact.NEEDS_BASIS`.
_KINDS_WITH_BASIS = ["disability", "blindness"]


class PersonFact(models.Model):
    """A circumstance of a person that the rules ask about, over a period: history, never overwritten.

    A new fact of a kind ends the person's current one of that kind the day before it starts
    (`clients.services.person_fact_record`); an ended fact stays as it was.
    """

    class Kind(models.TextChoices):
        DISABILITY = "disability", _("Disability")
        BLINDNESS = "blindness", _("Blindness")
        STUDENT = "student", _("Student in higher education (at least half time)")
        HOMELESSNESS = "homelessness", _("Homelessness (no fixed, regular night-time residence)")

    class Basis(models.TextChoices):
        """What shows the disability or blindness: the benefits of the "elderly or disabled member"
        definition in 7 CFR 271.2 (https://www.ecfr.gov/current/title-7/section-271.2)."""

        SSI = "ssi", _("Receives SSI, or supplemental or interim assistance tied to SSI's disability or blindness test")
        SOCIAL_SECURITY = "social_security", _("Receives Social Security disability or blindness payments (SSDI)")
        MEDICAID = "medicaid", _("Receives disability-related Medicaid")
        GENERAL_ASSISTANCE = "general_assistance", _("Receives disability-based state general assistance")
        DISABILITY_RETIREMENT = (
            "disability_retirement",
            _("Receives a federal, state or local government disability retirement for a permanent disability"),
        )
        RAILROAD = "railroad", _("Receives a Railroad Retirement disability annuity and is eligible for Medicare")
        VA_TOTAL = "va_total", _("Veteran whose disability the VA rates or pays as total")
        VA_AID = (
            "va_aid_attendance",
            _(
                "Veteran, or a veteran's surviving spouse, the VA finds needs regular aid and attendance or is "
                "permanently housebound"
            ),
        )
        VA_CHILD = "va_child", _("Veteran's surviving child the VA finds permanently incapable of self-support")
        VA_SURVIVOR = (
            "va_survivor",
            _(
                "Veteran's surviving spouse or child entitled to VA death compensation or pension, with a disability "
                "Social Security considers permanent"
            ),
        )

    NEEDS_BASIS = frozenset(_KINDS_WITH_BASIS)

    class StudentExemption(models.TextChoices):
        """The exemptions of 7 CFR 273.5(b) (https://www.ecfr.gov/current/title-7/section-273.5); the age
        exemption, (b)(1), is not recorded: the rules work it out on the determination date."""

        UNFIT = "unfit", _("Physically or mentally unfit for work")
        TANF = "tanf", _("Receives TANF")
        JOBS = "jobs", _("Enrolled through the JOBS program or its successor")
        EMPLOYED = "employed", _("Works at least 20 paid hours a week")
        WORK_STUDY = "work_study", _("In a federal or state work-study program")
        ON_THE_JOB = "on_the_job", _("In an on-the-job training program")
        CHILD_UNDER_6 = "child_under_6", _("Cares for a dependent household member under 6")
        CHILD_6_TO_11 = "child_6_to_11", _("Cares for a dependent child 6 to 11 without adequate child care")
        SINGLE_PARENT = "single_parent", _("Single parent, enrolled full time, caring for a child under 12")
        PLACED = "placed", _("Placed in school by SNAP E&T, WIOA, trade adjustment or a state employment program")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    basis = models.CharField(max_length=30, choices=Basis.choices, blank=True)
    student_exemption = models.CharField(
        "exemption (7 CFR 273.5(b))", max_length=20, choices=StudentExemption.choices, blank=True
    )
    pays_for_shelter = models.BooleanField(
        "pays something for shelter",
        null=True,
        blank=True,
        help_text=_("For homelessness: No when all the shelter this month is free (7 CFR 273.9(d)(6)(i))."),
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "-start_date", "id"]
        indexes = [models.Index(fields=["client", "kind", "start_date"], name="personfact_client_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind"],
                condition=Q(end_date__isnull=True),
                name="personfact_one_current_per_kind",
                violation_error_message="This person already has a current fact of this kind; end it first.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="personfact_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=_KINDS_WITH_BASIS) & ~Q(basis=""))
                | (~Q(kind__in=_KINDS_WITH_BASIS) & Q(basis="")),
                name="personfact_basis_for_disability_only",
                violation_error_message="Say what shows the disability or blindness (a basis), and only for those.",
            ),
            models.CheckConstraint(
                condition=Q(kind="student") | Q(student_exemption=""),
                name="personfact_exemption_for_students_only",
                violation_error_message="A student exemption is recorded only for a student.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="homelessness") & Q(pays_for_shelter__isnull=False))
                | (~Q(kind="homelessness") & Q(pays_for_shelter__isnull=True)),
                name="personfact_shelter_for_homelessness_only",
                violation_error_message="Say whether a homeless person pays anything for shelter (and only for them).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%Y-%m-%d}"

    def in_force_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @property
    def detail(self) -> str:
        """The fact's particulars in a few words, for pages."""
        if self.basis:
            return self.get_basis_display()
        if self.kind == self.Kind.STUDENT:
            return self.get_student_exemption_display() if self.student_exemption else "No exemption recorded"
        if self.kind == self.Kind.HOMELESSNESS:
            return "Pays something for shelter" if self.pays_for_shelter else "Shelter is free"
        return ""
