from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups of these names; a user may hold more than one."""

    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    FINANCE = "finance", _("Finance")
    # A partner system's account (api/): its office's shared clients, read through the API.
    PARTNER = "partner", _("Partner system")
    HEARING_OFFICER = "hearing_officer", _("Hearing officer")
    REVIEWER = "reviewer", _("Quality reviewer")
    # Manages one office: its figures and the cases behind them, read only; issues nothing.
    OFFICE_MANAGER = "office_manager", _("Office manager")


class Office(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    recommended_caseload = models.PositiveIntegerField(
        default=35, help_text=_("Assigning a worker more open cases than this warns the supervisor.")
    )
    maximum_caseload = models.PositiveIntegerField(
        default=50, help_text=_("More open cases than this only with a supervisor's override and reason.")
    )
    share_cases_in_office = models.BooleanField(
        "caseworkers see the office's unrestricted cases",
        default=True,
        help_text=_("Lets colleagues cover for each other. Restricted cases stay with their worker and supervisor."),
    )
    no_contact_alert_days = models.PositiveIntegerField(
        default=30, help_text=_("Supervisors see open cases with no contact for longer than this.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(maximum_caseload__gte=models.F("recommended_caseload")),
                name="office_maximum_caseload_not_below_recommended",
                violation_error_message="The maximum caseload cannot be below the recommended caseload.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    supervisor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="supervised_teams",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["office__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"],
                name="team_unique_name_per_office",
                violation_error_message="This office already has a team of that name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.office})"


class User(AbstractUser):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="users", null=True, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages this person sees; empty follows their browser."),
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """The user's role names, read once per request (from the cache, `accounts.access_cache`)."""
        if not hasattr(self, "_roles"):
            if not self.is_active or not self.pk:
                self._roles = frozenset()
            else:
                from accounts.access_cache import cached

                self._roles = cached(self, "roles", lambda: self.groups.values_list("name", flat=True))
        return self._roles

    def has_role(self, role: str) -> bool:
        return role in self.roles


class BreakGlassGrant(models.Model):
    """An admin's time-limited access to one restricted client, with the reason written down.

    Keyed by the client's id rather than a foreign key so that the access rule in
    `accounts.access` can use it without this app knowing the client registry.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    client_id = models.BigIntegerField(db_index=True)
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "client_id", "expires_at"], name="breakglass_lookup")]

    def __str__(self) -> str:
        return f"{self.user} → client {self.client_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class CaseAccess(models.Model):
    """Who works with a client, as data: one row per case and each client in it.

    Written only by casework's services, in the same transaction as the case's
    opening, assignment or restriction, so `accounts.access.client_scope` can
    decide who sees a client without knowing what a case is.
    """

    case_id = models.BigIntegerField()
    client_id = models.BigIntegerField()
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_access")
    # The worker's team and its supervisor, copied here so the access rule finds a supervisor's
    # cases by an index rather than a join through users and teams; kept right by
    # accounts.services.case_access_staff_sync whenever a worker's team or a team's supervisor changes.
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    supervisor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    restricted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case_id", "client_id"], name="case_access_unique")]
        indexes = [
            # Covers the access check (accounts.access) without reading the table.
            models.Index(
                fields=["client_id", "worker"],
                include=["office", "restricted", "supervisor"],
                name="case_access_client_cover",
            ),
            models.Index(
                fields=["case_id", "worker"],
                include=["office", "restricted", "supervisor"],
                name="case_access_case_cover",
            ),
            models.Index(fields=["office", "restricted", "client_id"], name="case_access_office"),
            # A worker's and a supervisor's own clients (the home page's figures, their lists).
            models.Index(fields=["worker", "client_id"], name="case_access_worker"),
            models.Index(fields=["supervisor", "client_id"], name="case_access_supervisor"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}: client {self.client_id} with {self.worker_id}"


class OnCallShift(models.Model):
    """Who is on call for an office after hours, from when to when.

    While a shift runs, its worker may find any unrestricted client of the office and act on
    their cases within their own authority (`accounts.access`); what they read is audited as
    on-call access. Kept by the office's supervisors and by administrators.
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="on_call_shifts")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    phone = models.CharField(max_length=30, blank=True, help_text=_("The number to reach them on; their own if empty."))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # The access rule asks "is this user on call now?" on every scoped query.
            models.Index(
                fields=["user", "ends_at"],
                include=["office", "starts_at"],
                condition=models.Q(cancelled_at__isnull=True),
                name="oncall_user_live",
            ),
            models.Index(fields=["office", "starts_at"], name="oncall_office_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="oncall_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on call for {self.office} {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%H:%M}"
