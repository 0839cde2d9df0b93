"""What the trail keeps of dates, amounts and identifiers, and that writing them never fails a page."""

import itertools
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import ClientFactory, case_for

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)

SEARCH = {"q": "Marisol Okafor", "dob": "1984-03-09", "last4": "6789", "phone": "555-201-7788"}
SEARCHES = [dict([pair]) for pair in SEARCH.items()] + [
    dict(pairs) for pairs in itertools.combinations(SEARCH.items(), 2)
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def marisol(caseworker, north):
    person = ClientFactory(
        office=north,
        first_name="Marisol",
        last_name="Okafor",
        date_of_birth=date(1984, 3, 9),
        phone="555-201-7788",
        identifier_last4="6789",
    )
    case_for(person, caseworker)
    return person


@pytest.mark.parametrize("criteria", SEARCHES, ids=lambda c: "+".join(c))
def test_a_search_by_any_field_or_pair_of_fields_answers_and_is_audited(client, caseworker, marisol, criteria):
    client.force_login(caseworker)

    response = client.get(reverse("clients:list"), criteria)

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="search")
    assert event.changes["criteria"] == criteria
    assert list(event.subjects.values_list("client_id", flat=True)) == [marisol.pk]


def test_dates_amounts_and_uuids_in_changes_are_kept_as_written(caseworker):
    key = uuid.UUID("2f1d6a3e-9c1b-4d5e-8f00-1a2b3c4d5e6f")

    event = audit_record(
        actor=caseworker,
        action=AuditEvent.Action.UPDATE,
        object_type="assistance.issuance",
        changes={
            "amount": [Decimal("1.00"), Decimal("1.20")],
            "due_on": [None, date(2026, 12, 1)],
            "params": {"key": key, "at": NOW, "months": (date(2026, 11, 1), date(2026, 12, 1))},
        },
    )

    stored = AuditEvent.objects.get(pk=event.pk).changes
    assert stored == {
        "amount": ["1.00", "1.20"],
        "due_on": [None, "2026-12-01"],
        "params": {"key": str(key), "at": "2026-11-16T10:00:00+00:00", "months": ["2026-11-01", "2026-12-01"]},
    }
    assert event.changes == stored


def test_a_bulk_writer_that_skips_the_service_still_stores_json(caseworker):
    (event,) = AuditEvent.objects.bulk_create(
        [AuditEvent(actor=caseworker, action="update", changes={"amount": [Decimal("2.50"), date(2026, 1, 2)]})]
    )

    assert AuditEvent.objects.get(pk=event.pk).changes == {"amount": ["2.50", "2026-01-02"]}
