"""The shapes of what workers type: contact preferences and a letter drafted on a case."""

from django import forms

from correspondence.models import Channel, ContactPreference, Language
from correspondence.services import PREFERENCE_FIELDS


class ContactPreferenceForm(forms.ModelForm):
    class Meta:
        model = ContactPreference
        fields = PREFERENCE_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def to_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in PREFERENCE_FIELDS}


class LetterForm(forms.Form):
    """A letter a worker writes from a template: to whom, how, in which language, and its text."""

    template = forms.ChoiceField(label="Template")
    recipient = forms.TypedChoiceField(label="To", coerce=int)
    channel = forms.ChoiceField(
        label="Send by", choices=[("", "The client's preferred safe channel"), *Channel.choices], required=False
    )
    language = forms.ChoiceField(
        label="Language", choices=[("", "The client's language"), *Language.choices], required=False
    )
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), required=False)

    def __init__(self, *args, templates: list[tuple[str, str]], recipients: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = templates
        self.fields["recipient"].choices = recipients
