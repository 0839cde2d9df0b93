from django import forms

from clients.kinds import OLD_UTILITIES, UTILITY_KINDS
from clients.models import (
    Asset,
    Client,
    Consent,
    Document,
    Expense,
    HouseholdMembership,
    Income,
    PersonFact,
    Verification,
)
from core.dates import DateKind
from core.forms import ConstraintErrorsOnFields, MoneyField, PlausibleDateField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PERSON_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "language",
    "interpreter_needed",
    "phone",
    "email",
]
ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "region", "postal_code", "address_confidential"]


class IdentifierFields(forms.Form):
    identifier_kind = forms.ChoiceField(
        label="Identifier type", choices=[("", "None"), *Client.IdentifierKind.choices], required=False
    )
    identifier = forms.CharField(
        label="SSN / SIN",
        required=False,
        max_length=11,
        help_text="Nine digits. Stored encrypted; most staff see only the last four.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class ClientForm(forms.ModelForm):
    date_of_birth = PlausibleDateField(label="Date of birth", kind=DateKind.BIRTH)
    identifier_kind = IdentifierFields.base_fields["identifier_kind"]
    identifier = IdentifierFields.base_fields["identifier"]

    class Meta:
        model = Client
        fields = PERSON_FIELDS + ADDRESS_FIELDS + ["restricted"]
        widgets = {"date_of_birth": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[
                "identifier"
            ].help_text = f"On file: {self.instance.masked_identifier or 'none'}. Leave blank to keep it."
            self.initial.setdefault("identifier_kind", self.instance.identifier_kind)

    def to_input(self) -> dict:
        return dict(self.cleaned_data)


class ClientSearchForm(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=120)
    dob = PlausibleDateField(label="Date of birth", required=False, kind=DateKind.BIRTH)
    last4 = forms.RegexField(
        label="Identifier (last 4)",
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": "Enter the last four digits."},
    )
    phone = forms.CharField(label="Phone", required=False, max_length=30)


class HouseholdIntakeForm(forms.Form):
    name = forms.CharField(
        label="Household name", required=False, max_length=160, help_text="Blank: the head's family name."
    )
    address_line1 = forms.CharField(label="Address", required=False, max_length=120)
    address_line2 = forms.CharField(label="Address (line 2)", required=False, max_length=120)
    city = forms.CharField(required=False, max_length=80)
    region = forms.CharField(label="State or province", required=False, max_length=40)
    postal_code = forms.CharField(required=False, max_length=12)
    address_confidential = forms.BooleanField(
        label="Address is confidential", required=False, help_text="Never printed on anything that leaves the agency."
    )
    restricted = forms.BooleanField(
        label="Restrict these clients to me and my supervisor",
        required=False,
        help_text="For a victim of domestic violence, say: nobody else in the office will find them.",
    )


class MemberIntakeForm(forms.Form):
    relationship = forms.ChoiceField(choices=HouseholdMembership.Relationship.choices)
    first_name = forms.CharField(max_length=80)
    middle_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80)
    preferred_name = forms.CharField(max_length=80, required=False)
    date_of_birth = PlausibleDateField(kind=DateKind.BIRTH)
    sex = forms.ChoiceField(choices=Client.Sex.choices, initial=Client.Sex.UNKNOWN)
    language = forms.CharField(max_length=60, initial="English")
    interpreter_needed = forms.BooleanField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    identifier_kind = IdentifierFields.base_fields["identifier_kind"]
    identifier = IdentifierFields.base_fields["identifier"]
    # Filled in after the duplicate check: an existing client's id, or "new".
    match = forms.CharField(required=False, widget=forms.HiddenInput)
    duplicates_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        heads = [f for f in self.forms if f.cleaned_data and f.cleaned_data.get("relationship") == "head"]
        if len(heads) != 1:
            raise forms.ValidationError("Mark exactly one member as head of household.")


MemberFormSet = forms.formset_factory(
    MemberIntakeForm, formset=BaseMemberFormSet, extra=0, min_num=1, validate_min=True, max_num=20
)


class ClientDatesMixin:
    """Events in the client's life are not before their birth."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        client = getattr(self.instance, "client", None) if self.instance.client_id else None
        for field in self.fields.values():
            if isinstance(field, PlausibleDateField) and field.kind is DateKind.EVENT and client is not None:
                field.born = client.date_of_birth


class IncomeForm(ClientDatesMixin, ConstraintErrorsOnFields, forms.ModelForm):
    amount = MoneyField(label="Amount")
    start_date = PlausibleDateField(label="Start date", kind=DateKind.EVENT)
    end_date = PlausibleDateField(label="End date", required=False, kind=DateKind.EXPIRY)
    constraint_fields = {"income_amount_not_negative": "amount", "income_end_after_start": "end_date"}

    class Meta:
        model = Income
        fields = ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"]
        widgets = {"start_date": DATE, "end_date": DATE}


class ExpenseForm(ClientDatesMixin, ConstraintErrorsOnFields, forms.ModelForm):
    amount = MoneyField(label="Amount")
    start_date = PlausibleDateField(label="Start date", kind=DateKind.EVENT)
    end_date = PlausibleDateField(label="End date", required=False, kind=DateKind.EXPIRY)
    constraint_fields = {"expense_amount_not_negative": "amount", "expense_end_after_start": "end_date"}

    class Meta:
        model = Expense
        fields = ["kind", "amount", "frequency", "start_date", "end_date", "verification", "description"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kind = Expense.Kind
        # A row recorded before utilities were kept by kind keeps its kind until a worker names the utility.
        utilities = [kind(k) for k in UTILITY_KINDS if k != OLD_UTILITIES or self.instance.kind == OLD_UTILITIES]
        self.fields["kind"].choices = [
            ("", "---------"),
            ("Housing", [(k.value, k.label) for k in (kind.RENT, kind.MORTGAGE)]),
            ("Utilities (each one the household pays separately from rent)", [(k.value, k.label) for k in utilities]),
            (
                "Other costs",
                [(k.value, k.label) for k in (kind.DEPENDENT_CARE, kind.MEDICAL, kind.CHILD_SUPPORT_PAID, kind.OTHER)],
            ),
        ]


class AssetForm(ClientDatesMixin, ConstraintErrorsOnFields, forms.ModelForm):
    value = MoneyField(label="Value")
    as_of = PlausibleDateField(label="As of", kind=DateKind.EVENT)
    disposed_on = PlausibleDateField(label="Disposed on", required=False, kind=DateKind.EVENT)
    constraint_fields = {"asset_value_not_negative": "value", "asset_disposed_after_as_of": "disposed_on"}

    class Meta:
        model = Asset
        fields = ["kind", "value", "description", "as_of", "disposed_on", "verification"]
        widgets = {"as_of": DATE, "disposed_on": DATE}


FINANCE_FORMS = {"income": (Income, IncomeForm), "expense": (Expense, ExpenseForm), "asset": (Asset, AssetForm)}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    description = forms.CharField(max_length=160, required=False)
    expires_on = PlausibleDateField(required=False, kind=DateKind.EXPIRY)
    file = forms.FileField()


class ConsentForm(ConstraintErrorsOnFields, forms.ModelForm):
    granted_on = PlausibleDateField(label="Granted on", kind=DateKind.EVENT)
    expires_on = PlausibleDateField(label="Expires on", required=False, kind=DateKind.EXPIRY)
    constraint_fields = {"consent_expires_after_granted": "expires_on", "consent_revoked_after_granted": "revoked_on"}

    class Meta:
        model = Consent
        fields = ["organization", "purpose", "details", "granted_on", "expires_on"]
        widgets = {"granted_on": DATE, "expires_on": DATE, "details": forms.Textarea(attrs={"rows": 3})}


class ConsentRevokeForm(forms.Form):
    revoked_on = PlausibleDateField(kind=DateKind.EVENT)


class MembershipEndForm(forms.Form):
    end_date = PlausibleDateField(label="Left the household on", kind=DateKind.EVENT)


class PersonFactForm(forms.Form):
    """A fact about the person from a date; the service checks that its particulars fit its kind."""

    SHELTER = [("", "—"), ("yes", "Yes, pays something for shelter"), ("no", "No, all shelter is free")]

    kind = forms.ChoiceField(label="Fact", choices=PersonFact.Kind.choices)
    basis = forms.ChoiceField(
        label="Shown by (disability or blindness)",
        choices=[("", "—"), *PersonFact.Basis.choices],
        required=False,
        help_text="The benefit the person receives, as 7 CFR 271.2 lists them.",
    )
    student_exemption = forms.ChoiceField(
        label="Student exemption",
        choices=[("", "None"), *PersonFact.StudentExemption.choices],
        required=False,
        help_text="For a student: the 7 CFR 273.5(b) exemption that applies, if any (age is worked out).",
    )
    pays_for_shelter = forms.ChoiceField(label="Homeless: pays for shelter?", choices=SHELTER, required=False)
    start_date = PlausibleDateField(label="Since", kind=DateKind.EVENT)
    verification = forms.ChoiceField(choices=Verification.choices, initial=Verification.UNVERIFIED, required=False)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, client: Client | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if client is not None:
            self.fields["start_date"].born = client.date_of_birth

    def to_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["pays_for_shelter"] = {"yes": True, "no": False}.get(data["pays_for_shelter"])
        data["verification"] = data["verification"] or Verification.UNVERIFIED
        return data


class PersonFactEndForm(forms.Form):
    end_date = PlausibleDateField(label="Last day it held", kind=DateKind.EVENT)


class PersonFactVerifyForm(forms.Form):
    verification = forms.ChoiceField(choices=Verification.choices)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(label="Duplicate client number", min_value=1)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why these are the same person.")


class BreakGlassForm(forms.Form):
    client_number = forms.IntegerField(min_value=1)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who asked, and why this file must be opened. It is recorded in the audit trail.",
    )
