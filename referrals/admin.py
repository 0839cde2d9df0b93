"""The resource directory in the admin, for administrators; referrals read-only, scoped by the
case access rule (they change through the product's pages, whose services write the trail).

HSDS import and export are on the directory's own page (referrals:directory_import).
"""

from django.contrib import admin
from django.db import models
from django.utils import timezone

from accounts.access import case_scope, client_scope
from accounts.admin_access import ReadOnlyRoleAdmin, RoleAdmin
from referrals.models import Category, Language, Location, Organization, Referral, Service, ServiceAtLocation


class DirectoryAdmin(RoleAdmin):
    readonly_fields = ["hsds_id", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 1
    fields = ["location"]
    autocomplete_fields = ["location"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return True  # a service no longer offered somewhere; nothing rests on the link


@admin.register(Organization)
class OrganizationAdmin(DirectoryAdmin):
    list_display = ["name", "alternate_name", "phone", "email", "updated_at"]
    search_fields = ["name", "alternate_name", "hsds_id"]


@admin.register(Location)
class LocationAdmin(DirectoryAdmin):
    list_display = ["__str__", "organization", "city", "postal_code", "phone"]
    list_filter = ["city"]
    search_fields = ["name", "address_1", "city", "postal_code", "hsds_id"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]


@admin.register(Service)
class ServiceAdmin(DirectoryAdmin):
    list_display = ["name", "organization", "status", "capacity_text", "last_verified_on", "internal_office"]
    list_filter = ["status", "categories", "languages", "internal_office"]
    search_fields = ["name", "organization__name", "hsds_id"]
    list_select_related = ["organization", "internal_office"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["categories", "languages"]
    inlines = [ServiceAtLocationInline]
    fieldsets = [
        (
            None,
            {"fields": ["organization", "name", "alternate_name", "status", "description", "hsds_id", "updated_at"]},
        ),
        ("Contact", {"fields": ["phone", "email", "url", "hours"]}),
        (
            "Who and how",
            {
                "fields": [
                    "categories",
                    "languages",
                    "eligibility_description",
                    "minimum_age",
                    "maximum_age",
                    "fees_description",
                    "application_process",
                ]
            },
        ),
        (
            "Capacity",
            {
                "fields": [
                    "intake",
                    "capacity_unit",
                    "capacity_available",
                    "capacity_maximum",
                    "capacity_updated_at",
                    "last_verified_on",
                ]
            },
        ),
        ("Agency program", {"fields": ["internal_office", "intake_worker"]}),
    ]


@admin.register(Category)
class CategoryAdmin(DirectoryAdmin):
    list_display = ["name", "code", "taxonomy"]
    search_fields = ["name", "code"]


@admin.register(Language)
class LanguageAdmin(RoleAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyRoleAdmin):
    list_display = ["__str__", "case", "organization", "urgency", "status", "created_at"]
    list_filter = ["status", "urgency"]
    list_select_related = ["case", "service", "organization"]
    exclude = ["reason", "shared", "client"]

    def get_queryset(self, request):
        scope = case_scope(request.user, prefix="case__") & client_scope(request.user, prefix="client__")
        return super().get_queryset(request).filter(scope)
