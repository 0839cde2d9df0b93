from django import forms

from accounts.models import User
from casework.models import Task
from core.dates import DateKind
from core.forms import PlausibleDateField


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of task", choices=[("", "—"), *Task.Kind.choices])
    title = forms.CharField(label="What needs doing", max_length=Task._meta.get_field("title").max_length)
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = PlausibleDateField(kind=DateKind.PLANNED, label="Due on", help_text="Today or later.")
    assignee = forms.ModelChoiceField(
        label="Assigned to", queryset=User.objects.none(), help_text="A caseworker or supervisor of the case's office."
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
