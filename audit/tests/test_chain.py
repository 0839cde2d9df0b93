"""The hash chains over the trail and the ledger: an intact record verifies; a row changed, removed or
inserted past the application (as the database's owner, triggers off) is named by `audit_verify`;
a whole rewritten chain is caught by the anchors kept outside the database; writers at the same
moment on PostgreSQL never fork a chain."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from assistance.models import Account, LedgerEntry, LedgerTransaction
from assistance.services import Line, ledger_post
from assistance.tests.helpers import client_case, income_support
from audit.chain import AUDIT, LEDGER, audit_content, audit_link_pending, chain_verify, digest
from audit.models import AuditEvent, AuditEventClient, ChainAnchor, ChainHead
from audit.services import audit_record, chain_anchor
from config.schedules import BEAT_SCHEDULE
from tests import app_role

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
PERIOD = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def post(worker, case, amount: str, memo: str = "") -> LedgerTransaction:
    """An issue posting of `amount` for the case's client: debit issued, credit payments."""
    common = {"case_id": case.pk, "client_id": case.primary_client_id, "program_id": income_support().pk}
    lines = [
        Line(account=Account.ISSUED, amount=Decimal(amount), period=PERIOD, **common),
        Line(account=Account.PAYMENTS, amount=-Decimal(amount), period=PERIOD, **common),
    ]
    return ledger_post(kind=LedgerTransaction.Kind.ISSUE, lines=lines, posted_by=worker, memo=memo)


@pytest.fixture
def record(caseworker):
    """Five audit events (two naming clients) and three ledger transactions, written by the services."""
    _client, case = client_case(caseworker)
    events = [
        audit_record(
            actor=caseworker,
            action=AuditEvent.Action.VIEW,
            object_type="clients.client",
            object_id=n,
            object_repr=f"entry {n}",
            client_ids=[100 + n, 200 + n] if n % 2 else [],
            changes={"amount": [Decimal("1.50"), Decimal(f"{n}.25")], "on": date(2026, 11, n)},
        )
        for n in range(1, 6)
    ]
    with transaction.atomic():
        postings = [post(caseworker, case, amount) for amount in ("100.00", "250.50", "75.00")]
    audit_link_pending()  # what beat does every few seconds
    for event in events:
        event.refresh_from_db()
    return events, postings


def verify(*args) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


@contextmanager
def as_owner_with_triggers_off(*tables: str):
    """What a superuser can do past the application: on PostgreSQL, switch the append-only triggers off."""
    postgres = connection.vendor == "postgresql"
    with app_role.as_owner(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the balance check's pending events, fired now
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cursor
        if postgres:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


# Intact ------------------------------------------------------------------------------------


def test_an_intact_trail_and_ledger_verify_with_a_short_summary(record):
    _events, postings = record

    ok, out = verify()

    assert ok, out
    head = AuditEvent.objects.order_by("-seq").first()
    assert f"Audit trail: intact, {head.seq} events; head at position {head.seq} (event {head.pk})" in out
    assert f"Ledger: intact, 3 transactions; head at position 3 (transaction {postings[-1].pk})" in out
    assert [p.seq for p in postings] == [1, 2, 3]
    assert ChainHead.objects.get(name=LEDGER).hash == postings[-1].hash


def test_each_event_carries_the_hash_of_its_content_and_of_the_one_before(record):
    events, _ = record
    first, second = events[1], events[2]
    second.refresh_from_db()

    assert second.seq == first.seq + 1
    assert second.hash == digest(first.hash, second.seq, audit_content(second, [103, 203]))
    assert second.hash != digest(first.hash, second.seq, audit_content(second, [103]))  # its clients count


def test_writing_an_event_locks_nothing_and_costs_two_queries(caseworker, django_assert_num_queries):
    audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="the chain's first")
    # Insert the event, insert its clients: no head to lock or move, no savepoint.
    with django_assert_num_queries(2) as queries:
        event = audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="page", client_ids=[1, 2])
    assert not any("audit_chainhead" in query["sql"] for query in queries.captured_queries)
    assert event.seq is None


