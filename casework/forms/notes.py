from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import CaseNote
from core.forms import PlausibleDateTimeField

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of contact"), choices=[("", "—"), *CaseNote.Kind.choices])
    contact_at = PlausibleDateTimeField(
        label=_("Date and time of the contact"),
        widget=DATETIME_LOCAL,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    present = forms.CharField(
        label=_("Who was present"),
        required=False,
        max_length=CaseNote._meta.get_field("present").max_length,
        help_text=_("Names and roles, e.g. 'client, her mother, school counsellor'."),
    )
    subject = forms.CharField(
        label=_("Subject (optional)"), required=False, max_length=CaseNote._meta.get_field("subject").max_length
    )
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 8}))
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_(
            "Only you, the case's assigned worker and their supervisor will read it; "
            "others see only that a note exists. A note cannot be changed once saved."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("contact_at", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has its token
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-6"), Column("contact_at", css_class="col-md-6")),
            "present",
            "subject",
            "body",
            "confidential",
        )


class NoteAddendumForm(forms.Form):
    body = forms.CharField(
        label=_("Addendum"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A correction or addition. It is shown under the note with your name and the time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has its token


class NoteSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the notes"), required=False, max_length=200)
