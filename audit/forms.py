from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from core.dates import DateKind
from core.forms import PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    client = forms.IntegerField(label=_("Client number"), required=False, min_value=1)
    actor = forms.ModelChoiceField(
        label=_("User"), queryset=get_user_model().objects.order_by("username"), required=False
    )
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditEvent.Action.choices], required=False)
    since = PlausibleDateField(kind=DateKind.EVENT, label=_("From"), required=False)
    until = PlausibleDateField(kind=DateKind.EVENT, label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end of the range is before its start."))
        return data
