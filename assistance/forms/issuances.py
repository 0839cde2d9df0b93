"""Forms of the issuance pages: a request for assistance, and the reasons of a decision.

They shape the input only: amounts are read by core's one money parser; the service says what
else is wrong, next to the field.
"""

import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import QuerySet

from assistance.models import Issuance
from assistance.services import Decision, IssuanceRequest
from clients.models import Client
from core.forms import MoneyField
from core.money import format_money

AMOUNT_HELP = "In dollars and cents, like 250.00."
CENT = Decimal("0.01")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's <form> has its token
    return helper


class IssuanceRequestForm(forms.Form):
    client = forms.ModelChoiceField(label="For", queryset=Client.objects.none(), empty_label=None)
    # Preselected only from the case's own enrollments; otherwise the worker chooses.
    program = forms.ModelChoiceField(label="Program", queryset=None, empty_label="Choose…")
    unenrolled_reason = forms.CharField(
        label="Reason to issue without enrolment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for emergency funds under a program the case is not enrolled in.",
    )
    kind = forms.ChoiceField(label="Kind of assistance")
    amount = MoneyField(label="Amount ($)", required=False, min_value=CENT, help_text=AMOUNT_HELP)
    units = forms.IntegerField(label="Nights", required=False)
    unit_rate = MoneyField(label="Nightly rate ($)", required=False, min_value=CENT, help_text="Like 62.50.")
    supportive_service = forms.ModelChoiceField(
        label="Supportive service", queryset=None, required=False, empty_label="Choose from the case's plans"
    )
    payee_kind = forms.ChoiceField(label="Pay to", choices=Issuance.PayeeKind.choices)
    payee_name = forms.CharField(label="Payee's name", max_length=200, required=False)
    payee_address = forms.CharField(
        label="Payee's mailing address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for a cheque.",
    )
    method = forms.ChoiceField(label="Paid by", choices=[("", "Choose…"), *Issuance.Method.choices], required=False)
    purpose = forms.CharField(
        label="Purpose",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it is for, and why now.",
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, clients: QuerySet, programs: QuerySet, supportive_services: QuerySet, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: c.display_name
        self.fields["program"].queryset = programs
        self.fields["kind"].choices = [(k.value, k.label) for k in Issuance.REQUESTABLE]
        self.fields["supportive_service"].queryset = supportive_services
        self.fields["supportive_service"].label_from_instance = _supportive_label
        self.helper = _helper()

    def issuance_request(self) -> IssuanceRequest:
        data = self.cleaned_data
        service = data.get("supportive_service")
        return IssuanceRequest(
            kind=data["kind"],
            amount=data.get("amount"),
            payee_name=data.get("payee_name", ""),
            method=data.get("method", ""),
            payee_kind=data["payee_kind"],
            payee_address=data.get("payee_address", ""),
            purpose=data.get("purpose", ""),
            units=data.get("units"),
            unit_rate=data.get("unit_rate"),
            supportive_service_id=service.pk if service else None,
            unenrolled_reason=data.get("unenrolled_reason", ""),
        )


def _supportive_label(service) -> str:
    label = service.get_kind_display()
    if service.description:
        label += f": {service.description}"
    if service.estimated_monthly_cost is not None:
        label += f" (about {format_money(service.estimated_monthly_cost)} a month)"
    return f"{label} — {service.plan.get_kind_display().lower()} of {service.plan.client.display_name}"


class ReasonForm(forms.Form):
    """A decision's or an action's reason (the service says when one is needed)."""

    reason = forms.CharField(label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(ReasonForm):
    budget_acknowledged = forms.BooleanField(label="Approve anyway, past the budget", required=False)


class BulkDecisionForm(forms.Form):
    """Several waiting requests of the queue, one decision and one reason for them all."""

    issuances = forms.ModelMultipleChoiceField(
        queryset=Issuance.objects.none(),
        error_messages={"required": "Tick the requests to decide first."},
    )
    decision = forms.ChoiceField(choices=[(Decision.APPROVE, "Approve"), (Decision.REJECT, "Reject")])
    reason = forms.CharField(label="Reason", required=False, max_length=2000)
    budget_acknowledged = forms.BooleanField(label="Approve anyway, past the budget", required=False)

    def __init__(self, *args, issuances: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuances"].queryset = issuances
