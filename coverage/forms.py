"""The shape of what the officer types; the rules are in `coverage.services`."""

from django import forms

from clients.models import Document


class SpecialAuthorizationForm(forms.Form):
    drug = forms.CharField(label="Drug, strength and form", max_length=200)
    din = forms.CharField(label="DIN (optional)", max_length=8, required=False)
    prescriber = forms.CharField(max_length=200)
    criteria_claimed = forms.CharField(label="Criteria claimed", widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.ModelMultipleChoiceField(
        label="Evidence (the client's documents)", queryset=Document.objects.none(), required=False
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = documents


class SpecialAuthorizationActionForm(forms.Form):
    ACTIONS = [
        ("review", "Start the review"),
        ("more_info", "Ask for more information"),
        ("approve", "Approve"),
        ("deny", "Deny"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons, or the information needed", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_from = forms.DateField(
        label="Covered from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    approved_until = forms.DateField(
        label="Covered until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
