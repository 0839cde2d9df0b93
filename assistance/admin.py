"""Admins set authority limits and budgets here, and can read the payment runs.

Issuances, overpayments and the ledger name clients, so they are kept to the product's pages,
where the access rule applies; they change only through the services.
"""

from django.contrib import admin
from django.db import models
from django.utils import timezone

from accounts.admin_access import ReadOnlyRoleAdmin, RoleAdmin
from assistance.models import AuthorityLimit, Budget, PaymentRun
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from core.forms import money_formfield

LIMIT_FIELDS = ["role", "user", "kind", "effective_from", "per_issuance", "per_client_30_days", "max_units", "note"]
BUDGET_FIELDS = ["program", "fiscal_year", "starts_on", "ends_on", "amount", "warn_at_percent"]


class AuditedAdmin(RoleAdmin):
    """Every save is in the audit trail with what changed."""

    audited_fields: list[str] = []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField) and db_field.decimal_places == 2:
            return money_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        before = audit_snapshot(type(obj).objects.get(pk=obj.pk), self.audited_fields) if change else {}
        super().save_model(request, obj, form, change)
        after = audit_snapshot(obj, self.audited_fields)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            changes=audit_diff(before, after),
        )


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(AuditedAdmin):
    """A limit in force, or one that was, is history: change the figure by adding a new version."""

    audited_fields = [name.replace("user", "user_id") if name == "user" else name for name in LIMIT_FIELDS]
    list_display = ["kind", "role", "user", "effective_from", "per_issuance", "per_client_30_days", "max_units"]
    list_filter = ["kind", "role"]
    search_fields = ["user__username", "user__last_name", "note"]
    autocomplete_fields = ["user"]
    fields = LIMIT_FIELDS

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.effective_from <= timezone.localdate():
            return False
        return super().has_change_permission(request, obj)


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