# Changed, removed, inserted ------------------------------------------------------------------


def test_a_changed_event_is_named_by_id(record):
    events, _ = record
    victim = events[2]
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'nothing to see' WHERE id = %s", [victim.pk])

    ok, out = verify()

    assert not ok
    assert (
        f"Audit trail: BROKEN after {victim.seq - 1} intact: event {victim.pk} (position {victim.seq}): changed" in out
    )
    assert "Ledger: intact" in out
    assert "1 problem found" in out


def test_a_client_taken_off_an_event_changes_it(record):
    events, _ = record
    with as_owner_with_triggers_off("audit_auditeventclient") as cursor:
        cursor.execute("DELETE FROM audit_auditeventclient WHERE event_id = %s AND client_id = 101", [events[0].pk])

    ok, out = verify()

    assert not ok and f"event {events[0].pk} (position {events[0].seq}): changed" in out


def test_a_removed_event_is_named_by_the_one_after_it(record):
    events, _ = record
    victim, after = events[1], events[2]
    with as_owner_with_triggers_off("audit_auditevent", "audit_auditeventclient") as cursor:
        cursor.execute("DELETE FROM audit_auditeventclient WHERE event_id = %s", [victim.pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])

    ok, out = verify()

    assert not ok
    assert (
        f"event {after.pk} (position {after.seq}): events removed just before it (position {victim.seq} missing)" in out
    )


def test_events_removed_from_the_end_show_against_the_head(record):
    events, _ = record
    with as_owner_with_triggers_off("audit_auditevent", "audit_auditeventclient") as cursor:
        cursor.execute("DELETE FROM audit_auditeventclient WHERE event_id = %s", [events[-1].pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])

    ok, out = verify()

    assert not ok
    assert f"events removed at the end: the chain stops after event {events[-2].pk} (position {events[-2].seq})" in out


def test_a_back_dated_event_inserted_past_the_application_is_named(record):
    events, _ = record
    head = events[-1]
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent"
            " (at, actor_name, action, object_type, object_id, object_repr, changes, reason, seq, hash)"
            " VALUES ('2026-01-05 09:00+00', 'north.supervisor', 'view', '', '', 'forged', '{}', '', %s, %s)",
            [head.seq + 1, head.hash],
        )
    forged = AuditEvent.objects.get(object_repr="forged")

    ok, out = verify()

    assert not ok
    assert f"event {forged.pk} (position {head.seq + 1}): inserted past the chain's head (position {head.seq})" in out


def test_an_event_inserted_without_a_place_in_the_chain_is_named(record):
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_name, action, object_type, object_id, object_repr, changes,"
            " reason, hash) VALUES ('2026-01-05 09:00+00', 'system', 'view', '', '', 'forged', '{}', '', '')"
        )
    forged = AuditEvent.objects.get(object_repr="forged")

    ok, out = verify()

    assert not ok
    assert f"event {forged.pk}: inserted outside the application, or the chainer has stopped" in out
    assert "after the 300-second wait" in out


def test_an_issued_amount_multiplied_by_ten_is_caught_though_the_ledger_still_balances(record):
    _, postings = record
    victim = postings[1]
    with as_owner_with_triggers_off("assistance_ledgerentry") as cursor:
        cursor.execute("UPDATE assistance_ledgerentry SET amount = amount * 10 WHERE transaction_id = %s", [victim.pk])

    ok, out = verify()

    assert not ok
    assert f"Ledger: BROKEN after 1 intact: transaction {victim.pk} (position 2): changed" in out
    assert "Audit trail: intact" in out


def test_a_removed_ledger_transaction_is_named_by_the_one_after_it(record):
    _, postings = record
    with as_owner_with_triggers_off("assistance_ledgertransaction", "assistance_ledgerentry") as cursor:
        cursor.execute("DELETE FROM assistance_ledgerentry WHERE transaction_id = %s", [postings[0].pk])
        cursor.execute("DELETE FROM assistance_ledgertransaction WHERE id = %s", [postings[0].pk])

    ok, out = verify()

    assert not ok
    assert f"transaction {postings[1].pk} (position 2): transactions removed just before it (position 1 missing)" in out


