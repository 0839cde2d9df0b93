from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal
from eligibility.models import AdverseAction


class AppealRequestForm(forms.Form):
    adverse_action = forms.ModelChoiceField(
        queryset=AdverseAction.objects.none(), label=_("Decision appealed"), empty_label=None
    )
    received_via = forms.ChoiceField(choices=Appeal.Received.choices, label=_("How the client asked"))
    requested_on = forms.DateField(label=_("Date of the request"), widget=forms.DateInput(attrs={"type": "date"}))
    statement = forms.CharField(
        label=_("What the client says"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    continue_benefits = forms.BooleanField(
        label=_("The client wants benefits to continue until the decision"), required=False, initial=True
    )

    def __init__(self, *args, actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["adverse_action"].queryset = actions


class GoodCauseForm(forms.Form):
    good_cause = forms.CharField(label=_("Good cause"), widget=forms.Textarea(attrs={"rows": 2}))


class HearingForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=None, label=_("Hearing officer"))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Appeal.Decision.choices, label=_("Decision"))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    income_amount = forms.DecimalField(
        label=_("Income found at the hearing (first income, monthly)"), required=False, min_value=0, decimal_places=2
    )


class SettleForm(forms.Form):
    notes = forms.CharField(label=_("What was agreed at the conference"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("How and when the client withdrew"), widget=forms.Textarea(attrs={"rows": 2}))
