from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.models import Case
from clients.models import Client


class CaseOpenForm(forms.Form):
    primary_client = forms.ModelChoiceField(queryset=Client.objects.none(), label=_("Primary client"))
    restricted = forms.BooleanField(
        required=False,
        label=_("Restrict this case to me and my supervisor"),
        help_text=_("For a victim of domestic violence, say."),
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_client"].queryset = Client.objects.filter(pk__in=[m.client_id for m in members])


class CaseTransitionForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Move the case to"),
        choices=Case.Status.choices,
        error_messages={"required": "Choose the status the case moves to."},
    )
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), choices=[("", "—"), *Case.ClosureReason.choices], required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to suspend or reopen a case."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # No move is preselected: a worker saving the form without choosing must not close the case.
        moves = [(s, Case.Status(s).label) for s in case.allowed_moves()]
        self.fields["to"].choices = [("", "Choose…"), *moves] if moves else []


class CaseTransferForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(queryset=Case.objects.none(), widget=forms.CheckboxSelectMultiple)
    to_worker = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Transfer to"),
        # Only the office's workers are offered; anyone else (another office's, say) is refused plainly.
        error_messages={"invalid_choice": "Choose a worker of your office who can take cases."},
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Reason to exceed the maximum caseload"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if the worker would go over the office's maximum."),
    )

    def __init__(self, *args, cases, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda c: f"{c.number} · {c.primary_client} ({c.assigned_worker})"
        self.fields["to_worker"].queryset = workers
        self.fields["to_worker"].label_from_instance = lambda w: f"{w} ({w.active_cases} active cases)"


class CaseRestrictForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
