"""The printed letter: an address page (for a window envelope) then the letter, in its language."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import html_to_pdf
from correspondence.models import Correspondence


def letters_html(letters: Sequence[Correspondence]) -> str:
    """One document of `letters`, each starting on a new sheet with its address page."""
    first = letters[0].language if letters else "en"
    pages = []
    for item in letters:
        with translation.override(item.language):
            pages.append(
                render_to_string(
                    "correspondence/letter_pages.html",
                    {"item": item, "address": item.address.splitlines(), "AGENCY_NAME": settings.AGENCY_NAME},
                )
            )
    return render_to_string(
        "correspondence/letters_print.html", {"language": first, "pages": pages, "AGENCY_NAME": settings.AGENCY_NAME}
    )


def batch_pdf(letters: Sequence[Correspondence]) -> bytes:
    return html_to_pdf(letters_html(letters))


def letter_pdf(item: Correspondence) -> bytes:
    return html_to_pdf(letters_html([item]))
