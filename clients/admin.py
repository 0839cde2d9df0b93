"""The registry in the admin: searchable and filterable, read-only, and only what the admin may see.

Changes to clients go through the product's pages, whose services check the rules
and write the audit trail.
"""

from django.contrib import admin

from accounts.access import client_scope
from accounts.admin_access import ReadOnlyRoleAdmin
from clients.models import (
    Asset,
    Client,
    Consent,
    Document,
    Expense,
    Household,
    HouseholdMembership,
    Income,
    PersonFact,
)


class ScopedAdmin(ReadOnlyRoleAdmin):
    scope_prefix = "client__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(client_scope(request.user, prefix=self.scope_prefix))


@admin.register(Client)
class ClientAdmin(ScopedAdmin):
    scope_prefix = ""
    list_display = ["id", "last_name", "first_name", "date_of_birth", "office", "restricted"]
    list_filter = ["office", "restricted", "interpreter_needed", "language"]
    search_fields = ["last_name", "first_name", "preferred_name", "=identifier_last4", "phone_digits"]
    list_select_related = ["office"]
    exclude = ["identifier_encrypted", "identifier_hash"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ["id", "name", "office", "created_at"]
    list_filter = ["office"]
    search_fields = ["name"]

    def get_queryset(self, request):
        visible = HouseholdMembership.objects.filter(client_scope(request.user, prefix="client__"))
        return Household.objects.filter(pk__in=visible.values("household_id")).select_related("office")


@admin.register(HouseholdMembership)
class HouseholdMembershipAdmin(ScopedAdmin):
    list_display = ["client", "household", "relationship", "start_date", "end_date"]
    list_filter = ["relationship"]
    list_select_related = ["client", "household"]


@admin.register(Income)
class IncomeAdmin(ScopedAdmin):
    list_display = ["client", "kind", "amount", "frequency", "start_date", "end_date", "verification"]
    list_filter = ["kind", "frequency", "verification"]
    search_fields = ["client__last_name", "description"]
    list_select_related = ["client"]


@admin.register(Expense)
class ExpenseAdmin(ScopedAdmin):
    list_display = ["client", "kind", "amount", "frequency", "start_date", "end_date", "verification"]
    list_filter = ["kind", "frequency", "verification"]
    search_fields = ["client__last_name", "description"]
    list_select_related = ["client"]


@admin.register(Asset)
class AssetAdmin(ScopedAdmin):
    list_display = ["client", "kind", "value", "as_of", "verification"]
    list_filter = ["kind", "verification"]
    search_fields = ["client__last_name", "description"]
    list_select_related = ["client"]


@admin.register(Document)
class DocumentAdmin(ScopedAdmin):
    list_display = ["client", "kind", "original_name", "uploaded_at", "verified_at", "expires_on"]
    list_filter = ["kind", "uploaded_at"]
    search_fields = ["client__last_name", "original_name"]
    list_select_related = ["client"]
    exclude = ["file", "storage_token"]


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ["client", "organization", "purpose", "granted_on", "expires_on", "revoked_on"]
    list_filter = ["purpose"]
    search_fields = ["client__last_name", "organization"]
    list_select_related = ["client"]


@admin.register(PersonFact)
class PersonFactAdmin(ScopedAdmin):
    list_display = ["client", "kind", "basis", "start_date", "end_date", "verification"]
    list_filter = ["kind", "basis", "verification"]
    search_fields = ["client__last_name", "note"]
    list_select_related = ["client"]