# Anchors -------------------------------------------------------------------------------------


def test_anchors_are_appended_to_the_file_recorded_and_shown_to_the_auditor(record, tmp_path, client, auditor):
    _, postings = record
    path = tmp_path / "anchors.jsonl"
    chain_anchor(path=path)
    chain_anchor(path=path)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    audit_head = ChainHead.objects.get(name=AUDIT)
    assert lines[-1] == {
        "anchored_at": NOW.isoformat(),
        "chain": "ledger",
        "seq": 3,
        "id": postings[-1].pk,
        "hash": postings[-1].hash,
    }
    assert [(line["chain"], line["seq"]) for line in lines] == [("audit", audit_head.seq), ("ledger", 3)] * 2
    assert ChainAnchor.objects.count() == 4

    client.force_login(auditor)
    trail = client.get(reverse("audit:trail")).content.decode()
    assert f'hx-get="{reverse("audit:anchors")}"' in trail  # the trail's page loads them in place
    page = client.get(reverse("audit:anchors")).content.decode()
    fragment = client.get(reverse("audit:anchors"), headers={"HX-Request": "true"}).content.decode()
    assert "<h1" in page and "<html" not in fragment.lower()
    for shown in (page, fragment):
        assert f"<code>{postings[-1].hash}</code>" in shown
        assert f"<code>{audit_head.hash}</code>" in shown
        assert "2026-11-16 04:00" in shown  # the agency's time


def test_only_those_who_read_the_trail_see_the_anchors(client, personas):
    for name, user in personas.items():
        client.force_login(user)
        assert client.get(reverse("audit:anchors")).status_code == (200 if name in {"auditor", "admin"} else 403), name


def test_the_daily_anchor_is_a_beat_entry_of_a_registered_task(settings, tmp_path, record):
    from audit import tasks  # noqa: F401 - what the worker's autodiscovery imports
    from config.celery import app

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "daily.jsonl")
    entry = BEAT_SCHEDULE["audit-chains-anchor"]

    app.tasks[entry["task"]].delay()

    assert [json.loads(line)["chain"] for line in (tmp_path / "daily.jsonl").read_text().splitlines()] == [
        "audit",
        "ledger",
    ]


def test_a_whole_rewritten_chain_verifies_alone_but_not_against_its_anchors(record, tmp_path, caseworker):
    events, _ = record
    path = tmp_path / "anchors.jsonl"
    chain_anchor(path=path)
    anchored = ChainHead.objects.get(name=AUDIT)
    ok, out = verify("--anchors", str(path))
    assert ok and "Anchors: all 2 still in their chains" in out

    # A superuser who knows the algorithm changes event 2 and recomputes every hash after it, and the head.
    victim = events[1]
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'rewritten' WHERE id = %s", [victim.pk])
        previous = AuditEvent.objects.get(seq=victim.seq - 1).hash
        for event in AuditEvent.objects.filter(seq__gte=victim.seq).order_by("seq"):
            clients = AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True)
            previous = digest(previous, event.seq, audit_content(event, clients))
            cursor.execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [previous, event.pk])
        cursor.execute("UPDATE audit_chainhead SET hash = %s WHERE name = 'audit'", [previous])
    assert chain_verify(AUDIT).intact

    ok, out = verify("--anchors", str(path))

    assert not ok
    assert (
        f"Anchor: Audit trail anchored {NOW.isoformat()} at position {anchored.seq} "
        f"(event {events[-1].pk}, hash {anchored.hash[:12]}…): now event {events[-1].pk} with hash {previous[:12]}…"
    ) in out


def _later_events(worker, count: int) -> list[AuditEvent]:
    events = [
        audit_record(actor=worker, action=AuditEvent.Action.VIEW, object_type="clients.client", object_id=n)
        for n in range(count)
    ]
    audit_link_pending()
    for event in events:
        event.refresh_from_db()
    return events


