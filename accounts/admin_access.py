"""What the Django admin lets each role do, by role rather than per-model permissions."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts.models import Role
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot
from core.forms import money_formfield


def _is_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or Role.ADMIN in user.roles)


class RoleAdmin(admin.ModelAdmin):
    """Configuration that administrators edit: offices, teams, users, programs, limits."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Amounts in the admin are read like every other amount: one strict parser.
        if isinstance(db_field, models.DecimalField) and db_field.decimal_places == 2:
            return money_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_module_permission(self, request) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyRoleAdmin(RoleAdmin):
    """Records whose changes go through the product's pages and services, so they stay audited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyRoleInline(admin.TabularInline):
    """Rows shown beside their parent for administrators; they are edited on their own page."""

    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditedAdmin(RoleAdmin):
    """Every add or change made in the admin goes in the audit trail with old and new values."""

    audited_fields: list[str] = []

    def save_model(self, request, obj, form, change) -> None:
        fields = self.audited_fields or [f.attname for f in obj._meta.concrete_fields if f.attname != "password"]
        before = audit_snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            changes=audit_diff(before, audit_snapshot(obj, fields)),
        )


class VersionedAdmin(RoleAdmin):
    """Effective-dated figures: a version that is history is read-only, a new figure is a new version.

    `is_history` says which versions are history (in force, or used by a decision); their change
    page shows them read-only and a POST to it is refused.
    """

    history_message = "This version is history and cannot be changed: add a new version with a later effective date."

    def is_history(self, obj) -> bool:
        raise NotImplementedError

    def new_version_initial(self, obj) -> dict[str, str]:
        """What the add page starts with when a history version is superseded."""
        return {}

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self.is_history(obj):
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "GET" and obj is not None and _is_admin(request) and self.is_history(obj):
            opts = self.model._meta
            add_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            query = urlencode(self.new_version_initial(obj))
            messages.info(
                request,
                format_html('{} <a href="{}">Add a new version</a>.', self.history_message, f"{add_url}?{query}"),
            )
        return super().change_view(request, object_id, form_url, extra_context)
