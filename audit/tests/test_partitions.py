"""On PostgreSQL the trail is partitioned by month: each event lands in its month's table, the hash
chain verifies across months, the coming months are created ahead by beat (by the application's
role, which may do nothing else with them), and a client row naming no event is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from audit.chain import AUDIT, audit_link_pending, chain_verify
from audit.models import AuditEvent, AuditEventClient
from audit.partitions import audit_partitions, audit_partitions_ensure
from audit.services import audit_record
from config.schedules import BEAT_SCHEDULE
from tests import app_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OCTOBER = datetime(2026, 10, 20, 15, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def months() -> set[str]:
    return {name for name, _rows in audit_partitions()}


@pytest.fixture
def months_made():
    audit_partitions_ensure(now=OCTOBER, months_ahead=1)


def test_events_land_in_their_months_and_the_chain_verifies_across_them(months_made, caseworker):
    with time_machine.travel(OCTOBER, tick=False):
        october = [
            audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr=f"oct {n}", client_ids=[n])
            for n in range(3)
        ]
        audit_link_pending()
    with time_machine.travel(NOVEMBER, tick=False):
        november = [
            audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr=f"nov {n}", client_ids=[n, 9])
            for n in range(3)
        ]
        audit_link_pending()

        assert {partition_of(e) for e in october} == {"audit_auditevent_p2026_10"}
        assert {partition_of(e) for e in november} == {"audit_auditevent_p2026_11"}
        report = chain_verify(AUDIT)
        assert report.intact, report.problem
        assert report.rows == 6


def test_a_change_in_an_earlier_month_is_caught_by_the_walk_across_months(months_made, caseworker):
    from audit.tests.test_chain import as_owner_with_triggers_off

    with time_machine.travel(OCTOBER, tick=False):
        victim = audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="october")
    with time_machine.travel(NOVEMBER, tick=False):
        audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="november")
        audit_link_pending()
        with as_owner_with_triggers_off("audit_auditevent_p2026_10") as cursor:
            cursor.execute("UPDATE audit_auditevent SET object_repr = 'rewritten' WHERE id = %s", [victim.pk])

        assert chain_verify(AUDIT).problem.startswith(f"event {victim.pk} (position 1): changed")


def test_the_coming_months_are_made_once_each_by_the_applications_role():
    made = audit_partitions_ensure(now=datetime(2031, 1, 5, tzinfo=UTC), months_ahead=2)

    assert made == 3
    assert {"audit_auditevent_p2031_01", "audit_auditevent_p2031_02", "audit_auditevent_p2031_03"} <= months()
    assert audit_partitions_ensure(now=datetime(2031, 1, 5, tzinfo=UTC), months_ahead=2) == 0


def test_the_application_may_not_touch_a_month_directly_and_the_trigger_holds_through_the_parent(
    months_made, caseworker
):
    if not app_role.enabled():
        pytest.skip("runs as the application's role (CASEWORK_TEST_APP_ROLE=1, as CI does)")
    with time_machine.travel(OCTOBER, tick=False):
        event = audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="october")
    for sql in (
        "SELECT count(*) FROM audit_auditevent_p2026_10",
        "UPDATE audit_auditevent_p2026_10 SET reason = 'x'",
        "UPDATE audit_auditevent SET reason = 'x'",
        "DELETE FROM audit_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_a_client_row_naming_no_event_is_refused(caseworker):
    with pytest.raises(DatabaseError, match="must name an event of the trail"), transaction.atomic():
        AuditEventClient.objects.bulk_create([AuditEventClient(event_id=987654321, client_id=1)])


def test_the_months_ahead_are_a_daily_beat_entry_of_a_registered_task():
    from audit import tasks  # noqa: F401 - what the worker's autodiscovery imports
    from config.celery import app

    entry = BEAT_SCHEDULE["audit-partitions-ensure"]
    app.tasks[entry["task"]].delay()

    now = datetime.now(UTC)
    assert f"audit_auditevent_p{now:%Y_%m}" in months()
