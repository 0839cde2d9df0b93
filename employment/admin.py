from django.contrib import admin

from employment.models import Employer, EmployerContact, GroupSession, JobOpening


class ContactInline(admin.TabularInline):
    model = EmployerContact
    extra = 0


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "office")
    list_filter = ("office",)
    search_fields = ("name",)
    inlines = [ContactInline]
    readonly_fields = ("created_by", "created_at")


@admin.register(JobOpening)
class JobOpeningAdmin(admin.ModelAdmin):
    list_display = ("title", "employer", "hourly_wage", "weekly_hours", "closes_on", "status")
    list_filter = ("status",)
    readonly_fields = ("status", "created_by", "created_at")


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "held_on", "office")
    list_filter = ("kind", "office")
    readonly_fields = ("attendance_recorded_at",)
