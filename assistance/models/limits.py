"""How much a user may issue on their own authority, by role or by name, kind by kind."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from assistance.models.issuances import MONEY, Issuance


class AuthorityLimit(models.Model):
    """One version of a limit: for a role or for one user, for one kind of issuance, from a date.

    The version in force on a day is the newest with `effective_from` on or before it. A user's
    own limit, when there is one, replaces their roles' limits for that kind; otherwise the most
    generous of their roles' limits applies. A blank figure means no limit on that measure; no
    limit at all for a kind means every request of that kind waits for approval.
    """

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="authority_limits"
    )
    kind = models.CharField(max_length=20, choices=[(k.value, k.label) for k in Issuance.REQUESTABLE])
    effective_from = models.DateField()
    per_issuance = models.DecimalField(**MONEY, null=True, blank=True, help_text=_("The most for one issuance."))
    per_client_30_days = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text=_("The most for one client over a rolling 30 days, this one included."),
    )
    max_units = models.PositiveIntegerField(null=True, blank=True, help_text=_("The most nights for one issuance."))
    note = models.CharField(max_length=300, blank=True, help_text=_("Where the figure comes from."))

    class Meta:
        ordering = ["kind", "role", "user", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False)) | (~Q(role="") & Q(user__isnull=True)),
                name="authoritylimit_role_or_user",
                violation_error_message="A limit is for a role or for one user: choose one, not both.",
            ),
            models.UniqueConstraint(
                fields=["role", "kind", "effective_from"],
                condition=Q(user__isnull=True),
                name="authoritylimit_one_per_role_kind_date",
                violation_error_message="This role already has a limit for this kind of assistance from that date.",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "effective_from"],
                condition=Q(user__isnull=False),
                name="authoritylimit_one_per_user_kind_date",
                violation_error_message="This user already has a limit for this kind of assistance from that date.",
            ),
            models.CheckConstraint(
                condition=Q(per_issuance__isnull=True) | Q(per_issuance__gte=0),
                name="authoritylimit_not_negative",
                violation_error_message="The most for one issuance cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        who = self.user or Role(self.role).label
        return f"{who}: {self.get_kind_display()} from {self.effective_from:%Y-%m-%d}"
