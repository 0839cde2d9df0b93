from django.contrib import admin

from accounts.admin_access import ReadOnlyRoleAdmin
from community.models import Brochure, OutreachEvent, SponsorProject, Volunteer


@admin.register(SponsorProject)
class SponsorProjectAdmin(ReadOnlyRoleAdmin):
    list_display = ("title", "sponsor", "office", "status", "starts_on", "ends_on")
    list_filter = ("status", "office")
    readonly_fields = [f.name for f in SponsorProject._meta.fields]


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyRoleAdmin):
    list_display = ("name", "office", "background_check", "training_completed_on")
    list_filter = ("background_check", "office")
    readonly_fields = ("background_check", "background_checked_on", "training_completed_on", "created_by")


@admin.register(OutreachEvent)
class OutreachEventAdmin(ReadOnlyRoleAdmin):
    list_display = ("topic", "held_on", "audience", "attendance", "office")


@admin.register(Brochure)
class BrochureAdmin(ReadOnlyRoleAdmin):
    list_display = ("title", "language", "topic", "uploaded_at")
    list_filter = ("language",)
    readonly_fields = ("file", "content_type", "uploaded_by")
