from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.models import Appointment
from core.dates import DateKind
from core.forms import PlausibleDateField

DURATIONS = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
    (180, _("3 hours")),
]


class WhenForm(forms.Form):
    """A day, a start time and a length, read as a local start and end."""

    day = PlausibleDateField(kind=DateKind.PLANNED, label=_("Day"))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.TypedChoiceField(label=_("Length"), choices=DURATIONS, coerce=int, initial=60)

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start") and data.get("minutes"):
            starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]))
            data["starts_at"] = starts_at
            data["ends_at"] = starts_at + timedelta(minutes=data["minutes"])
        return data


class AppointmentForm(WhenForm):
    kind = forms.ChoiceField(label=_("Kind of appointment"), choices=[("", "—"), *Appointment.Kind.choices])
    client = forms.TypedChoiceField(label=_("With"), coerce=int)
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=User.objects.none())
    place = forms.CharField(label=_("Where (optional)"), required=False, max_length=200)
    phone = forms.CharField(label=_("Number to call (phone appointments)"), required=False, max_length=30)
    required = forms.BooleanField(
        label=_("Required interview"), required=False, initial=True,
        help_text=_("Missing a required interview sends the client a notice of missed interview."),
    )  # fmt: skip
    agenda = forms.CharField(
        label=_("Agenda (case conferences)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    colleagues = forms.ModelMultipleChoiceField(
        label=_("Colleagues taking part (case conferences)"), queryset=User.objects.none(), required=False
    )
    outside_participants = forms.CharField(
        label=_("People from outside the agency (one a line: name, organization)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["kind", "client", "worker", "day", "start", "minutes", "place", "phone", "required"]

    def __init__(self, *args, clients, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(c.pk, str(c)) for c in clients]
        self.fields["worker"].queryset = workers
        self.fields["colleagues"].queryset = workers

    def clean_outside_participants(self) -> list[tuple[str, str]]:
        people = []
        for line in self.cleaned_data["outside_participants"].splitlines():
            if line.strip():
                name, _comma, organization = line.partition(",")
                people.append((name.strip(), organization.strip()))
        return people


class MarkForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (s, s.label) for s in (Appointment.Status.KEPT, Appointment.Status.MISSED, Appointment.Status.CANCELLED)
        ]
    )
    reason = forms.CharField(label=_("Note (a reason, to cancel)"), required=False, max_length=500)


class RescheduleForm(WhenForm):
    reason = forms.CharField(label=_("Why it moves"), max_length=500)


class ConferenceActionForm(forms.Form):
    title = forms.CharField(label=_("Action agreed"), max_length=200)
    due_on = PlausibleDateField(kind=DateKind.PLANNED, label=_("Due on"))
    assignee = forms.ModelChoiceField(label=_("Who does it"), queryset=User.objects.none())

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workers


class OnCallShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Worker on call"), queryset=User.objects.none())
    starts_at = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    phone = forms.CharField(label=_("Number to reach them (optional)"), required=False, max_length=30)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = workers
