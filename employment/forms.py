"""The shapes of input on the employment pages (no domain rules: the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyField
from employment.models import DevelopmentContact, GroupSession


class EmployerForm(forms.Form):
    name = forms.CharField(max_length=200)
    industry = forms.CharField(max_length=120, required=False)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    phone = forms.CharField(max_length=40, required=False)


class OpeningForm(forms.Form):
    employer = forms.ModelChoiceField(queryset=None, empty_label=None)
    title = forms.CharField(max_length=160, label=_("Job title"))
    hourly_wage = MoneyField(label=_("Hourly wage"))
    weekly_hours = forms.DecimalField(max_digits=5, decimal_places=2, label=_("Hours a week"))
    requirements = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    skills = forms.CharField(required=False, help_text=_("Separated by commas, e.g. forklift, customer service"))
    location = forms.CharField(max_length=200, required=False)
    closes_on = forms.DateField(required=False, label=_("Closing date"), widget=forms.DateInput(attrs={"type": "date"}))
    positions = forms.IntegerField(min_value=1, initial=1)

    def __init__(self, *args, employers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers


class SessionForm(forms.Form):
    kind = forms.ChoiceField(choices=GroupSession.Kind.choices)
    title = forms.CharField(max_length=160)
    held_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(max_digits=5, decimal_places=2)
    place = forms.CharField(max_length=200, required=False)


class CaseChoiceForm(forms.Form):
    """A case the user may work; its primary client is the person added."""

    case = forms.ModelChoiceField(queryset=None, label=_("Client (case)"))

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: f"{c.primary_client.display_name} ({c.number})"


class PlacementForm(forms.Form):
    starts_on = forms.DateField(label=_("First day of work"), widget=forms.DateInput(attrs={"type": "date"}))
    hourly_wage = MoneyField(label=_("Hourly wage"), required=False, help_text=_("Leave blank for the opening's wage."))
    weekly_hours = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, help_text=_("Leave blank for the opening's hours.")
    )


class SkillsForm(forms.Form):
    skills = forms.CharField(help_text=_("Separated by commas"))


class EmployerContactForm(forms.Form):
    name = forms.CharField(max_length=160, label=_("Name"))
    title = forms.CharField(max_length=120, required=False, label=_("Job title"))
    phone = forms.CharField(max_length=40, required=False, label=_("Phone"))
    email = forms.EmailField(required=False, label=_("Email"))


class DevelopmentContactForm(forms.Form):
    kind = forms.ChoiceField(choices=DevelopmentContact.Kind.choices, label=_("How"))
    contacted_on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    contact = forms.ModelChoiceField(queryset=None, required=False, label=_("With"), empty_label=_("No one named"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("What came of it"))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
