"""Casework records in the admin: searchable, filterable, read-only, and only what the admin may see.

Cases change through the product's pages, whose services check the rules and write the trail.
"""

from django.contrib import admin

from accounts.access import case_scope
from accounts.admin_access import ReadOnlyRoleAdmin
from casework.models import Appointment, Case, CaseNote, Inquiry, Plan, Task


class CaseScopedAdmin(ReadOnlyRoleAdmin):
    scope_prefix = "case__"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case_scope(request.user, prefix=self.scope_prefix))


@admin.register(Case)
class CaseAdmin(CaseScopedAdmin):
    scope_prefix = ""
    list_display = ["number", "primary_client", "status", "office", "assigned_worker", "opened_on", "restricted"]
    list_filter = ["status", "office", "restricted"]
    search_fields = ["number", "primary_client__last_name"]
    list_select_related = ["primary_client", "office", "assigned_worker"]


@admin.register(CaseNote)
class CaseNoteAdmin(CaseScopedAdmin):
    list_display = ["case", "kind", "contact_at", "author", "confidential"]
    list_filter = ["kind", "confidential"]
    list_select_related = ["case", "author"]
    exclude = ["body", "subject", "present"]


@admin.register(Task)
class TaskAdmin(CaseScopedAdmin):
    list_display = ["title", "case", "assignee", "kind", "due_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "case__number"]
    list_select_related = ["case", "assignee"]


@admin.register(Plan)
class PlanAdmin(CaseScopedAdmin):
    list_display = ["case", "client", "kind", "version", "status", "agreed_on", "review_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["case", "client"]


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyRoleAdmin):
    list_display = ["received_at", "office", "kind", "channel", "source", "subject", "status", "handled_by"]
    list_filter = ["office", "kind", "channel", "source", "subject", "status"]
    date_hierarchy = "received_at"
    list_select_related = ["office", "handled_by"]
    exclude = ["client", "case", "requester_contact"]


@admin.register(Appointment)
class AppointmentAdmin(CaseScopedAdmin):
    list_display = ["starts_at", "kind", "case", "worker", "status", "reminder_sent_at"]
    list_filter = ["kind", "status", "required"]
    list_select_related = ["case", "worker"]
    exclude = ["place", "phone", "agenda"]
