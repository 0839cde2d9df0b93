from django import template

from audit.presentation import change_lines

register = template.Library()


@register.filter
def changes(event) -> list[str]:
    """The event's changes as lines of "Label: old → new"."""
    return change_lines(event.object_type, event.changes)
