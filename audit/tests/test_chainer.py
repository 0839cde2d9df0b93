"""The trail is chained after it is written: pages write events without waiting for each other, the
chainer places committed events in the order written, `audit_verify` accepts a young unplaced tail
and names one that waited too long, and a placed event can never be moved or changed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from audit.chain import AUDIT, audit_link_pending, chain_verify
from audit.models import AuditEvent, ChainHead
from audit.services import audit_record, audit_record_many
from config.schedules import BEAT_SCHEDULE

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def write(actor, repr_: str, client_ids=()) -> AuditEvent:
    return audit_record(actor=actor, action=AuditEvent.Action.VIEW, object_repr=repr_, client_ids=client_ids)


def verify() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def placed() -> list[tuple[int, str]]:
    return list(AuditEvent.objects.exclude(seq=None).order_by("seq").values_list("seq", "object_repr"))


def test_the_chainer_places_events_in_the_order_they_were_written(caseworker):
    write(caseworker, "first", [7])
    audit_record_many(
        actor=caseworker,
        action=AuditEvent.Action.UPDATE,
        records=[{"object_repr": "second", "client_ids": [8, 9]}, {"object_repr": "third"}],
    )

    assert audit_link_pending() == 3

    assert placed() == [(1, "first"), (2, "second"), (3, "third")]
    assert ChainHead.objects.get(name=AUDIT).seq == 3
    assert chain_verify(AUDIT).intact


def test_a_second_run_places_nothing_and_later_events_continue_the_chain(caseworker):
    write(caseworker, "first")
    audit_link_pending()
    assert audit_link_pending() == 0

    write(caseworker, "later")
    assert audit_link_pending() == 1

    assert placed() == [(1, "first"), (2, "later")]
    assert chain_verify(AUDIT).intact


def test_the_chainer_works_through_a_backlog_in_batches(caseworker):
    for n in range(7):
        write(caseworker, f"page {n}")

    assert audit_link_pending(batch=3) == 7

    assert [seq for seq, _ in placed()] == list(range(1, 8))
    assert chain_verify(AUDIT).intact


def test_young_events_waiting_for_their_place_verify_and_are_reported(caseworker, _frozen):
    write(caseworker, "placed")
    audit_link_pending()
    _frozen.shift(timedelta(seconds=30))
    write(caseworker, "waiting one")
    write(caseworker, "waiting two")
    _frozen.shift(timedelta(seconds=200))

    ok, out = verify()

    assert ok, out
    assert "Audit trail: intact, 1 event; head at position 1" in out
    assert (
        "Audit trail: 2 newer events waiting for a place in the chain (the oldest written 2026-11-16T04:00:30-06:00)"
        in out
    )
    assert "within the 300-second wait" in out


def test_an_event_left_without_a_place_past_the_wait_is_named(caseworker, _frozen):
    write(caseworker, "placed")
    audit_link_pending()
    stuck = write(caseworker, "never placed")
    _frozen.shift(timedelta(seconds=301))

    ok, out = verify()

    assert not ok
    assert (
        f"Audit trail: BROKEN after 1 intact: event {stuck.pk}: inserted outside the application, or the chainer" in out
    )

    # Placed by hand (the chainer was stopped), the trail verifies again.
    call_command("audit_chain", stdout=StringIO())
    assert verify()[0]


def test_a_changed_event_is_still_caught_after_it_was_placed(caseworker):
    from audit.tests.test_chain import as_owner_with_triggers_off

    events = [write(caseworker, f"page {n}", [n]) for n in range(3)]
    audit_link_pending()
    with as_owner_with_triggers_off("audit_auditevent") as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'nothing to see' WHERE id = %s", [events[1].pk])

    report = chain_verify(AUDIT)

    assert (
        report.problem
        == f"event {events[1].pk} (position 2): changed: its content no longer gives the hash it was written with"
    )


def test_the_chainer_is_a_beat_entry_every_few_seconds_and_a_command(caseworker):
    from audit import tasks  # noqa: F401 - what the worker's autodiscovery imports
    from config.celery import app

    entry = BEAT_SCHEDULE["audit-events-chain"]
    assert entry["schedule"] <= 10
    write(caseworker, "by beat")

    app.tasks[entry["task"]].delay()

    assert placed() == [(1, "by beat")]
    out = StringIO()
    call_command("audit_chain", stdout=out)
    assert out.getvalue().strip() == "Audit trail: 0 events placed in the chain"


# PostgreSQL: what the database lets the application do, and commits in another order than ids --------


@pytest.mark.postgres
def test_the_database_lets_a_place_be_given_once_and_nothing_else(caseworker):
    event = write(caseworker, "page")
    audit_link_pending()
    event.refresh_from_db()

    for sql, params in [
        ("UPDATE audit_auditevent SET seq = seq + 100 WHERE id = %s", [event.pk]),
        ("UPDATE audit_auditevent SET hash = 'x' WHERE id = %s", [event.pk]),
        ("UPDATE audit_auditevent SET object_repr = 'nothing to see' WHERE id = %s", [event.pk]),
        ("DELETE FROM audit_auditevent WHERE id = %s", [event.pk]),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    waiting = write(caseworker, "waiting")
    # Giving an unplaced event a place while changing what it says is refused too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = 99, reason = 'rewritten' WHERE id = %s", [waiting.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_after_a_later_one_is_placed_after_it(caseworker):
    started, release = threading.Event(), threading.Event()
    errors = []

    def slow_page() -> None:
        try:
            with transaction.atomic():
                write(caseworker, "slow page, written first")
                started.set()
                release.wait(30)
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_page)
    thread.start()
    assert started.wait(30)
    write(caseworker, "quick page, written second")

    assert audit_link_pending() == 1  # the slow page has not committed: the chainer cannot see it
    release.set()
    thread.join(30)
    assert audit_link_pending() == 1

    assert errors == []
    assert placed() == [(1, "quick page, written second"), (2, "slow page, written first")]
    assert chain_verify(AUDIT).intact
