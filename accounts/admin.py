from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.admin_access import ReadOnlyRoleAdmin, RoleAdmin
from accounts.models import BreakGlassGrant, Office, Team, User
from audit.models import AuditEvent
from audit.services import audit_diff, audit_record, audit_snapshot


class AuditedAdmin(RoleAdmin):
    """Every add or change made in the admin goes in the audit trail with old and new values."""

    audited_fields: list[str] = []

    def save_model(self, request, obj, form, change):
        fields = self.audited_fields or [f.attname for f in obj._meta.concrete_fields if f.attname != "password"]
        before = audit_snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            target=obj,
            changes=audit_diff(before, audit_snapshot(obj, fields)),
        )


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    list_display = ["name", "code", "phone"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "office", "supervisor"]
    list_filter = ["office"]
    search_fields = ["name"]
    list_select_related = ["office", "supervisor"]
    autocomplete_fields = ["supervisor"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "office", "team", "is_active"]
    list_filter = ["is_active", "groups", "office"]
    list_select_related = ["office", "team"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Office", {"fields": ("office", "team", "phone")}))
    audited_fields = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "office_id", "team_id"]

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                target=form.instance,
                changes={"roles": [sorted(before), sorted(after)]},
            )


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyRoleAdmin):
    list_display = ["user", "client_id", "granted_at", "expires_at"]
    list_filter = ["granted_at"]
    search_fields = ["user__username", "reason"]
    list_select_related = ["user"]
