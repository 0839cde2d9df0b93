"""The decision notice: HTML from a template, made into a PDF by WeasyPrint.

It says the decision, the amount and period, each reason with its figures, the rules cited
(the sources of the parameter values used) and how to appeal by when. A restricted client's
or a confidential address is never printed: the notice is handed to the client in the office.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from correspondence.services import language_of
from eligibility.models import Determination
from eligibility.rules.labels import parameter_label


def mailing_address(client, *, case_restricted: bool) -> list[str] | None:
    """The lines of the client's address, or None when it must not leave the agency."""
    if case_restricted or client.restricted or client.address_confidential:
        return None
    lines = [client.address_line1, client.address_line2, " ".join(filter(None, [client.city, client.region]))]
    lines.append(client.postal_code)
    return [line for line in lines if line.strip()] or None


def rules_cited(parameters_used: dict[str, Any]) -> list[dict[str, Any]]:
    """Each distinct source of the values used, with the parameters it set by their plain names
    and citations (never their keys), in a stable order."""
    sources: dict[tuple[str, str], list[str]] = {}
    for name, record in sorted(parameters_used.items()):
        source = record.get("source", {})
        sources.setdefault((source.get("title", ""), source.get("url", "")), []).append(parameter_label(name))
    return [{"title": title, "url": url, "parameters": labels} for (title, url), labels in sources.items()]


def example_values(parameters_used: dict[str, Any]) -> list[str]:
    """The plain names of the values used that are marked `example`: illustrative, not official figures."""
    return [parameter_label(name) for name, record in sorted(parameters_used.items()) if record.get("example")]


def notice_context(*, determination: Determination) -> dict[str, Any]:
    enrollment = determination.enrollment
    case = enrollment.case
    program = enrollment.program
    client = case.primary_client
    issued = timezone.localtime(determination.finalised_at).date() if determination.finalised_at else None
    approved = determination.status == Determination.Status.APPROVED
    return {
        "AGENCY_NAME": settings.AGENCY_NAME,
        "determination": determination,
        "enrollment": enrollment,
        "program": program,
        "case": case,
        "client_name": client.full_name,
        "address": mailing_address(client, case_restricted=case.restricted),
        "issued": issued,
        "approved": approved,
        "criteria": determination.outcome["criteria"],
        "reasons": determination.reasons,
        "rules_cited": rules_cited(determination.parameters_used),
        "example_values": example_values(determination.parameters_used),
        "appeal_by": issued + timedelta(days=program.appeal_days) if issued else None,
    }


def notice_html(*, determination: Determination) -> str:
    """The notice in the client's language, as their letters are (`correspondence.services.language_of`)."""
    context = notice_context(determination=determination)
    with translation.override(language_of(determination.enrollment.case.primary_client)):
        return render_to_string("eligibility/notice.html", context)
