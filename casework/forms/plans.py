"""Forms of the plan pages: the shape of input and its labels. The rules are in casework.services.plans."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Goal, Plan, PlanStep, SupportiveService, WorkActivity
from clients.models import Client
from core.dates import DateKind
from core.forms import MoneyField, PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanCreateForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), label=_("For"))
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=Plan.Kind.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In the client's words."),
    )
    review_on = PlausibleDateField(kind=DateKind.PLANNED, label=_("Review date"), required=False)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name


class PlanForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    review_on = PlausibleDateField(
        kind=DateKind.PLANNED,
        label=_("Review date"),
        required=False,
        widget=DATE,
        help_text=_("A review task is put on the worker's list."),
    )


class GoalForm(forms.Form):
    description = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))
    barrier = forms.ChoiceField(label=_("Barrier it addresses"), choices=[("", "—"), *Goal.Barrier.choices])


class StepForm(forms.Form):
    description = forms.CharField(label=_("Action step"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.ChoiceField(label=_("Who is responsible"), choices=PlanStep.Responsible.choices)
    target_on = PlausibleDateField(kind=DateKind.PLANNED, label=_("Target date"))
    status = forms.ChoiceField(label=_("Status"), choices=PlanStep.Status.choices, initial=PlanStep.Status.NOT_STARTED)


class WorkActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Work activity"), choices=WorkActivity.Kind.choices)
    provider = forms.CharField(label=_("Provider or site"), required=False, max_length=160)
    weekly_hours = forms.DecimalField(
        label=_("Required hours a week"), max_digits=5, decimal_places=2, min_value=0, max_value=80
    )


class SupportiveServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Supportive service"), choices=SupportiveService.Kind.choices)
    description = forms.CharField(label=_("Details"), required=False, max_length=200)
    estimated_monthly_cost = MoneyField(label=_("Estimated cost a month"), required=False)


class PlanAgreeForm(forms.Form):
    agreed_on = PlausibleDateField(kind=DateKind.EVENT, label=_("Agreed with the client on"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"agreed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ProgressNoteForm(forms.Form):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), label=_("About the goal"), required=False)
    body = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(pk__in=[g.pk for g in goals])
        self.fields["goal"].empty_label = "The plan as a whole"
        self.fields["goal"].label_from_instance = lambda g: g.description[:80]
