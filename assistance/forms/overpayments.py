"""Forms of the overpayment pages: establishing one by hand, and each action on it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.models import Overpayment
from core.dates import DateKind
from core.forms import MoneyField, PlausibleDateField

#: The most months one establishment takes on the page.
MAX_ROWS = 36
CENT = Decimal("0.01")
MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has its token
    return helper


class MonthField(forms.CharField):
    """A calendar month typed as YYYY-MM (a month picker where the browser has one): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = MONTH.match(value)
        try:
            if match is None:
                raise ValueError
            return date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as year and month, like 2026-03.")) from None


class EstablishForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client who was overpaid"), queryset=None, empty_label=None)
    program = forms.ModelChoiceField(label=_("Program"), queryset=None, empty_label=_("Choose the program"))
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "Choose the reason"), *Overpayment.Reason.choices])
    allegation = forms.CharField(label=_("Allegation"), widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("Findings of the investigation"), widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, clients, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name
        self.fields["program"].queryset = programs
        self.helper = _helper()


class PeriodForm(forms.Form):
    period = MonthField(label=_("Month"), required=False)
    amount = MoneyField(label=_("Amount overpaid ($)"), required=False, min_value=CENT)

    def clean(self):
        data = super().clean()
        if data.get("period") and not data.get("amount") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount overpaid in this month."))
        if data.get("amount") and not data.get("period") and "period" not in self.errors:
            self.add_error("period", _("Enter the month of this amount."))
        return data


def period_formset(data=None, *, rows: int = 6):
    """Rows of month and amount; blank rows are left out."""
    formset = forms.formset_factory(
        PeriodForm, extra=max(1, min(rows, MAX_ROWS)), max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
    )
    return formset(data, prefix="periods")


class ActionForm(forms.Form):
    """A form for one action on an overpayment; several share its page, each with its own element ids."""

    id_prefix = "action"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReasonForm(ActionForm):
    id_prefix = "reason_change"
    reason = forms.ChoiceField(label=_("Reason"), choices=Overpayment.Reason.choices)
    note = forms.CharField(label=_("Why it changes"), widget=forms.Textarea(attrs={"rows": 2}))


class WriteOffRequestForm(ActionForm):
    id_prefix = "write_off"
    reason = forms.CharField(label=_("Why it should be written off"), widget=forms.Textarea(attrs={"rows": 2}))


class WriteOffDecideForm(ActionForm):
    id_prefix = "decide"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", "Approve the write-off"), ("refuse", "Refuse it")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to refuse; kept in the history."),
    )


class AgreementForm(ActionForm):
    id_prefix = "agreement"
    instalment = MoneyField(label=_("Monthly instalment ($)"), min_value=CENT)
    first_due_on = PlausibleDateField(
        kind=DateKind.PLANNED, label=_("First instalment due"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AgreementEndForm(ActionForm):
    id_prefix = "agreement_end"
    reason = forms.CharField(label=_("Why the agreement ends"), widget=forms.Textarea(attrs={"rows": 2}))


class RepaymentForm(ActionForm):
    id_prefix = "repayment"
    amount = MoneyField(label=_("Amount received ($)"), min_value=CENT)
    received_on = PlausibleDateField(
        kind=DateKind.EVENT, label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
