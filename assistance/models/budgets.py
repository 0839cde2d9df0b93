"""What a program may spend in a fiscal year."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from assistance.models.issuances import MONEY


class Budget(models.Model):
    """A program's budget for one fiscal year; issued and committed totals come from the ledger."""

    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="budgets")
    fiscal_year = models.CharField(max_length=20, help_text=_("As the agency names it, e.g. 2026-27."))
    starts_on = models.DateField()
    ends_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    warn_at_percent = models.PositiveSmallIntegerField(
        default=90, help_text=_("Supervisors are warned when an approval takes spending past this share.")
    )

    class Meta:
        ordering = ["program", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "starts_on"],
                name="budget_one_per_program_year",
                violation_error_message="This program already has a budget starting on that date.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="budget_ends_after_start",
                violation_error_message="The budget must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budget_amount_not_negative",
                violation_error_message="The budget amount cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.fiscal_year}"
