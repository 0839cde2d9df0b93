from django.contrib import admin

from core.models import OutboxJob


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Read-only: what waits for the broker and why. The relay sends pending jobs; nobody edits them."""

    list_display = ("id", "task", "created_at", "sent_at", "attempts", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("task",)
    readonly_fields = ("task", "args", "kwargs", "created_at", "sent_at", "attempts", "last_error")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
