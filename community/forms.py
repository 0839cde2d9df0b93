"""The shapes of input on the community pages (no domain rules: the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import ParticipantContact, Volunteer, VolunteerReference
from core.forms import MoneyField
from eligibility.models import Program
from referrals.models import Organization

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    sponsor = forms.ModelChoiceField(queryset=Organization.objects.order_by("name"), help_text=_("From the directory."))
    program = forms.ModelChoiceField(queryset=Program.objects.order_by("name"), help_text=_("Whose budget pays."))
    title = forms.CharField(max_length=200)
    proposal = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    project_budget = MoneyField(label=_("The sponsor's budget for the project"))
    participants_planned = forms.IntegerField(min_value=1, label=_("Participants"))
    funding_per_participant = MoneyField(label=_("Funding per participant"), min_value=None)
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)


class ParticipantForm(forms.Form):
    case = forms.ModelChoiceField(queryset=None, label=_("Client (case)"))
    joined_on = forms.DateField(widget=DATE)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: f"{c.primary_client.display_name} ({c.number})"


class VisitForm(forms.Form):
    visited_on = forms.DateField(widget=DATE)
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    follow_up_due = forms.DateField(widget=DATE, required=False)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(choices=ParticipantContact.Kind.choices, label=_("How"))
    contacted_on = forms.DateField(widget=DATE, label=_("Day"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Is the project worthwhile for them?"))


class VolunteerForm(forms.Form):
    name = forms.CharField(max_length=160)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    recruited_on = forms.DateField(widget=DATE)
    recruited_through = forms.CharField(max_length=160, required=False)
    availability = forms.CharField(max_length=200, required=False)


class ScreeningForm(forms.Form):
    background_check = forms.ChoiceField(choices=Volunteer.Check.choices, required=False)
    checked_on = forms.DateField(widget=DATE, required=False, label=_("Check came back on"))
    training_completed_on = forms.DateField(widget=DATE, required=False)


class ReferenceForm(forms.Form):
    name = forms.CharField(max_length=160)
    phone = forms.CharField(max_length=40, required=False)
    outcome = forms.ChoiceField(choices=VolunteerReference.Outcome.choices)
    checked_on = forms.DateField(widget=DATE, required=False)


class ShiftForm(forms.Form):
    assignment = forms.CharField(max_length=160, help_text=_("The program or event served."))
    starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class HoursForm(forms.Form):
    hours_served = forms.DecimalField(max_digits=4, decimal_places=2, label=_("Hours served"))


class OutreachForm(forms.Form):
    held_on = forms.DateField(widget=DATE)
    topic = forms.CharField(max_length=200)
    audience = forms.CharField(max_length=200)
    place = forms.CharField(max_length=200)
    materials = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    attendance = forms.IntegerField(min_value=0, required=False)


class BrochureForm(forms.Form):
    title = forms.CharField(max_length=200)
    topic = forms.CharField(max_length=160, required=False)
    language = forms.CharField(max_length=10, help_text=_("The language's code, e.g. en, es, fr."))
    upload = forms.FileField(label=_("File"))


class AgreementForm(forms.Form):
    agreement = forms.FileField(label=_("Signed agreement"))
    signed_on = forms.DateField(widget=DATE)
