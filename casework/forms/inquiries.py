from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Office, User
from casework.models import Inquiry
from clients.forms import DATE
from core.dates import DateKind
from core.forms import PlausibleDateField, PlausibleDateTimeField

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_STATISTICS_DAYS = 366


def _choices(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Inquiry or complaint"), choices=Inquiry.Kind.choices, initial=Inquiry.Kind.INQUIRY
    )
    source = forms.ChoiceField(label=_("From"), choices=_choices(Inquiry.Source.choices))
    requester_name = forms.CharField(
        label=_("Name of the person or office (optional)"),
        required=False,
        max_length=Inquiry._meta.get_field("requester_name").max_length,
    )
    requester_contact = forms.CharField(
        label=_("How to reach them (optional)"),
        required=False,
        max_length=Inquiry._meta.get_field("requester_contact").max_length,
        help_text=_("Phone, email or address for the response."),
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=_choices(Inquiry.Channel.choices))
    received_at = PlausibleDateTimeField(
        label=_("Received at"),
        widget=DATETIME_LOCAL,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    subject = forms.ChoiceField(label=_("Subject"), choices=_choices(Inquiry.Subject.choices))
    description = forms.CharField(label=_("What they ask or complain about"), widget=forms.Textarea(attrs={"rows": 4}))
    client = forms.IntegerField(
        label=_("Client number (optional)"),
        required=False,
        min_value=1,
        help_text=_("Only a client you may see can be linked."),
    )
    case = forms.CharField(
        label=_("Case number (optional)"),
        required=False,
        max_length=20,
        help_text=_("For example 2026-000123. Only a case you may see can be linked."),
    )
    response_due_on = PlausibleDateField(
        kind=DateKind.PLANNED,
        label=_("Response due on (optional)"),
        required=False,
        widget=DATE,
        help_text=_("Left blank, 10 working days after it was received."),
    )
    handled_by = forms.ModelChoiceField(label=_("Handled by"), queryset=User.objects.none())

    def __init__(self, *args, handlers, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "received_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["handled_by"].queryset = handlers


class InquiryRespondForm(forms.Form):
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was answered, and how (letter, call, email)."),
    )


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "Any"), *Inquiry.Status.choices])
    overdue = forms.BooleanField(label=_("Only overdue responses"), required=False)
    mine = forms.BooleanField(label=_("Only the ones I handle"), required=False)


class InquiryStatisticsForm(forms.Form):
    start = PlausibleDateField(kind=DateKind.EVENT, label=_("From"))
    end = PlausibleDateField(kind=DateKind.EVENT, label=_("To"))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "Inquiries and complaints"), *Inquiry.Kind.choices]
    )
    office = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=Office.objects.none(), empty_label=_("All offices")
    )

    def __init__(self, *args, offices: list[Office] | None = None, **kwargs):
        """`offices`: those an auditor may choose among; None for a worker, who sees their own office's."""
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name in ("kind", "office") else "form-control"
        if offices is None:
            del self.fields["office"]
        else:
            field = self.fields["office"]
            field.queryset = Office.objects.filter(pk__in=[o.pk for o in offices])
            # Choices from the list already read, so drawing the select costs no query.
            field.choices = [("", "All offices"), *((o.pk, o.name) for o in offices)]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the range cannot be before its start."))
            elif (end - start).days >= MAX_STATISTICS_DAYS:
                self.add_error(
                    "end",
                    _("Choose at most %(MAX_STATISTICS_DAYS)s days.") % {"MAX_STATISTICS_DAYS": MAX_STATISTICS_DAYS},
                )
        return data
