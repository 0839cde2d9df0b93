from django import template

register = template.Library()


def _show(value) -> str:
    return "—" if value in (None, "") else str(value)


@register.filter
def change(values) -> str:
    """`[old, new]` as 'old → new'; anything else as it is."""
    if isinstance(values, list) and len(values) == 2:
        return f"{_show(values[0])} → {_show(values[1])}"
    return _show(values)
