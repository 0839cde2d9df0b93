import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit import context
from audit.chain import AUDIT, GENESIS, LEDGER, audit_link_pending, chain_row
from audit.encoding import audit_value
from audit.models import AuditEvent, AuditEventClient, ChainAnchor, ChainHead

REDACTED = "(hidden)"
READS = {AuditEvent.Action.VIEW, AuditEvent.Action.SEARCH}


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
    write_clients: Callable[[AuditEvent, list[int]], None] | None = None,
) -> AuditEvent:
    """Write one event to the trail, in the caller's transaction; the chainer gives it its place in the hash chain.

    Called by every service that changes a client's records and by every view that
    shows, searches or hands out a client's file. `write_clients` inserts the rows naming
    `client_ids` another way (the payment run's COPY); the event's hash covers them either way.
    Nothing is locked: audited writes never wait for each other (`audit.chain`).
    """
    event, ids = _event(
        actor,
        action,
        target=target,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        client_ids=client_ids,
        changes=changes,
        reason=reason,
    )
    request = context.current()
    if request is not None and request.reads is not None and action in READS and write_clients is None:
        # A page's read: written as the request ends, in its transaction, with the page's other
        # reads in one bulk insert.
        request.reads.append((event, ids))
        return event
    # No savepoint: an error here fails the caller's transaction anyway; two queries saved.
    with transaction.atomic(savepoint=False):
        event.save()
        if ids:
            if write_clients is not None:
                write_clients(event, ids)
            else:
                AuditEventClient.objects.bulk_create(AuditEventClient(event=event, client_id=i) for i in ids)
    return event


def audit_record_many(*, actor, action: str, records: Sequence[Mapping[str, Any]]) -> list[AuditEvent]:
    """Write one event per record with two bulk inserts, in the caller's transaction.

    Each record holds `audit_record`'s keywords for one event (`target`, `object_type`,
    `object_id`, `object_repr`, `client_ids`, `changes`, `reason`); the chainer places them in
    order, so the trail reads as if `audit_record` had been called once per record.
    """
    return _append([_event(actor, action, **record) for record in records])


def audit_reads_write() -> None:
    """Write the read events this request has collected, in one bulk insert."""
    request = context.current()
    if request is not None and request.reads:
        _append(request.reads)
        request.reads.clear()


def _append(built: list[tuple[AuditEvent, list[int]]]) -> list[AuditEvent]:
    if not built:
        return []
    events = [event for event, _ids in built]
    subjects = [ids for _event_, ids in built]
    with transaction.atomic(savepoint=False):  # the events and their clients commit together
        events = AuditEvent.objects.bulk_create(events)
        AuditEventClient.objects.bulk_create(
            AuditEventClient(event=event, client_id=client_id)
            for event, ids in zip(events, subjects, strict=True)
            for client_id in ids
        )
    return events


def _event(
    actor,
    action: str,
    *,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    client_ids: Iterable[int] = (),
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> tuple[AuditEvent, list[int]]:
    """An unsaved event, and the clients it names (sorted, once each)."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
        object_repr = object_repr or str(target)[:200]
    request = context.current()
    ids = sorted({int(i) for i in client_ids})
    if ids and not reason:
        reason = context.access_note(ids)
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if getattr(actor, "pk", None) else "system")[:150],
        ip_address=request.ip_address if request else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        # Stored as the chain will hash it, whatever the writer handed in.
        changes=audit_value(dict(changes or {})),
        reason=reason,
    )
    return event, ids


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


def chain_anchor(*, path: str | Path | None = None) -> list[ChainAnchor]:
    """Append each chain's head to the anchor file kept outside the database, and record that it was.

    One JSON line per chain: when, which chain, the head's position, the row there and its hash.
    The file only grows; keep it where the database's superusers cannot write (another host, or
    a file marked append-only with `chattr +a`). `audit_verify --anchors FILE` checks each line.
    """
    path = Path(path or settings.AUDIT_ANCHOR_FILE)
    audit_link_pending()  # the trail's head as near now as it can be
    now = timezone.now()
    heads = dict(ChainHead.objects.filter(name__in=[AUDIT, LEDGER]).values_list("name", "seq"))
    anchors = []
    for chain in (AUDIT, LEDGER):
        seq = heads.get(chain, 0)
        row_id, hash_ = chain_row(chain, seq) or (None, GENESIS)
        anchors.append(
            ChainAnchor(anchored_at=now, chain=chain, seq=seq, last_id=row_id, hash=hash_, file=str(path)[:500])
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        for anchor in anchors:
            line = {
                "anchored_at": now.isoformat(),
                "chain": anchor.chain,
                "seq": anchor.seq,
                "id": anchor.last_id,
                "hash": anchor.hash,
            }
            file.write(json.dumps(line, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    return ChainAnchor.objects.bulk_create(anchors)
