from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Expense
from core.dates import DateKind
from core.forms import MoneyField, PlausibleDateField
from eligibility import rules
from eligibility.models import Program
from eligibility.services import WhatIf

DATE = forms.DateInput(attrs={"type": "date"})


class ApplyForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none())
    application_date = PlausibleDateField(kind=DateKind.EVENT, initial=timezone.localdate)

    def __init__(self, *args, programs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs if programs is not None else Program.objects.filter(is_active=True)


class RunForm(forms.Form):
    as_of = PlausibleDateField(
        kind=DateKind.EXPIRY,
        label=_("Determination date"),
        widget=DATE,
        initial=timezone.localdate,
        help_text=_("The benefit month is its month."),
    )


class ExpeditedScreeningForm(forms.Form):
    """What the household says at application, for the expedited-service screening (7 CFR 273.2(i)(1))."""

    gross_monthly_income = MoneyField(
        label=_("Gross monthly income"), help_text=_("Expected this month, before deductions.")
    )
    liquid_resources = MoneyField(label=_("Liquid resources"), help_text=_("Cash, checking and savings."))
    shelter_costs = MoneyField(label=_("Rent or mortgage"), help_text=_("A month's rent or mortgage."))
    utility_costs = MoneyField(label=_("Utilities"), help_text=_("A month's utilities."))
    destitute_migrant = forms.BooleanField(
        required=False, label=_("Destitute migrant or seasonal farmworker household")
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "expedited_%s")  # other forms share the page
        super().__init__(*args, **kwargs)


class FinaliseForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WhatIfForm(forms.Form):
    """Figures to try on the household as it is: one field per income and expense, members to leave out."""

    as_of = PlausibleDateField(kind=DateKind.EXPIRY, widget=forms.HiddenInput)
    leave_out = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label=_("Leave out"))
    add_ages = forms.CharField(required=False, label=_("Add people (ages, comma-separated)"), max_length=60)
    add_monthly_earnings = MoneyField(required=False, label=_("Add monthly earnings"))

    def __init__(self, *args, snapshot: rules.HouseholdSnapshot, as_of: date, **kwargs) -> None:
        kwargs.setdefault("auto_id", "whatif_%s")  # the run form on the same page has its own as_of
        super().__init__(*args, **kwargs)
        self.snapshot = snapshot
        self.fields["as_of"].initial = as_of
        numbers = {m.id: n for n, m in enumerate(snapshot.members, start=1)}
        self.fields["leave_out"].choices = [
            (m.id, f"Member {numbers[m.id]} (age {m.age_on(as_of)})") for m in snapshot.members
        ]
        for index, item in enumerate(snapshot.incomes):
            self.fields[f"income_{index}"] = MoneyField(
                label=f"{item.kind.replace('_', ' ').capitalize()} income, member {numbers[item.member_id]}, "
                f"{item.frequency}",
                initial=item.amount,
                help_text="",
            )
        for index, item in enumerate(snapshot.expenses):
            self.fields[f"expense_{index}"] = MoneyField(
                label=f"{Expense.Kind(item.kind).label}, {item.frequency}", initial=item.amount, help_text=""
            )

    def clean_add_ages(self) -> tuple[int, ...]:
        text = self.cleaned_data["add_ages"].strip()
        if not text:
            return ()
        try:
            ages = tuple(int(part) for part in text.split(","))
        except ValueError:
            raise forms.ValidationError(_("Write ages as whole numbers, such as 4, 35.")) from None
        if any(age < 0 or age > 120 for age in ages):
            raise forms.ValidationError(_("An age is between 0 and 120."))
        return ages

    def change(self) -> WhatIf:
        data = self.cleaned_data
        incomes = {
            i: data[f"income_{i}"]
            for i, item in enumerate(self.snapshot.incomes)
            if data.get(f"income_{i}") is not None and data[f"income_{i}"] != item.amount
        }
        expenses = {
            i: data[f"expense_{i}"]
            for i, item in enumerate(self.snapshot.expenses)
            if data.get(f"expense_{i}") is not None and data[f"expense_{i}"] != item.amount
        }
        return WhatIf(
            income_amounts=incomes,
            expense_amounts=expenses,
            leave_out=frozenset(data["leave_out"]),
            add_ages=data["add_ages"],
            add_monthly_earnings=data["add_monthly_earnings"],
        )
