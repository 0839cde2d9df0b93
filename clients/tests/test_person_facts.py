"""A person's facts: history that is never overwritten, audited writes, and the overview page."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEvent
from clients import facts
from clients.models import PersonFact
from clients.services import client_merge
from tests.factories import ClientFactory, PersonFactFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-10-15 15:00:00+00:00", tick=False):
        yield


@pytest.fixture
def person(caseworker):
    person = ClientFactory(office=caseworker.office, date_of_birth=date(1980, 6, 1), last_name="Lindqvist")
    case_for(person, caseworker)
    return person


def _record(user, person, **values):
    return facts.person_fact_record(acting_user=user, client=person, **values)


# Services ---------------------------------------------------------------------------------


def test_a_new_fact_ends_the_current_one_of_its_kind_the_day_before(caseworker, person):
    first = _record(caseworker, person, kind="disability", basis="ssi", start_date=date(2024, 1, 1))
    second = _record(caseworker, person, kind="disability", basis="va_total", start_date=date(2025, 3, 1))

    first.refresh_from_db()
    assert (first.basis, first.start_date, first.end_date) == ("ssi", date(2024, 1, 1), date(2025, 2, 28))
    assert (second.basis, second.end_date) == ("va_total", None)
    ended = AuditEvent.objects.get(action="update", object_type="clients.personfact", object_id=str(first.pk))
    assert ended.changes == {"end_date": [None, "2025-02-28"]} and [s.client_id for s in ended.subjects.all()] == [
        person.pk
    ]
    created = AuditEvent.objects.get(action="create", object_type="clients.personfact", object_id=str(second.pk))
    assert created.changes["basis"] == [None, "va_total"] and created.actor == caseworker


def test_facts_of_different_kinds_run_side_by_side(caseworker, person):
    _record(caseworker, person, kind="disability", basis="ssi", start_date=date(2024, 1, 1))
    _record(caseworker, person, kind="blindness", basis="ssi", start_date=date(2024, 1, 1))

    assert PersonFact.objects.filter(client=person, end_date__isnull=True).count() == 2


def test_a_new_fact_must_start_after_the_current_one(caseworker, person):
    _record(caseworker, person, kind="student", start_date=date(2025, 9, 1))

    with pytest.raises(Exception, match="a new one must start after it") as caught:
        _record(caseworker, person, kind="student", start_date=date(2025, 9, 1))
    assert "start_date" in caught.value.message_dict
    assert PersonFact.objects.filter(client=person).count() == 1


def test_a_new_fact_may_not_start_within_an_ended_one(caseworker, person):
    old = _record(caseworker, person, kind="student", start_date=date(2024, 9, 1))
    facts.person_fact_end(acting_user=caseworker, fact=old, end_date=date(2025, 5, 31))

    with pytest.raises(Exception, match="covers 2024-09-01 to 2025-05-31"):
        _record(caseworker, person, kind="student", start_date=date(2025, 5, 31))
    again = _record(caseworker, person, kind="student", start_date=date(2025, 6, 1))

    assert again.end_date is None and PersonFact.objects.filter(client=person).count() == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "disability", "start_date": date(2024, 1, 1)}, "basis", "Say what shows the disability"),
        ({"kind": "student", "basis": "ssi", "start_date": date(2024, 1, 1)}, "basis", "and only for those"),
        ({"kind": "homelessness", "start_date": date(2024, 1, 1)}, "pays_for_shelter", "pays anything"),
        (
            {"kind": "disability", "basis": "ssi", "student_exemption": "tanf", "start_date": date(2024, 1, 1)},
            "student_exemption",
            "only for a student",
        ),
        ({"kind": "disability", "basis": "ssi", "start_date": date(2025, 10, 16)}, "start_date", "already happened"),
        ({"kind": "disability", "basis": "ssi", "start_date": date(1979, 1, 1)}, "start_date", "date of birth"),
    ],
)
def test_a_fact_that_does_not_fit_its_kind_or_dates_is_refused_beside_its_field(
    caseworker, person, values, field, message
):
    with pytest.raises(Exception) as caught:
        _record(caseworker, person, **values)

    assert message in " ".join(caught.value.message_dict[field])
    assert not PersonFact.objects.exists()


def test_the_database_refuses_a_second_current_fact_and_a_basis_on_the_wrong_kind(caseworker, person):
    PersonFactFactory(client=person, recorded_by=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactFactory(client=person, recorded_by=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactFactory(client=person, kind="student", recorded_by=caseworker)


def test_constraint_messages_are_plain_words(caseworker, person):
    fact = PersonFact(client=person, kind="homelessness", start_date=date(2025, 1, 1), end_date=date(2024, 1, 1))
    with pytest.raises(Exception) as caught:
        fact.validate_constraints()
    messages = " ".join(caught.value.messages)
    assert "The end date cannot be before the start date." in messages
    assert "Say whether a homeless person pays anything for shelter" in messages


def test_ending_a_fact_keeps_it_and_refuses_to_end_it_twice(caseworker, person):
    fact = _record(caseworker, person, kind="homelessness", pays_for_shelter=True, start_date=date(2025, 5, 1))

    with pytest.raises(Exception, match="before the start date"):
        facts.person_fact_end(acting_user=caseworker, fact=fact, end_date=date(2025, 4, 30))
    facts.person_fact_end(acting_user=caseworker, fact=fact, end_date=date(2025, 9, 30))
    with pytest.raises(Exception, match="already ended on 2025-09-30"):
        facts.person_fact_end(acting_user=caseworker, fact=fact, end_date=date(2025, 10, 1))

    fact.refresh_from_db()
    assert fact.end_date == date(2025, 9, 30) and not fact.in_force_on(date(2025, 10, 1))


def test_verifying_records_who_and_when_and_unverifying_clears_it(caseworker, supervisor, person):
    fact = _record(caseworker, person, kind="disability", basis="medicaid", start_date=date(2025, 1, 1))
    assert fact.verified_by is None

    facts.person_fact_verify(acting_user=supervisor, fact=fact, verification="verified")
    fact.refresh_from_db()
    assert fact.verified_by == supervisor and fact.verified_at.isoformat().startswith("2025-10-15T15:00")

    facts.person_fact_verify(acting_user=caseworker, fact=fact, verification="discrepancy")
    fact.refresh_from_db()
    assert (fact.verification, fact.verified_by, fact.verified_at) == ("discrepancy", None, None)
    events = AuditEvent.objects.filter(action="update", object_type="clients.personfact", object_id=str(fact.pk))
    changes = [e.changes["verification"] for e in events.order_by("id")]
    assert changes == [["unverified", "verified"], ["verified", "discrepancy"]]


def test_a_merge_moves_facts_and_keeps_one_current_fact_of_a_kind(caseworker, supervisor, person):
    duplicate = ClientFactory(office=person.office, date_of_birth=person.date_of_birth)
    case_for(duplicate, caseworker)
    kept = PersonFactFactory(client=person, start_date=date(2025, 2, 1), recorded_by=caseworker)
    moved = PersonFactFactory(client=duplicate, start_date=date(2024, 6, 1), recorded_by=caseworker)

    client_merge(acting_user=supervisor, survivor=person, duplicate=duplicate, reason="Same person, typo in name")

    moved.refresh_from_db()
    kept.refresh_from_db()
    assert moved.client_id == person.pk and moved.end_date == date(2025, 1, 31)
    assert kept.end_date is None
    assert AuditEvent.objects.filter(
        actor=supervisor, object_id=str(moved.pk), changes__end_date=[None, "2025-01-31"]
    ).exists()


def test_a_merge_keeps_the_later_fact_current_whichever_record_has_it(caseworker, supervisor, person):
    duplicate = ClientFactory(office=person.office, date_of_birth=person.date_of_birth)
    case_for(duplicate, caseworker)
    older = PersonFactFactory(client=person, start_date=date(2024, 6, 1), recorded_by=caseworker)
    newer = PersonFactFactory(client=duplicate, start_date=date(2025, 2, 1), recorded_by=caseworker)

    client_merge(acting_user=supervisor, survivor=person, duplicate=duplicate, reason="Same person, typo in name")

    older.refresh_from_db()
    newer.refresh_from_db()
    assert newer.client_id == person.pk and newer.end_date is None
    assert older.end_date == date(2025, 1, 31)


# The overview page ------------------------------------------------------------------------


def test_a_caseworker_records_and_ends_a_fact_on_the_overview_and_sees_the_history(client, caseworker, person):
    client.force_login(caseworker)
    detail = reverse("clients:detail", args=[person.pk])
    assert "Record a fact" in client.get(detail).content.decode()

    response = client.post(
        reverse("clients:fact_add", args=[person.pk]),
        {"kind": "blindness", "basis": "social_security", "start_date": "2025-01-10", "note": "Award letter seen"},
    )
    assert response.status_code == 302 and response["Location"] == detail
    fact = PersonFact.objects.get(client=person)
    client.post(reverse("clients:fact_end", args=[fact.pk]), {"end_date": "2025-08-31"})
    client.post(
        reverse("clients:fact_add", args=[person.pk]),
        {"kind": "homelessness", "pays_for_shelter": "no", "start_date": "2025-09-01"},
    )

    page = client.get(detail).content.decode()
    assert "Blindness" in page and "2025-01-10" in page and "2025-08-31" in page and "Award letter seen" in page
    assert "Shelter is free" in page and page.count(">Current<") == 1
    assert AuditEvent.objects.filter(action="view", changes__page="overview", subjects__client_id=person.pk).exists()


def test_a_refused_fact_shows_the_services_error_beside_its_field(client, caseworker, person):
    client.force_login(caseworker)

    response = client.post(
        reverse("clients:fact_add", args=[person.pk]), {"kind": "disability", "start_date": "2025-01-10"}
    )

    assert response.status_code == 200
    assert "Say what shows the disability or blindness (a basis)" in response.content.decode()
    assert not PersonFact.objects.exists()


def test_an_auditor_and_a_caseworker_of_another_office_cannot_reach_or_add_facts(
    client, caseworker, other_caseworker, person
):
    PersonFactFactory(client=person, recorded_by=caseworker)
    auditor = UserFactory(username="reader", office=caseworker.office, roles=["auditor"])
    client.force_login(auditor)
    assert client.get(reverse("clients:detail", args=[person.pk])).status_code == 404  # sees clients by case only

    client.force_login(other_caseworker)
    response = client.post(
        reverse("clients:fact_add", args=[person.pk]), {"kind": "student", "start_date": "2025-01-10"}
    )
    assert response.status_code == 404
    assert PersonFact.objects.filter(client=person).count() == 1


def test_verifying_on_the_page_says_the_new_status(client, supervisor, person):
    fact = _record(supervisor, person, kind="disability", basis="ssi", start_date=date(2024, 1, 1))
    client.force_login(supervisor)

    response = client.post(reverse("clients:fact_verify", args=[fact.pk]), {"verification": "verified"}, follow=True)

    assert "Disability: verified." in response.content.decode()
