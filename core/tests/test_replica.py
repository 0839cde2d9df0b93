"""Read-only pages read from the replica; every other page, and everything after a write, from the primary.

The replica here is a second connection to the test database (TEST MIRROR), so the tests are
transactional: a second connection sees only committed rows.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Office
from audit.models import AuditEvent
from audit.services import audit_record
from core.replica import REPLICA, replica_context

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def replica_on(settings):
    settings.CASEWORK_READ_REPLICA = True


class _Captured:
    def __init__(self):
        self.primary = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self):
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def sql(self, alias: str) -> list[str]:
        return [q["sql"] for q in (self.replica if alias == REPLICA else self.primary).captured_queries]


def test_the_audit_trail_page_reads_the_events_from_the_replica(replica_on, client, auditor, caseworker):
    audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="Client file of Ada Lovelace")
    client.force_login(auditor)
    with _Captured() as queries:
        response = client.get(reverse("audit:trail"))
    assert response.status_code == 200
    assert "Client file of Ada Lovelace" in response.text
    assert any("audit_auditevent" in sql for sql in queries.sql(REPLICA))
    assert not any("audit_auditevent" in sql for sql in queries.sql(DEFAULT_DB_ALIAS))
    # Signing in rests on the session: that stays on the primary, a lagging replica would lose it.
    assert not any("django_session" in sql for sql in queries.sql(REPLICA))


def test_a_page_not_marked_read_only_never_reads_the_replica(replica_on, client, caseworker):
    client.force_login(caseworker)
    with _Captured() as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert queries.sql(DEFAULT_DB_ALIAS)
    assert queries.sql(REPLICA) == []


def test_without_a_replica_the_read_only_page_reads_the_primary(client, auditor):
    client.force_login(auditor)
    with _Captured() as queries:
        response = client.get(reverse("audit:trail"))
    assert response.status_code == 200
    assert queries.sql(REPLICA) == []
    assert any("audit_auditevent" in sql for sql in queries.sql(DEFAULT_DB_ALIAS))


def test_after_the_first_write_a_read_only_page_reads_the_primary(replica_on, north):
    with replica_context(), _Captured() as queries:
        assert Office.objects.filter(pk=north.pk).exists()
        Office.objects.filter(pk=north.pk).update(name="North (renamed)")
        # Read-after-write: the replica might not have the new name yet, the primary has.
        assert Office.objects.get(pk=north.pk).name == "North (renamed)"
    assert len([sql for sql in queries.sql(REPLICA) if "accounts_office" in sql]) == 1
    assert len([sql for sql in queries.sql(DEFAULT_DB_ALIAS) if "accounts_office" in sql]) == 2


def test_reads_inside_a_transaction_on_the_primary_stay_there(replica_on, north):
    with replica_context(), _Captured() as queries, transaction.atomic():
        Office.objects.select_for_update().get(pk=north.pk)
    assert queries.sql(REPLICA) == []


def test_the_figures_pages_read_from_the_replica(replica_on, client, auditor):
    client.force_login(auditor)
    for name in ("referrals:figures", "referrals:partner_figures", "casework:inquiry_statistics"):
        with _Captured() as queries:
            response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert queries.sql(REPLICA), name
