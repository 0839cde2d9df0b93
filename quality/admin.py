from django.contrib import admin

from quality.models import Checklist


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    """Checklists are data: an administrator adds elements or a program's list here."""

    list_display = ["name", "code", "rules_module"]
