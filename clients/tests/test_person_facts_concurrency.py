"""Facts recorded at the same moment, on real PostgreSQL (every thread has its own connection):
whatever the order, a person keeps one current fact of a kind and a history without overlaps,
and a worker who loses the race is told why in words, never shown a database error."""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from clients import facts
from clients.models import PersonFact
from tests.factories import ClientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 10


def test_facts_recorded_at_once_leave_one_current_and_no_overlap(caseworker):
    person = ClientFactory(office=caseworker.office, date_of_birth=date(1970, 1, 1))
    caseworker.roles  # noqa: B018 - loaded once, before the threads share the user
    barrier = threading.Barrier(THREADS, timeout=60)
    errors: list[Exception | None] = [None] * THREADS

    def record(index: int) -> None:
        try:
            barrier.wait()
            facts.person_fact_record(
                acting_user=caseworker,
                client=person,
                kind="disability",
                basis="ssi",
                start_date=date(2025, 1, 1) + timedelta(days=index),
            )
        except Exception as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"

    assert all(error is None or isinstance(error, ValidationError) for error in errors), errors
    rows = list(PersonFact.objects.filter(client=person).order_by("start_date"))
    assert len(rows) == THREADS - sum(error is not None for error in errors)
    assert [row.end_date is None for row in rows].count(True) == 1 and rows[-1].end_date is None
    for earlier, later in itertools.pairwise(rows):
        assert earlier.end_date == later.start_date - timedelta(days=1)
