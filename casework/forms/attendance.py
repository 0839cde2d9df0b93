"""Forms of the attendance pages: scheduling an activity and the week's grid. Rules are in the services."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from casework.models import ScheduledActivity, WorkActivity
from casework.services.attendance import AttendanceRow
from clients.models import Client
from core.dates import DateKind
from core.forms import PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduledActivityForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), label="Client")
    work_activity = forms.ModelChoiceField(
        queryset=WorkActivity.objects.none(),
        label="From the employment plan",
        required=False,
        help_text="Optional: the agreed plan's activity this schedule carries out.",
    )
    name = forms.CharField(label="Activity", max_length=160, help_text="e.g. Job club at the Riverton center.")
    weekly_hours = forms.DecimalField(label="Hours a week", decimal_places=2, min_value=0, max_value=80)
    starts_on = PlausibleDateField(kind=DateKind.EXPIRY, label="First day")
    ends_on = PlausibleDateField(
        kind=DateKind.PLANNED, label="Last day", widget=DATE, required=False, help_text="Leave blank if open-ended."
    )

    def __init__(self, *args, clients, work_activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name
        self.fields["work_activity"].queryset = work_activities
        self.fields["work_activity"].empty_label = "None"
        self.fields["work_activity"].label_from_instance = lambda a: (
            f"{a.plan.client}: {a.get_kind_display()}, {a.weekly_hours} h/week (plan v{a.plan.version})"
        )


class ScheduledActivityEndForm(forms.Form):
    ends_on = PlausibleDateField(kind=DateKind.EXPIRY, label="Last day")


HOURS_ERRORS = {
    "max_value": "A day has 24 hours; enter 24 or less.",
    "min_value": "Hours cannot be negative.",
    "invalid": "Enter hours as a number, like 6 or 3.5.",
}


def _hours_field() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        min_value=0,
        max_value=24,
        decimal_places=2,
        error_messages=HOURS_ERRORS,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0", "max": "24", "inputmode": "decimal"}),
    )


def cell_key(activity: ScheduledActivity, day: date) -> str:
    return f"{activity.pk}:{day.isoformat()}"


class AttendanceCellForm(forms.Form):
    """One activity on one day. `cell` says which; it is checked against the week's activities."""

    cell = forms.CharField(widget=forms.HiddenInput)
    hours_scheduled = _hours_field()
    hours_attended = _hours_field()
    excused = forms.BooleanField(required=False)
    good_cause = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, activities: dict[int, ScheduledActivity], monday: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity, self.day = self._locate(self["cell"].value(), activities, monday)
        where = f"{self.activity.name}, {self.day:%A %d %B}" if self.activity else "unknown row"
        self.fields["hours_scheduled"].label = f"Hours scheduled, {where}"
        self.fields["hours_attended"].label = f"Hours attended, {where}"
        self.fields["excused"].label = f"Excused absence, {where}"
        self.fields["good_cause"].label = f"Good cause, {where}"
        for name in ("hours_scheduled", "hours_attended", "good_cause"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["excused"].widget.attrs["class"] = "form-check-input"

    @staticmethod
    def _locate(value, activities, monday) -> tuple[ScheduledActivity | None, date | None]:
        activity_id, _, day_text = str(value or "").partition(":")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            return None, None
        activity = activities.get(int(activity_id)) if activity_id.isdigit() else None
        if activity is None or not monday <= day <= monday + timedelta(days=6):
            return None, None
        return activity, day

    def clean(self):
        data = super().clean()
        if self.activity is None:
            raise ValidationError("This row is not one of the client's activities this week; reload the page.")
        attended, scheduled = data.get("hours_attended"), data.get("hours_scheduled")
        if attended is None and "hours_attended" not in self.errors and (data.get("excused") or data.get("good_cause")):
            self.add_error("hours_attended", "Enter the hours attended (0 if absent).")
        if attended is not None and scheduled is None and "hours_scheduled" not in self.errors:
            self.add_error("hours_scheduled", "Enter the hours scheduled (0 if none).")
        return data

    @property
    def is_blank(self) -> bool:
        """Nothing entered for this day yet: it is left out, not saved as zero."""
        return self.cleaned_data.get("hours_attended") is None

    def to_row(self) -> AttendanceRow:
        data = self.cleaned_data
        return AttendanceRow(
            activity_id=self.activity.pk,
            day=self.day,
            hours_scheduled=data["hours_scheduled"],
            hours_attended=data["hours_attended"],
            excused=data["excused"],
            good_cause=data["good_cause"],
        )


AttendanceWeekFormSet = forms.formset_factory(AttendanceCellForm, extra=0, max_num=7 * 60, absolute_max=7 * 60)


def add_row_errors(formset, row_forms: list[AttendanceCellForm], error: ValidationError) -> None:
    """Put the service's "<row>:<field>" errors next to the fields of the forms the rows came from."""
    if not hasattr(error, "error_dict"):
        formset.non_form_errors().extend(error.messages)
        return
    for key, errors in error.error_dict.items():
        index, _, field = key.partition(":")
        if index.isdigit() and int(index) < len(row_forms):
            form = row_forms[int(index)]
            form.add_error(field if field in form.fields else None, errors)
        else:
            formset.non_form_errors().extend(ValidationError(errors).messages)


def mark_invalid(formset) -> None:
    """Give fields with errors Bootstrap's red outline and point them at their messages."""
    for form in formset.forms:
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-describedby"] = f"{form[name].auto_id}_errors"
