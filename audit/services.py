from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from audit import context
from audit.encoding import audit_value
from audit.models import AuditEvent, AuditEventClient

REDACTED = "(hidden)"


def audit_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` (attribute names; `_id` for foreign keys) before a change."""
    return {name: audit_value(getattr(instance, name)) for name in fields}


def audit_diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, secret: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields that changed; secret fields say only that they changed."""
    secret = set(secret)
    changes = {}
    for name in after:
        old, new = before.get(name), after[name]
        if old != new:
            changes[name] = [REDACTED, REDACTED] if name in secret else [old, new]
    return changes


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    client_ids: Iterable[int] = (),
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one event to the trail, in the caller's transaction.

    Called by every service that changes a client's records and by every view that
    shows, searches or hands out a client's file.
    """
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        object_repr = object_repr or str(target)[:200]
    request = context.current()
    with transaction.atomic():
        event = AuditEvent.objects.create(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=(actor.get_username() if getattr(actor, "pk", None) else "system")[:150],
            ip_address=request.ip_address if request else None,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr[:200],
            changes=audit_value(dict(changes or {})),
            reason=reason,
        )
        ids = sorted({int(i) for i in client_ids})
        if ids:
            AuditEventClient.objects.bulk_create(AuditEventClient(event=event, client_id=i) for i in ids)
    return event


def audit_page_read(*, actor, page: str, client_ids: Iterable[int], object_type: str = "") -> AuditEvent | None:
    """A page that names clients (a list, the home page) was shown: one read event naming them all.

    Its clients go in with one bulk insert, so a page costs the same queries however many
    rows it shows. A page that showed no client writes nothing.
    """
    ids = sorted({int(i) for i in client_ids if i is not None})
    if not ids:
        return None
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type=object_type,
        object_repr=page[:200],
        client_ids=ids,
        changes={"page": page, "clients": len(ids)},
    )
