"""The auditor's page reads as sentences: "Field: old → new" with the field's own label, never a raw mapping."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def events(caseworker):
    def write(object_type, changes, **fields):
        return audit_record(
            actor=caseworker, action=AuditEvent.Action.UPDATE, object_type=object_type, changes=changes, **fields
        )

    # The shape the attendance service writes: a day's entry, before and after.
    write(
        "casework.attendanceentry",
        {
            "2026-11-09 Job club (#4)": [
                {"scheduled": "1.00", "attended": "1.00", "excused": False, "good_cause": ""},
                {"scheduled": "1.20", "attended": "1.00", "excused": True, "good_cause": ""},
            ],
            "2026-11-10 Job club (#4)": [None, {"scheduled": "2.00", "attended": "1.50"}],
        },
    )
    write(
        "clients.client",
        {"date_of_birth": ["1980-01-01", "1981-01-01"], "sex": ["U", "F"], "preferred_name": ["", "Mo"]},
    )
    write("clients.client", {"criteria": {"q": "Okafor", "dob": "1984-03-09"}, "results": 2})
    write("somewhere.unknown", {"monthly_amount": [Decimal("10.00"), Decimal("12.50")], "tags": [None, ["a", "b"]]})


def test_each_change_reads_field_old_arrow_new_with_the_fields_label(client, auditor, events):
    client.force_login(auditor)

    page = client.get(reverse("audit:trail")).content.decode()

    for line in [
        "2026-11-09 Job club (#4): Excused: No → Yes; Scheduled: 1.00 → 1.20",
        "2026-11-10 Job club (#4): Attended: 1.50; Scheduled: 2.00",
        "Date of birth: 1980-01-01 → 1981-01-01",  # the model's verbose name
        "Sex: Not stated → Female",  # a choice by its label
        "Preferred name: — → Mo",
        "Criteria: Dob: 1984-03-09; Q: Okafor",
        "Results: 2",
        "Monthly amount: 10.00 → 12.50",  # an unknown record type: the key, humanised
        "Tags: — → a, b",
    ]:
        assert f"<li>{line}</li>" in page
    assert "{'" not in page and "{&#x27;" not in page
    assert not re.search(r"\[(None|&#x27;|')", page)


def test_the_trail_is_a_table_of_one_row_per_event(client, auditor, events):
    client.force_login(auditor)

    page = client.get(reverse("audit:trail")).content.decode()

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr") == AuditEvent.objects.count() >= 4


def test_an_event_naming_many_clients_lists_the_first_few(client, auditor, caseworker):
    audit_record(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        object_repr="case list",
        client_ids=range(101, 131),
        changes={"page": "case list", "clients": 30},
    )
    client.force_login(auditor)

    page = client.get(reverse("audit:trail")).content.decode()

    assert "101, 102, 103, 104, 105 and 25 more" in page
    assert "<li>Page: case list</li>" in page
