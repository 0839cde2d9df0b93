"""Every page shows an amount one way: through the `money` filter."""

import re
from pathlib import Path

from django.conf import settings

# A dollar sign typed before a variable, or a number formatted by hand, is an amount shown
# without the filter.
HAND_MADE = re.compile(r'\$\{\{|floatformat:"2g"|\|intcomma')


def _templates() -> list[Path]:
    return [path for folder in settings.TEMPLATES[0]["DIRS"] for path in Path(folder).rglob("*.html")]


def test_no_template_shows_an_amount_without_the_money_filter():
    assert _templates()
    offenders = [
        f"{path.name}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert offenders == []


def test_every_template_using_the_filter_loads_it():
    texts = {path.name: path.read_text() for path in _templates()}
    missing = [name for name, text in texts.items() if "|money" in text and "{% load money %}" not in text]
    assert missing == []
