from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from accounts.admin_access import ReadOnlyRoleAdmin, RoleAdmin
from correspondence import templates_registry as registry
from correspondence.models import LetterTemplate, PrintBatch, StaffMessage
from correspondence.services import letter_template_save


class LetterTemplateForm(forms.ModelForm):
    code = forms.ChoiceField()

    class Meta:
        model = LetterTemplate
        fields = ["code", "language", "subject", "body"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(d.code, f"{d.label} ({d.code})") for d in registry.registered()]
        code = self.data.get("code") or self.initial.get("code")
        if code in {d.code for d in registry.registered()}:
            names = ", ".join("{{ " + name + " }}" for name in sorted(registry.get(code).allowed_fields))
            self.fields["body"].help_text = f"Plain text. The fields this letter may use: {names}."

    def clean(self):
        data = super().clean()
        if data.get("code"):
            allowed = registry.get(data["code"]).allowed_fields
            for name in ("subject", "body"):
                try:
                    registry.fields_check(data.get(name) or "", allowed)
                except ValidationError as error:
                    self.add_error(name, error)
        return data


@admin.register(LetterTemplate)
class LetterTemplateAdmin(RoleAdmin):
    """Each save is a new version (`letter_template_save`, audited); a version is never changed."""

    form = LetterTemplateForm
    list_display = ["code", "language", "version", "subject", "created_at", "created_by", "new_version"]
    list_filter = ["language", "code"]
    readonly_fields = ["version", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="")
    def new_version(self, obj: LetterTemplate) -> str:
        query = urlencode({"code": obj.code, "language": obj.language, "subject": obj.subject, "body": obj.body})
        return format_html(
            '<a href="{}?{}">Write a new version</a>', reverse("admin:correspondence_lettertemplate_add"), query
        )

    def save_model(self, request, obj, form, change) -> None:
        saved = letter_template_save(
            acting_user=request.user, code=obj.code, language=obj.language, subject=obj.subject, body=obj.body
        )
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyRoleAdmin):
    list_display = ["id", "office", "created_at", "letters", "printed_at", "printed_by"]


@admin.register(StaffMessage)
class StaffMessageAdmin(ReadOnlyRoleAdmin):
    """What was sent to staff, and whether it reached their inbox; sent only by the jobs that send them."""

    list_display = ["created_at", "recipient", "subject", "language", "delivered_at"]
    list_filter = ["language", "created_at"]
    search_fields = ["key", "subject", "recipient__username"]
    list_select_related = ["recipient"]
