from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from referrals.models import Category, Language, Location, Referral, SharedInfo


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has its token
    if fields:
        helper.layout = Layout(*fields)
    return helper


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Any category")
    )
    language = forms.ModelChoiceField(
        label=_("Language"), queryset=Language.objects.none(), required=False, empty_label=_("Any language")
    )
    area = forms.CharField(label=_("City or postal code"), required=False, max_length=100)

    def __init__(self, *args, categories, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["language"].queryset = languages


class ReferralForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none(), empty_label=None)
    location = forms.ModelChoiceField(
        label=_("Where (optional)"), queryset=Location.objects.none(), required=False, empty_label=_("Any location")
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the client needs from this service. It is printed on the referral letter."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.ROUTINE, widget=forms.RadioSelect
    )
    shared = forms.MultipleChoiceField(
        label=_("Information shared with the organization"),
        choices=SharedInfo.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sharing anything needs the client's consent naming this organization, in force today. "
            "A restricted client's or a confidential address is never shared."
        ),
    )
    consent_override_reason = forms.CharField(
        label=_("Supervisor's override of the consent rule (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when there is no consent: why the information must be shared anyway. "
            "It is kept on the referral and in the audit trail."
        ),
    )

    def __init__(self, *args, clients, locations, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name
        self.fields["location"].queryset = locations
        self.fields["location"].label_from_instance = lambda loc: loc.one_line_address or str(loc)
        if not may_override:
            del self.fields["consent_override_reason"]
        self.helper = _helper()


class ReferralMoveForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    outcome = forms.ChoiceField(
        label=_("Why not completed"),
        required=False,
        choices=[("", "—"), *Referral.Outcome.choices],
        help_text=_("Only when the client did not get the service."),
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the organization declines or the referral is withdrawn."),
    )
    consent_override_reason = ReferralForm.base_fields["consent_override_reason"]

    def __init__(self, *args, referral: Referral, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Referral.Status.choices)
        self.fields["to"].choices = [(s, labels[s]) for s in referral.allowed_moves()]
        if Referral.Status.NOT_COMPLETED not in referral.allowed_moves():
            del self.fields["outcome"]
        if not may_override or referral.status != Referral.Status.DRAFT:
            del self.fields["consent_override_reason"]
        self.helper = _helper()


class DirectoryImportForm(forms.Form):
    package = forms.FileField(
        label=_("HSDS datapackage (.zip)"),
        help_text=_(
            "A zip of the CSV files (organization.csv, service.csv, location.csv, ...), "
            "with or without datapackage.json."
        ),
    )
