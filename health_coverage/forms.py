"""The shape of what the officer types; the rules are in `coverage.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Document


class SpecialAuthorizationForm(forms.Form):
    drug = forms.CharField(label=_("Drug, strength and form"), max_length=200)
    din = forms.CharField(label=_("DIN (optional)"), max_length=8, required=False)
    prescriber = forms.CharField(max_length=200)
    criteria_claimed = forms.CharField(label=_("Criteria claimed"), widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.ModelMultipleChoiceField(
        label=_("Evidence (the client's documents)"), queryset=Document.objects.none(), required=False
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = documents


class SpecialAuthorizationActionForm(forms.Form):
    ACTIONS = [
        ("review", _("Start the review")),
        ("more_info", _("Ask for more information")),
        ("approve", _("Approve")),
        ("deny", _("Deny")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons, or the information needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_from = forms.DateField(
        label=_("Covered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approved_until = forms.DateField(
        label=_("Covered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
