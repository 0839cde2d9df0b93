"""Admins keep programs and rule parameters here; enrollments and determinations are read-only
(they change only through the services, with their audit events)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_access import AuditedAdmin, ReadOnlyRoleInline, VersionedAdmin
from eligibility.models import Determination, Enrollment, JobClaim, ParameterValue, Program, Review
from eligibility.rules.labels import parameter_label
from eligibility.rules.parameters import ParameterError, decode_value
from eligibility.selectors import parameter_value_in_use
from eligibility.services import parameter_value_save

PARAMETER_FIELDS = ("program", "name", "effective_from", "value", "source_title", "source_url", "note", "example")


class ParameterValueInline(ReadOnlyRoleInline):
    model = ParameterValue
    fields = ("name", "effective_from", "value", "source_title", "example")
    readonly_fields = fields
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(AuditedAdmin):
    list_display = ("name", "code", "rules_module", "review_period_months", "appeal_days", "is_active")
    inlines = [ParameterValueInline]


class ParameterValueForm(forms.ModelForm):
    source_url = forms.URLField(max_length=500, required=False, assume_scheme="https")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the value is added or changed (a new rate, a corrected figure); kept in the audit trail."),
    )

    class Meta:
        model = ParameterValue
        fields = PARAMETER_FIELDS

    def clean_value(self):
        value = self.cleaned_data["value"]
        try:
            decode_value(value, self.cleaned_data.get("name") or "value")
        except ParameterError as error:
            raise forms.ValidationError(str(error)) from None
        return value


@admin.register(ParameterValue)
class ParameterValueAdmin(VersionedAdmin):
    """A version a decided determination used is history: its figure changes by a new, later version."""

    form = ParameterValueForm
    fields = (*PARAMETER_FIELDS, "reason")
    list_display = ("name", "label", "program", "effective_from", "example", "source_title")
    list_filter = ("program", "example")
    search_fields = ("name", "source_title")
    list_select_related = ("program",)
    history_message = (
        "A decided determination used this value, so it cannot be changed: "
        "add a new version with a later effective date."
    )

    @admin.display(description="On notices as")
    def label(self, obj) -> str:
        return parameter_label(obj.name)

    def is_history(self, obj) -> bool:
        return parameter_value_in_use(parameter=obj)

    def get_fields(self, request, obj=None):
        # A read-only page has no reason to give.
        if obj is not None and not self.has_change_permission(request, obj):
            return PARAMETER_FIELDS
        return self.fields

    def new_version_initial(self, obj) -> dict[str, str]:
        return {
            "program": str(obj.program_id),
            "name": obj.name,
            "source_title": obj.source_title,
            "source_url": obj.source_url,
        }

    def save_model(self, request, obj, form, change) -> None:
        parameter_value_save(acting_user=request.user, parameter=obj, reason=form.cleaned_data["reason"])


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
    list_display = ("enrollment", "as_of", "eligible", "monthly_amount", "status", "rule_version", "finalised_at")
    list_filter = ("status", "rule_version")


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
