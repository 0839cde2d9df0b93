"""How a trail event's changes read on a page: "Field: old → new", with the field's own label."""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

EMPTY = "—"


@lru_cache(maxsize=256)
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if object_type.count(".") == 1 else None
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def label(model: type[models.Model] | None, key: str) -> str:
    """The field's verbose name where the model has it; else the key, humanised if it is a name."""
    field = _field(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    return capfirst(key.replace("_", " ")) if key.isidentifier() else key


def show(value: Any, field: models.Field | None = None, model: type[models.Model] | None = None) -> str:
    """One value as a person reads it: choices by their label, yes/no, lists and mappings spelled out."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field is not None and getattr(field, "flatchoices", None):
        choices = {str(key): text for key, text in field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(value, list | tuple):
        return ", ".join(show(item) for item in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label(model, key)}: {show(item, _field(model, key))}" for key, item in _sorted(value))
    return str(value)


def _sorted(mapping: Mapping) -> list[tuple[str, Any]]:
    # PostgreSQL's jsonb keeps keys in its own order, not as written: sort them, the same on every database.
    return sorted((str(key), item) for key, item in mapping.items())


def _is_pair(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2


def change_lines(object_type: str, changes: Mapping[str, Any] | None) -> list[str]:
    """Each change as one line: "Label: old → new"; a group of values changed together lists only those that moved."""
    model = _model(object_type or "")
    lines = []
    for key, value in _sorted(changes or {}):
        name, field = label(model, key), _field(model, key)
        if _is_pair(value) and (isinstance(value[0], Mapping) or isinstance(value[1], Mapping)):
            old, new = value[0] or {}, value[1] or {}
            if not old:
                parts = [f"{label(model, k)}: {show(v, _field(model, k), model)}" for k, v in _sorted(new)]
            else:
                keys = sorted({*old, *new})
                parts = [
                    f"{label(model, k)}: {show(old.get(k), _field(model, k), model)} → "
                    f"{show(new.get(k), _field(model, k), model)}"
                    for k in keys
                    if old.get(k) != new.get(k)
                ]
            lines.append(f"{name}: {'; '.join(parts) or EMPTY}")
        elif _is_pair(value):
            lines.append(f"{name}: {show(value[0], field, model)} → {show(value[1], field, model)}")
        else:
            lines.append(f"{name}: {show(value, field, model)}")
    return lines