def test_since_the_anchor_only_the_rows_written_after_it_are_walked(record, tmp_path, caseworker):
    path = tmp_path / "anchors.jsonl"
    chain_anchor(path=path)
    anchored = ChainHead.objects.get(name=AUDIT).seq
    later = _later_events(caseworker, 3)
    with transaction.atomic():
        posting = post(caseworker, client_case(caseworker)[1], "12.00")

    ok, out = verify("--anchors", str(path), "--since-anchor")

    assert ok, out
    assert f"Audit trail: intact, 3 events since position {anchored}; head at position {later[-1].seq}" in out
    assert f"Ledger: intact, 1 transaction since position 3; head at position 4 (transaction {posting.pk})" in out


def test_since_the_anchor_a_row_changed_after_it_is_still_named(record, tmp_path, caseworker):
    path = tmp_path / "anchors.jsonl"
    chain_anchor(path=path)
    victim = _later_events(caseworker, 3)[1]
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'nothing to see' WHERE id = %s", [victim.pk])

    ok, out = verify("--anchors", str(path), "--since-anchor")

    assert not ok
    assert f"Audit trail: BROKEN after 1 intact since position {victim.seq - 2}: event {victim.pk}" in out


def test_since_the_anchor_a_rewritten_chain_is_walked_whole_and_caught(record, tmp_path, caseworker):
    """An anchor that no longer holds vouches for nothing: the walk starts at the chain's first row."""
    events, _ = record
    path = tmp_path / "anchors.jsonl"
    chain_anchor(path=path)
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[-1].pk])

    ok, out = verify("--anchors", str(path), "--since-anchor")

    assert not ok
    assert "Anchor: Audit trail anchored" in out and "the chain was rewritten" in out
    assert f"Audit trail: BROKEN after {events[-1].seq - 1} intact: event {events[-1].pk}" in out


def test_since_the_anchor_needs_an_anchor_file(record):
    ok, out = verify("--since-anchor")
    assert not ok and "--since-anchor needs --anchors FILE" in out


def test_an_unreadable_anchor_file_is_an_error(record, tmp_path):
    ok, out = verify("--anchors", str(tmp_path / "missing.jsonl"))
    assert not ok and "Cannot read the anchor file" in out


# Concurrent writers ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_moment_never_fork_either_chain(caseworker):
    _client, case = client_case(caseworker)
    income_support()
    caseworker.roles  # noqa: B018 - cached before the threads share the user
    threads, errors = 16, []
    barrier = threading.Barrier(threads)

    def write(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                # A view's read and a posting with its audit event, interleaved with the other threads.
                audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr=f"read {n}", client_ids=[n])
                post(caseworker, case, f"{n + 1}.00", memo=f"posting {n}")
                audit_record(actor=caseworker, action=AuditEvent.Action.CREATE, object_repr=f"posted {n}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert errors == []
    assert sorted(LedgerTransaction.objects.values_list("seq", flat=True)) == list(range(1, threads + 1))
    assert AuditEvent.objects.exclude(seq=None).count() == 0  # written without waiting for each other
    audit_link_pending()
    events = AuditEvent.objects.exclude(seq=None)
    assert sorted(events.values_list("seq", flat=True)) == list(range(1, events.count() + 1))
    assert events.count() >= 2 * threads
    assert chain_verify(AUDIT).intact and chain_verify(LEDGER).intact
    assert LedgerEntry.objects.count() == 2 * threads


def test_the_anchor_command_says_what_it_wrote_where(record, tmp_path):
    path = tmp_path / "by-hand.jsonl"
    out = StringIO()

    call_command("audit_anchor", "--file", str(path), stdout=out)

    _, postings = record
    assert f"Ledger: position 3 (transaction {postings[-1].pk}), {postings[-1].hash} -> {path}" in out.getvalue()
    assert len(path.read_text().splitlines()) == 2


def test_a_removed_head_restarts_from_the_chains_last_row(record, caseworker):
    events, _ = record
    ChainHead.objects.filter(name=AUDIT).delete()

    event = audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="after the head went")
    audit_link_pending()
    event.refresh_from_db()

    assert event.seq == events[-1].seq + 1
    assert chain_verify(AUDIT).problem == ""
