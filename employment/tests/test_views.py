"""The employment pages: who may open them, what they show, what they cost, and the audit of their reads."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from casework.selectors.attendance import participation_for
from employment import services
from tests.factories import ClientFactory, case_for
from tests.page_queries import assert_page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.fixture
def _frozen():
    with time_machine.travel(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False):
        yield


def _opening(worker):
    employer = services.employer_create(acting_user=worker, name="Harbour Grocers")
    return services.opening_create(
        acting_user=worker,
        employer=employer,
        title="Cashier",
        hourly_wage=Decimal("16.50"),
        weekly_hours=Decimal("30"),
        skills="customer service",
        closes_on=date(2026, 3, 31),
    )


def test_an_opening_shows_the_clients_who_fit_to_their_worker_only_and_the_read_is_audited(
    client, caseworker, other_caseworker, auditor
):
    opening = _opening(caseworker)
    person = ClientFactory(office=caseworker.office)
    case_for(person, caseworker)
    services.client_skills_add(acting_user=caseworker, client=person, skills="customer service")
    url = reverse("employment:opening_detail", args=[opening.pk])

    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 200 and person.display_name in response.content.decode()
    event = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.VIEW).latest("id")
    assert list(event.subjects.values_list("client_id", flat=True)) == [person.pk]

    client.force_login(other_caseworker)
    assert client.get(url).status_code == 404
    client.force_login(auditor)
    assert client.get(url).status_code == 403


@pytest.mark.usefixtures("warm_cache")
def test_the_opening_page_costs_the_same_with_few_and_many_matches(client, caseworker):
    opening = _opening(caseworker)
    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            person = ClientFactory(office=caseworker.office)
            case_for(person, caseworker)
            services.client_skills_add(acting_user=caseworker, client=person, skills="customer service")

    html = assert_page_queries(client, "opening", reverse("employment:opening_detail", args=[opening.pk]), add)
    assert html.count("<td>customer service</td>") == 50


def _session_with(worker, n: int):
    session = services.group_session_create(
        acting_user=worker, kind="job_club", title="Tuesday job club", held_on=date(2026, 3, 10), hours=Decimal("3")
    )
    entries = []
    for _ in range(n):
        person = ClientFactory(office=worker.office)
        entries.append(
            services.roster_add(acting_user=worker, session=session, case=case_for(person, worker), client=person)
        )
    return session, entries


def test_recording_a_sessions_attendance_on_its_page_reaches_each_persons_month(client, caseworker):
    session, entries = _session_with(caseworker, 2)
    url = reverse("employment:session_detail", args=[session.pk])
    client.force_login(caseworker)

    response = client.post(url, {f"hours-{entries[0].pk}": "3", f"hours-{entries[1].pk}": "25"})
    assert response.status_code == 400
    assert "A day has 24 hours" in response.content.decode()
    assert participation_for(case=entries[0].case, client=entries[0].client, year=2026, month=3).attended == 0

    response = client.post(url, {f"hours-{entries[0].pk}": "3", f"hours-{entries[1].pk}": "2"})
    assert response.status_code == 302
    attended = [participation_for(case=e.case, client=e.client, year=2026, month=3).attended for e in entries]
    assert attended == [Decimal("3"), Decimal("2")]


def test_a_session_of_another_office_is_not_found(client, caseworker, other_caseworker):
    session, _ = _session_with(caseworker, 1)
    client.force_login(other_caseworker)
    assert client.get(reverse("employment:session_detail", args=[session.pk])).status_code == 404


@pytest.mark.usefixtures("warm_cache")
def test_the_session_page_costs_the_same_with_few_and_many_on_the_roster(client, caseworker):
    session, _ = _session_with(caseworker, 0)
    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            person = ClientFactory(office=caseworker.office)
            services.roster_add(
                acting_user=caseworker, session=session, case=case_for(person, caseworker), client=person
            )

    html = assert_page_queries(client, "session", reverse("employment:session_detail", args=[session.pk]), add)
    assert html.count('inputmode="decimal"') == 50


def test_a_worker_refers_a_client_who_fits_from_the_opening_page(client, caseworker):
    opening = _opening(caseworker)
    person = ClientFactory(office=caseworker.office)
    case = case_for(person, caseworker)
    services.client_skills_add(acting_user=caseworker, client=person, skills="customer service")
    client.force_login(caseworker)
    response = client.post(
        reverse("employment:opening_refer", args=[opening.pk]), {"case": case.pk, "client": person.pk}, follow=True
    )
    assert f"{person.display_name} is referred to Cashier" in response.content.decode()
    assert opening.referrals.get().client == person


def test_a_placement_recorded_on_its_page_puts_retention_checks_on_the_workers_list(client, caseworker):
    from casework.models import Task

    opening = _opening(caseworker)
    person = ClientFactory(office=caseworker.office)
    case = case_for(person, caseworker)
    referral = services.job_referral_create(acting_user=caseworker, opening=opening, case=case, client=person)
    url = reverse("employment:placement_create", args=[referral.pk])
    client.force_login(caseworker)

    response = client.post(url, {"starts_on": "2026-03-16", "weekly_hours": "90"})
    assert response.status_code == 400
    assert "Weekly hours are more than 0 and at most 80." in response.content.decode()

    response = client.post(url, {"starts_on": "2026-03-16", "hourly_wage": "17.25"})
    assert response.status_code == 302
    assert referral.placement.hourly_wage == Decimal("17.25")
    assert Task.objects.filter(case=case, assignee=caseworker, title__startswith="30-day job retention").exists()


def test_an_opening_created_on_its_page_keeps_what_was_typed_when_refused(client, caseworker):
    employer = services.employer_create(acting_user=caseworker, name="Harbour Grocers")
    client.force_login(caseworker)
    data = {
        "employer": employer.pk,
        "title": "Stocker",
        "hourly_wage": "15.00",
        "weekly_hours": "20",
        "closes_on": "2026-03-01",
        "positions": "1",
    }
    response = client.post(reverse("employment:opening_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The closing date has passed." in html and 'value="Stocker"' in html
    data["closes_on"] = "2026-04-01"
    assert client.post(reverse("employment:opening_create"), data).status_code == 302


def test_a_worker_adds_an_employer_contact_and_logs_a_visit_on_the_employers_page(client, caseworker):
    employer = services.employer_create(acting_user=caseworker, name="Harbour Grocers")
    client.force_login(caseworker)
    page = reverse("employment:employer_detail", args=[employer.pk])

    added = client.post(
        reverse("employment:employer_contact_add", args=[employer.pk]),
        {"name": "Dana Whyte", "title": "Store manager", "phone": "709-555-0101", "email": ""},
    )
    assert added.status_code == 302 and added["Location"] == page
    contact = employer.contacts.get()
    logged = client.post(
        reverse("employment:development_contact_add", args=[employer.pk]),
        {"kind": "visit", "contacted_on": "2026-03-11", "contact": contact.pk, "summary": "Two cashier jobs in April."},
    )
    assert logged.status_code == 302

    html = client.get(page).content.decode()
    assert "Dana Whyte" in html and "Store manager" in html
    assert "2026-03-11" in html and "Two cashier jobs in April." in html and "Visit" in html
    assert AuditEvent.objects.filter(actor=caseworker, object_type="employment.developmentcontact").exists()
    assert AuditEvent.objects.filter(actor=caseworker, object_type="employment.employercontact").exists()


def test_a_contact_logged_for_tomorrow_is_sent_back_with_what_was_typed(client, caseworker):
    employer = services.employer_create(acting_user=caseworker, name="Harbour Grocers")
    client.force_login(caseworker)
    response = client.post(
        reverse("employment:development_contact_add", args=[employer.pk]),
        {"kind": "call", "contacted_on": "2026-03-13", "summary": "Called the manager."},
    )
    assert response.status_code == 400
    assert "not in the future" in response.content.decode() and "Called the manager." in response.content.decode()
    assert not employer.development_contacts.exists()


def test_an_employer_of_another_office_is_not_found_and_an_auditor_is_refused(
    client, caseworker, other_caseworker, auditor
):
    employer = services.employer_create(acting_user=caseworker, name="Harbour Grocers")
    client.force_login(other_caseworker)
    assert client.get(reverse("employment:employer_detail", args=[employer.pk])).status_code == 404
    refused = client.post(reverse("employment:employer_contact_add", args=[employer.pk]), {"name": "Someone"})
    assert refused.status_code == 404 and not employer.contacts.exists()
    assert "Harbour Grocers" not in client.get(reverse("employment:employer_list")).content.decode()
    client.force_login(auditor)
    assert client.get(reverse("employment:employer_list")).status_code == 403


@pytest.mark.usefixtures("warm_cache")
def test_the_employer_page_costs_the_same_with_few_and_many_contacts_and_log_entries(client, caseworker):
    employer = services.employer_create(acting_user=caseworker, name="Harbour Grocers")
    client.force_login(caseworker)

    def add(n):
        for i in range(n):
            contact = services.employer_contact_add(acting_user=caseworker, employer=employer, name=f"Contact {i}")
            services.development_contact_record(
                acting_user=caseworker, employer=employer, kind="call", contacted_on=date(2026, 3, 1),
                summary=f"Call number {i}", contact=contact,
            )  # fmt: skip

    html = assert_page_queries(client, "employer", reverse("employment:employer_detail", args=[employer.pk]), add)
    assert html.count("Call number") == 50


@pytest.mark.usefixtures("warm_cache")
def test_the_employer_list_costs_the_same_with_few_and_many_employers(client, caseworker):
    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            services.employer_create(acting_user=caseworker, name="Harbour Grocers")

    html = assert_page_queries(client, "employers", reverse("employment:employer_list"), add)
    assert html.count("Harbour Grocers") == 50
