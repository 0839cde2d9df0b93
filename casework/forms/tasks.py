from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.models import Task
from core.dates import DateKind
from core.forms import PlausibleDateField


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of task"), choices=[("", "—"), *Task.Kind.choices])
    title = forms.CharField(label=_("What needs doing"), max_length=Task._meta.get_field("title").max_length)
    details = forms.CharField(label=_("Details (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = PlausibleDateField(kind=DateKind.PLANNED, label=_("Due on"), help_text=_("Today or later."))
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        help_text=_("A caseworker or supervisor of the case's office."),
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
