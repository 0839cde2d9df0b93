"""Admins keep programs and rule parameters here; enrollments and determinations are read-only
(they change only through the services, with their audit events)."""

from django.contrib import admin

from eligibility.models import Determination, Enrollment, JobClaim, ParameterValue, Program, Review


class ParameterValueInline(admin.TabularInline):
    model = ParameterValue
    extra = 0
    fields = ("name", "effective_from", "value", "source_title", "source_url", "example")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rules_module", "review_period_months", "appeal_days", "is_active")
    inlines = [ParameterValueInline]


@admin.register(ParameterValue)
class ParameterValueAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "effective_from", "example", "source_title")
    list_filter = ("program", "example")
    search_fields = ("name", "source_title")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("case", "program", "status", "application_date", "monthly_amount", "next_review_on")
    list_filter = ("program", "status")


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "as_of", "eligible", "monthly_amount", "status", "finalised_at")
    list_filter = ("status",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("enrollment", "due_on", "status", "opened_at", "closed_at")
    list_filter = ("status",)
    raw_id_fields = ("enrollment", "task")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # reviews move through the jobs and the decision services


@admin.register(JobClaim)
class JobClaimAdmin(admin.ModelAdmin):
    list_display = ("job", "run_on", "enrollment", "status", "done_at")
    list_filter = ("job", "status", "run_on")
    raw_id_fields = ("enrollment",)
