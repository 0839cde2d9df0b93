"""Hash chains over the audit trail and the ledger, so a change made past the application shows.

Each chained row carries its place in its chain (`seq`, from 1) and `hash`: the SHA-256 of the
previous row's hash, its place, and a canonical form of its content (JSON with sorted keys and
no spaces; moments in UTC, amounts with two decimals). An audit event's content includes the
clients it names; a ledger transaction's includes its entries. Changing, removing or inserting a
row therefore breaks the chain at that row, which `chain_verify` finds.

The hashes are not secret: whoever can rewrite the tables can recompute every hash after the
row they changed. That is what the anchors are for: the heads are written daily to a file kept
outside the database (`anchors_write`), and `anchors_verify` checks that each anchored head is
still in the chain with the same hash.

The trail is chained after the fact. A page writes its event without a place in the chain and
locks nothing, so audited writes never queue behind each other; every few seconds the chainer
(`audit_link_pending`, run by beat and by `manage.py audit_chain`) takes the trail's head with
SELECT ... FOR UPDATE and gives the committed events still without a place theirs, in the order
they were written. Only those two columns of an event may ever be set after it is written, and
only once (the trigger of migration 0005). `chain_verify` accepts a tail of events waiting for
their place while it is younger than `AUDIT_CHAIN_WAIT_LIMIT`, and reports it.

The ledger is chained as it is written: a posting locks the ledger's head just before its rows
are inserted and holds it until it commits. The unique `seq` makes a fork impossible even for a
writer that skipped the lock.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from audit.encoding import audit_value
from audit.models import AuditEvent, AuditEventClient, ChainHead

AUDIT = "audit"
LEDGER = "ledger"
GENESIS = "0" * 64
CHUNK = 2000


# The canonical content of a row ----------------------------------------------------------


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _address(value: str | None) -> str | None:
    # As bytes: PostgreSQL's inet gives an address back in its own spelling.
    return ipaddress.ip_address(str(value)).packed.hex() if value else None


def _amount(value: Decimal | str) -> str:
    return f"{Decimal(value):.2f}"


def audit_content(event: AuditEvent, client_ids: Iterable[int]) -> dict[str, Any]:
    """What an audit event's hash covers: every field but its id, and the clients it names."""
    return {
        "at": _moment(event.at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "ip": _address(event.ip_address),
        "action": event.action,
        "object_type": event.object_type,
        "object_id": str(event.object_id),
        "object_repr": event.object_repr,
        "changes": audit_value(event.changes),
        "reason": event.reason,
        "clients": sorted({int(i) for i in client_ids}),
    }


def ledger_content(transaction, entries: Iterable) -> dict[str, Any]:
    """What a ledger transaction's hash covers: every field but its id, and each of its entries.

    `transaction` and `entries` are model instances or anything with the same attributes (the
    payment run's COPY writer builds none). Entries are in a canonical order, not insertion order.
    """
    lines = [
        [
            entry.account,
            _amount(entry.amount),
            entry.case_id,
            entry.client_id,
            entry.program_id,
            entry.period.isoformat() if isinstance(entry.period, date) else str(entry.period),
            entry.overpayment_id,
            _moment(entry.posted_at),
        ]
        for entry in entries
    ]
    return {
        "kind": transaction.kind,
        "issuance": transaction.issuance_id,
        "overpayment": transaction.overpayment_id,
        "reverses": transaction.reverses_id,
        "memo": transaction.memo,
        "posted_by": transaction.posted_by_id,
        "posted_at": _moment(transaction.posted_at),
        "entries": sorted(lines, key=_canonical),
    }


def _canonical(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(previous: str, seq: int, content: dict[str, Any]) -> str:
    """The hash of the row at `seq` whose predecessor's hash is `previous`."""
    return hashlib.sha256(f"{previous}\n{seq}\n{_canonical(content)}".encode()).hexdigest()


# Appending ---------------------------------------------------------------------------------


def chain_extend(chain: str, contents: Sequence[dict[str, Any]]) -> list[tuple[int, str]]:
    """Place rows at the end of `chain`: returns each one's `(seq, hash)`, in order, and moves the head.

    Call it in the transaction that inserts the rows, just before inserting them and as late as
    the transaction allows: the head stays locked until it commits.
    """
    if not contents:
        return []
    if connection.get_autocommit():
        raise TransactionManagementError("A chain is extended inside the transaction that inserts its rows.")
    seq, previous = _locked_head(chain)
    placed = []
    for content in contents:
        seq += 1
        previous = digest(previous, seq, content)
        placed.append((seq, previous))
    ChainHead.objects.filter(name=chain).update(seq=seq, hash=previous, moved_at=timezone.now())
    return placed


def _locked_head(chain: str) -> tuple[int, str]:
    """The chain's head, locked until the transaction ends (SELECT ... FOR UPDATE)."""
    head = ChainHead.objects.select_for_update().filter(name=chain).values_list("seq", "hash").first()
    if head is None:
        # The migrations write the heads; a test that empties the tables removes them. Start a
        # missing one from its chain's last row (whoever can delete a head could as well rewrite it).
        seq, hash_ = _last(chain)
        ChainHead.objects.bulk_create([ChainHead(name=chain, seq=seq, hash=hash_)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().filter(name=chain).values_list("seq", "hash").get()
    return head


def _last(chain: str) -> tuple[int, str]:
    model = AuditEvent if chain == AUDIT else _ledger_transaction()
    return model.objects.exclude(seq=None).order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS)


def audit_link_pending(*, batch: int = CHUNK) -> int:
    """Give the trail's committed events still without a place in the chain theirs; returns how many.

    In the order they were written (by id), `batch` events to a transaction that holds the
    trail's head, so two chainers at once take turns and never place an event twice. An event
    whose transaction has not committed yet is not seen, and is placed on a later run.
    """
    linked = 0
    while True:
        with transaction.atomic():
            seq, previous = _locked_head(AUDIT)
            events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not events:
                return linked
            clients = _clients_of(events)
            for event in events:
                seq += 1
                previous = digest(previous, seq, audit_content(event, clients.get(event.id, ())))
                event.seq, event.hash = seq, previous
            _place(events)
            ChainHead.objects.filter(name=AUDIT).update(seq=seq, hash=previous, moved_at=timezone.now())
        linked += len(events)
        if len(events) < batch:
            return linked


def _place(events: Sequence[AuditEvent]) -> None:
    """Write the events' places and hashes; the database lets these two columns be set once (migration 0005)."""
    if connection.vendor != "postgresql":
        # A plain QuerySet: the trail's own refuses every UPDATE.
        models.QuerySet(AuditEvent).bulk_update(events, ["seq", "hash"])
        return
    # One UPDATE joined to a list of values: bulk_update's CASE would compare each row with every id.
    rows = ", ".join(["(%s::bigint, %s::bigint, %s)"] * len(events))
    params = [value for event in events for value in (event.id, event.seq, event.hash)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditevent AS e SET seq = v.seq, hash = v.hash FROM (VALUES {rows}) AS v (id, seq, hash) "
            f"WHERE e.id = v.id AND e.seq IS NULL",
            params,
        )
        if cursor.rowcount != len(events):
            raise TransactionManagementError("Another writer placed these events despite the head's lock.")


def _clients_of(events: Sequence[AuditEvent]) -> dict[int, list[int]]:
    clients: dict[int, list[int]] = {}
    for event_id, client_id in AuditEventClient.objects.filter(event_id__in=[e.id for e in events]).values_list(
        "event_id", "client_id"
    ):
        clients.setdefault(event_id, []).append(client_id)
    return clients


def wait_limit(chain: str) -> timedelta:
    """How long a row may wait for its place before `chain_verify` calls it inserted past the application."""
    if chain == AUDIT:
        return timedelta(seconds=settings.AUDIT_CHAIN_WAIT_LIMIT_SECONDS)
    return timedelta(0)  # the ledger is chained as it is written


# Verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    id: int
    seq: int | None
    hash: str
    content: dict[str, Any]


@dataclass(frozen=True)
class ChainReport:
    chain: str
    rows: int
    head_seq: int
    head_id: int | None
    head_hash: str
    problem: str = ""
    #: Rows written but not yet given their place (the trail's, within its wait limit), and the oldest's time.
    waiting: int = 0
    waiting_since: datetime | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


LABELS = {AUDIT: ("Audit trail", "event"), LEDGER: ("Ledger", "transaction")}


def chain_verify(chain: str, *, since: tuple[int, str] | None = None) -> ChainReport:
    """Walk a chain from its first row and report the first row changed, removed or inserted.

    With `since` (the position and hash of an anchored head), the walk starts after that row,
    from its hash: a daily check that reads only what was written since the last anchor. The
    row at that position must still carry the anchored hash; the rows before it are vouched for
    by that hash alone (a rewrite that recomputed them changes it), but a row changed without
    its hash being recomputed shows only in a whole walk, so run one after a restore and weekly.

    On PostgreSQL the walk reads one snapshot (REPEATABLE READ), so rows the chainer places
    meanwhile are not taken for rows inserted past the head.
    """
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(chain, since=since)


def _verify(chain: str, *, since: tuple[int, str] | None = None) -> ChainReport:
    row_name = LABELS[chain][1]
    head = ChainHead.objects.filter(name=chain).values_list("seq", "hash").first() or (0, GENESIS)
    previous, expected, last = GENESIS, 1, None
    if since and since[0]:
        start = chain_row(chain, since[0])
        if start is None or start[1] != since[1]:
            return ChainReport(
                chain=chain,
                rows=0,
                head_seq=0,
                head_id=None,
                head_hash=GENESIS,
                problem=f"the anchored {row_name} at position {since[0]} no longer carries its anchored hash",
            )
        previous, expected, last = since[1], since[0] + 1, Link(start[0], since[0], since[1], {})
    first = expected

    waiting, waiting_since, overdue = _unchained(chain)

    def report(problem: str = "") -> ChainReport:
        return ChainReport(
            chain=chain,
            rows=expected - first,
            head_seq=last.seq if last else 0,
            head_id=last.id if last else None,
            head_hash=last.hash if last else GENESIS,
            problem=problem,
            waiting=waiting,
            waiting_since=waiting_since,
        )

    for link in _links(chain, after=expected - 1):
        where = f"{row_name} {link.id} (position {link.seq})"
        if link.seq > head[0]:
            return report(f"{where}: inserted past the chain's head (position {head[0]})")
        if link.seq < expected:
            return report(f"{where}: inserted: {row_name} {last.id} already holds that position")
        if link.seq > expected:
            missing = f"position {expected}" if link.seq == expected + 1 else f"positions {expected} to {link.seq - 1}"
            return report(f"{where}: {row_name}s removed just before it ({missing} missing)")
        if digest(previous, link.seq, link.content) != link.hash:
            return report(f"{where}: changed: its content no longer gives the hash it was written with")
        previous, expected, last = link.hash, expected + 1, link
    if expected - 1 < head[0]:
        stops = f"the chain stops after {row_name} {last.id} (position {last.seq})" if last else "the chain is empty"
        return report(f"{row_name}s removed at the end: {stops}, its head is at position {head[0]}")
    if last and last.hash != head[1]:
        return report(f"{row_name} {last.id} (position {last.seq}): its hash differs from the chain's head")
    if overdue is not None:
        if chain == AUDIT:
            return report(
                f"{row_name} {overdue}: inserted outside the application, or the chainer has stopped: it has no "
                f"place in the chain after the {int(wait_limit(chain).total_seconds())}-second wait"
            )
        return report(f"{row_name} {overdue}: inserted outside the application (it has no place in the chain)")
    return report()


def _unchained(chain: str) -> tuple[int, datetime | None, int | None]:
    """How many rows wait for their place, the oldest one's time, and the first that waited too long."""
    model = AuditEvent if chain == AUDIT else _ledger_transaction()
    moment = "at" if chain == AUDIT else "posted_at"
    waiting = model.objects.filter(seq__isnull=True)
    count = waiting.count()
    if not count:
        return 0, None, None
    oldest = waiting.order_by(moment).values_list(moment, flat=True).first()
    if wait_limit(chain):
        waiting = waiting.filter(**{f"{moment}__lt": timezone.now() - wait_limit(chain)})
    # With no wait (the ledger, chained as it is posted) every unplaced row is one too many.
    overdue = waiting.order_by("id").values_list("id", flat=True).first()
    return count, oldest, overdue


def _links(chain: str, *, after: int = 0) -> Iterator[Link]:
    """Every chained row past position `after`, in order of place, read in chunks with their clients or entries."""
    window = models.Q(seq__gt=after)
    while True:
        links = _audit_links(window) if chain == AUDIT else _ledger_links(window)
        yield from links
        if len(links) < CHUNK:
            return
        window = models.Q(seq__gt=links[-1].seq) | models.Q(seq=links[-1].seq, id__gt=links[-1].id)


def _audit_links(window: models.Q) -> list[Link]:
    events = list(AuditEvent.objects.filter(window).order_by("seq", "id")[:CHUNK])
    clients = _clients_of(events)
    return [Link(e.id, e.seq, e.hash, audit_content(e, clients.get(e.id, ()))) for e in events]


def _ledger_links(window: models.Q) -> list[Link]:
    transaction_model = _ledger_transaction()
    transactions = list(transaction_model.objects.filter(window).order_by("seq", "id")[:CHUNK])
    entries: dict[int, list] = {}
    for entry in transaction_model.entries.rel.related_model.objects.filter(
        transaction_id__in=[t.id for t in transactions]
    ):
        entries.setdefault(entry.transaction_id, []).append(entry)
    return [Link(t.id, t.seq, t.hash, ledger_content(t, entries.get(t.id, ()))) for t in transactions]


def _ledger_transaction():
    # The ledger belongs to an app above this one: found by name, not imported.
    from django.apps import apps

    return apps.get_model("assistance", "LedgerTransaction")


def chain_row(chain: str, seq: int) -> tuple[int, str] | None:
    """The id and hash of the row at `seq`, if there is one."""
    model = AuditEvent if chain == AUDIT else _ledger_transaction()
    return model.objects.filter(seq=seq).order_by("id").values_list("id", "hash").first()


# Anchors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorCheck:
    checked: int
    problems: list[str]
    #: Per chain, the position and hash of the furthest anchored head still in its chain.
    newest: dict[str, tuple[int, str]]


def anchors_verify(lines: Iterable[str]) -> AnchorCheck:
    """Check each anchored head (a line of the anchor file) against the chain as it is now.

    Returns how many anchors were checked, what disagrees (a head no longer in its chain, or in it
    with another hash or row, means rows up to it were rewritten after it was anchored), and the
    furthest head of each chain that holds, from which `chain_verify(since=...)` can walk.
    """
    checked, problems, newest = 0, [], {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
            chain, seq, row_id, hash_ = anchor["chain"], int(anchor["seq"]), anchor["id"], anchor["hash"]
            when = anchor["anchored_at"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"line {number} of the anchor file is not an anchor")
            continue
        if chain not in LABELS:
            problems.append(f"line {number} of the anchor file names no known chain ({chain!r})")
            continue
        checked += 1
        if seq == 0:
            continue
        label, row_name = LABELS[chain]
        found = chain_row(chain, seq)
        said = f"{label} anchored {when} at position {seq} ({row_name} {row_id}, hash {hash_[:12]}…)"
        if found is None:
            problems.append(f"{said}: no {row_name} holds that position now")
        elif found != (row_id, hash_):
            problems.append(f"{said}: now {row_name} {found[0]} with hash {found[1][:12]}…, the chain was rewritten")
        elif seq > newest.get(chain, (0, ""))[0]:
            newest[chain] = (seq, hash_)
    return AnchorCheck(checked=checked, problems=problems, newest=newest)
