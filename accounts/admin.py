from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_access import AuditedAdmin, ReadOnlyRoleAdmin
from accounts.models import BreakGlassGrant, Office, OnCallShift, Team, User
from accounts.second_factor import second_factor_reset_many
from audit.models import AuditEvent
from audit.services import audit_record


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
    actions = ["reset_second_factor"]

    @admin.action(description="Remove the sign-in code (lost phone): they set up a new one at next sign-in")
    def reset_second_factor(self, request, queryset):
        selected = list(queryset)
        reset = second_factor_reset_many(
            acting_user=request.user, users=selected, reason="Reset by an administrator (lost phone)"
        )
        self.message_user(request, f"Sign-in code removed for {len(reset)} of {len(selected)} selected.")

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


@admin.register(OnCallShift)
class OnCallShiftAdmin(ReadOnlyRoleAdmin):
    """The roster is kept on its page (casework's on-call roster), whose service checks and audits."""

    list_display = ["office", "user", "starts_at", "ends_at", "cancelled_at"]
    list_filter = ["office", "starts_at"]
    list_select_related = ["office", "user"]


# Authenticators and recovery codes are changed only through the action above (audited),
# never edited or deleted one by one.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


# The trail's admin page is registered here, not in the audit app: who may read it is a role
# rule of this app, and the audit app imports nothing from the apps that write to it.
@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyRoleAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type", "at"]
    search_fields = ["actor_name", "object_repr", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
