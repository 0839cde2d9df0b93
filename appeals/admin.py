from django.contrib import admin

from appeals.models import Appeal


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals move through their services, each step audited."""

    list_display = ("id", "case", "subject", "status", "requested_on", "decision_due", "decision")
    list_filter = ("status", "subject", "decision")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
