"""The referral letter: HTML from a template, made into a PDF by WeasyPrint.

The letter says only what the referral shares (see `referral_letter_facts`), and never a
restricted client's address. The client's name is always on it: it says whom it is for.
"""

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import html_to_pdf
from referrals.models import Referral
from referrals.selectors.referrals import referral_letter_facts

__all__ = ["html_to_pdf", "referral_letter_html"]


def referral_letter_html(*, referral: Referral, today: date | None = None) -> str:
    today = today or timezone.localdate()
    return render_to_string(
        "referrals/letter.html",
        {
            "referral": referral,
            "case": referral.case,
            "service": referral.service,
            "organization": referral.organization,
            "location": referral.location,
            "facts": referral_letter_facts(referral=referral, today=today),
            "today": today,
            "AGENCY_NAME": settings.AGENCY_NAME,
        },
    )
