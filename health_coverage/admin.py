"""Health coverage records in the admin, read-only and scoped by the access rule: they change
through the product's services, which write the audit trail."""

from django.contrib import admin

from accounts.access import case_scope, client_scope
from accounts.admin_access import ReadOnlyRoleAdmin
from health_coverage.models import (
    CoverageDecision,
    CoverageRestriction,
    MedicalTravel,
    OutOfProvinceClaim,
    SpecialAuthorization,
)


class ScopedAdmin(ReadOnlyRoleAdmin):
    list_select_related = ["case"]

    def get_queryset(self, request):
        scope = case_scope(request.user, prefix="case__") & client_scope(request.user, prefix="client__")
        return super().get_queryset(request).filter(scope)


@admin.register(SpecialAuthorization)
class SpecialAuthorizationAdmin(ScopedAdmin):
    list_display = ["__str__", "case", "status", "received_on", "approved_until"]
    list_filter = ["status"]
    exclude = ["client", "criteria_claimed", "evidence"]


@admin.register(CoverageRestriction)
class CoverageRestrictionAdmin(ScopedAdmin):
    list_display = ["__str__", "case", "starts_on", "ends_on"]
    exclude = ["client", "reason"]


@admin.register(OutOfProvinceClaim)
class OutOfProvinceClaimAdmin(ScopedAdmin):
    list_display = ["__str__", "case", "status", "amount_claimed", "amount_approved"]
    list_filter = ["status", "province"]
    exclude = ["client"]


@admin.register(CoverageDecision)
class CoverageDecisionAdmin(ScopedAdmin):
    list_display = ["__str__", "case", "rule_version", "decided_at"]
    exclude = ["client", "facts"]


@admin.register(MedicalTravel)
class MedicalTravelAdmin(ScopedAdmin):
    list_display = ["destination", "case", "departs_on", "returns_on"]
    exclude = ["client"]
