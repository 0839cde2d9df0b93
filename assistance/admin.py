"""Admins set authority limits and budgets here, and can read the payment runs.

Issuances, overpayments and the ledger name clients, so they are kept to the product's pages,
where the access rule applies; they change only through the services.
"""

from django.contrib import admin
from django.utils import timezone

from accounts.admin_access import AuditedAdmin, ReadOnlyRoleAdmin, VersionedAdmin
from assistance.models import AuthorityLimit, Budget, PaymentRun

LIMIT_FIELDS = ["role", "user", "kind", "effective_from", "per_issuance", "per_client_30_days", "max_units", "note"]
BUDGET_FIELDS = ["program", "fiscal_year", "starts_on", "ends_on", "amount", "warn_at_percent"]


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(VersionedAdmin, AuditedAdmin):
    """A limit in force, or one that was, is history: change the figure by adding a new version."""

    audited_fields = [name.replace("user", "user_id") if name == "user" else name for name in LIMIT_FIELDS]
    list_display = ["kind", "role", "user", "effective_from", "per_issuance", "per_client_30_days", "max_units"]
    list_filter = ["kind", "role"]
    search_fields = ["user__username", "user__last_name", "note"]
    autocomplete_fields = ["user"]
    fields = LIMIT_FIELDS

    history_message = "A limit in force, or one that was, cannot be changed: add a new version from a later date."

    def is_history(self, obj) -> bool:
        return obj.effective_from <= timezone.localdate()


@admin.register(Budget)
class BudgetAdmin(AuditedAdmin):
    audited_fields = ["program_id", *BUDGET_FIELDS[1:]]
    list_display = ["program", "fiscal_year", "starts_on", "ends_on", "amount", "warn_at_percent"]
    list_filter = ["program"]
    fields = BUDGET_FIELDS


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyRoleAdmin):
    list_display = ["period", "status", "started_at", "finished_at", "started_by"]
    exclude = ["report"]
    readonly_fields = ["period", "status", "started_at", "finished_at", "started_by", "file_sha256"]
