from django.contrib import admin

from accounts.admin_access import ReadOnlyRoleAdmin, ReadOnlyRoleInline
from employment.models import Employer, EmployerContact, GroupSession, JobOpening


class ContactInline(ReadOnlyRoleInline):
    model = EmployerContact


@admin.register(Employer)
class EmployerAdmin(ReadOnlyRoleAdmin):
    list_display = ("name", "industry", "office")
    list_filter = ("office",)
    search_fields = ("name",)
    inlines = [ContactInline]
    readonly_fields = ("created_by", "created_at")


@admin.register(JobOpening)
class JobOpeningAdmin(ReadOnlyRoleAdmin):
    list_display = ("title", "employer", "hourly_wage", "weekly_hours", "closes_on", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "created_by", "created_at")


@admin.register(GroupSession)
class GroupSessionAdmin(ReadOnlyRoleAdmin):
    list_display = ("title", "kind", "held_on", "office")
    list_filter = ("kind", "office")
    readonly_fields = ("attendance_recorded_at",)
