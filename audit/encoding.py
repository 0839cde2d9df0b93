"""How values are written into the trail's JSON: one form for every writer, bulk ones included."""

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models


def audit_value(value: Any) -> Any:
    """A JSON-safe form of a value for the trail, nested lists and mappings included.

    Dates, times and amounts are kept as text exactly as written (a Decimal never
    passes through float).
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        return {str(key): audit_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [audit_value(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((audit_value(item) for item in value), key=str)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, models.Model):
        return audit_value(value.pk)
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return str(value)


class AuditJSONEncoder(json.JSONEncoder):
    """The encoder of the trail's JSON fields, so a writer that skips `audit_value` cannot fail or lose digits."""

    def default(self, o: Any) -> Any:
        return audit_value(o)
