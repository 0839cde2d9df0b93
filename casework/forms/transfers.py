from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Office, User


class OfficeTransferRequestForm(forms.Form):
    to_office = forms.ModelChoiceField(queryset=Office.objects.none(), label=_("Move to"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("The receiving office's supervisor reads this to decide.")
    )

    def __init__(self, *args, from_office_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_office"].queryset = Office.objects.exclude(pk=from_office_id).order_by("name")


class OfficeTransferAcceptForm(forms.Form):
    to_worker = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Worker who takes the cases"),
        error_messages={"invalid_choice": "Choose a worker of your office who can take cases."},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_worker"].queryset = workers
        self.fields["to_worker"].label_from_instance = lambda w: f"{w} ({w.active_cases} active cases)"


class OfficeTransferDeclineForm(forms.Form):
    note = forms.CharField(label=_("Why it is declined"), widget=forms.Textarea(attrs={"rows": 2}))
