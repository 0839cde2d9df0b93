from django import forms
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from core.dates import DateKind
from core.forms import PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    client = forms.IntegerField(label="Client number", required=False, min_value=1)
    actor = forms.ModelChoiceField(label="User", queryset=get_user_model().objects.order_by("username"), required=False)
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditEvent.Action.choices], required=False)
    since = PlausibleDateField(kind=DateKind.EVENT, label="From", required=False)
    until = PlausibleDateField(kind=DateKind.EVENT, label="To", required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end of the range is before its start.")
        return data
