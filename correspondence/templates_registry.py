"""The letters the apps send, by code, with their built-in wording and the fields they may use.

An app that owns a letter registers it once (in its `AppConfig.ready`):

    register("appointment_reminder", subject=_("Your appointment on {{ appointment_at }}"),
             body=_("Dear {{ client_name }}, ..."), fields=["appointment_at", "place"],
             kind=Correspondence.Kind.REMINDER)

`subject` and `body` are lazy translations (Django's translation machinery gives the Spanish
and French from locale/) or a dict of text per language. An admin's `LetterTemplate` of the
same code and language, newest version, replaces the built-in wording.

A body reaches only named fields: the standard ones below, which the service fills from the
client, case and agency, and the registered `fields` the caller passes in its context. There
is no attribute access: `{{ client.address_line1 }}` is not a field and is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from core.money import format_money

#: Fields every letter may use, filled by the service (see `services.standard_values`).
STANDARD_FIELDS: dict[str, Any] = {
    "client_name": _("The client's name"),
    "client_first_name": _("The client's first name"),
    "agency_name": _("The agency's name"),
    "office_name": _("The office's name"),
    "office_phone": _("The office's telephone number"),
    "worker_name": _("The name of the worker who sends it"),
    "case_number": _("The case number"),
    "today": _("Today's date"),
}

FIELD = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class LetterDefinition:
    code: str
    subject: Any
    body: Any
    fields: tuple[str, ...] = ()
    kind: str = "letter"
    label: str = ""
    #: A worker may pick it when writing a letter on a case (notices are sent by their service).
    worker_may_draft: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed_fields(self) -> set[str]:
        return set(STANDARD_FIELDS) | set(self.fields)

    def default_text(self, which: str, language: str) -> str:
        text = getattr(self, which)
        if isinstance(text, Mapping):
            return str(text.get(language) or text.get("en") or "")
        with translation.override(language):
            return str(text)


_REGISTRY: dict[str, LetterDefinition] = {}


def register(
    code: str,
    *,
    subject: Any,
    body: Any,
    fields: Iterable[str] = (),
    kind: str = "letter",
    label: str = "",
    worker_may_draft: bool = False,
) -> LetterDefinition:
    """Declare a letter; registering the same code again replaces it (a test may reword one)."""
    fields = tuple(fields)
    for name in fields:
        if not NAME.fullmatch(name):
            raise ValueError(f"A field's name is lower-case letters, digits and underscores: {name!r}")
    definition = LetterDefinition(
        code=code, subject=subject, body=body, fields=fields, kind=kind, label=label or code.replace("_", " "),
        worker_may_draft=worker_may_draft,
    )  # fmt: skip
    for which in ("subject", "body"):
        for language in ("en", "es", "fr"):
            fields_check(definition.default_text(which, language), definition.allowed_fields)
    _REGISTRY[code] = definition
    return definition


def get(code: str) -> LetterDefinition:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise ValidationError(f"No letter is known by the code “{code}”.") from None


def registered() -> list[LetterDefinition]:
    return sorted(_REGISTRY.values(), key=lambda d: d.code)


def fields_used(text: str) -> list[str]:
    return [m.group(1) for m in FIELD.finditer(text)]


def fields_check(text: str, allowed: Iterable[str]) -> None:
    """Refuse a text that names anything but the allowed fields (so no attribute or filter either)."""
    allowed = set(allowed)
    unknown = sorted({name for name in fields_used(text) if name not in allowed})
    if unknown:
        raise ValidationError(
            "This letter may only use the fields %(allowed)s; not %(unknown)s.",
            params={"allowed": ", ".join(sorted(allowed)), "unknown": ", ".join(unknown)},
        )


def format_value(value: Any, language: str) -> str:
    """A field's value as the letter shows it in `language`: dates, moments and money the local way."""
    if value is None:
        return ""
    with translation.override(language):
        if isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, Decimal):
            return format_money(value, language=language)
        return str(value)


def render(text: str, values: Mapping[str, Any], language: str) -> str:
    """`text` with each `{{ field }}` replaced by its value formatted for `language`."""
    return FIELD.sub(lambda m: format_value(values.get(m.group(1)), language), text)
