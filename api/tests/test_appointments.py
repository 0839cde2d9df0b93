"""The appointments resource: partners read the appointments of the clients they may see (audited,
404 across offices), ask for one through casework's booking service, and hear of bookings,
reschedulings and cancellations by webhook."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import WebhookSubscription
from api.services import partner_register
from api.tests.test_api import token_for
from audit.models import AuditEvent, AuditEventClient
from casework.models import Appointment
from casework.services.appointments import appointment_book, appointment_mark, appointment_reschedule
from core.models import OutboxJob
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def north_partner(north, admin_user):
    return partner_register(acting_user=admin_user, name="North 211 line", office=north, roles=("caseworker",))


def book(worker, case, *, hours: int = 0) -> Appointment:
    starts = TOMORROW + timedelta(hours=hours)
    return appointment_book(
        acting_user=worker,
        case=case,
        client=case.primary_client,
        worker=worker,
        kind=Appointment.Kind.OFFICE_VISIT,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        place="North office, room 2",
    )


def test_the_schema_lists_the_appointments_resource(client):
    paths = client.get(reverse("v1:schema"), {"format": "json"}).json()["paths"]
    assert set(paths["/api/v1/appointments/"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/appointments/{id}/"]


def test_a_north_partner_reads_north_appointments_audited_and_gets_404_for_south_ones(
    north_partner, caseworker, north, other_caseworker, south
):
    mine = book(caseworker, case_for(ClientFactory(office=north), caseworker))
    theirs = book(other_caseworker, case_for(ClientFactory(office=south), other_caseworker))
    api = token_for(north_partner)
    seen = api.get(reverse("v1:appointment-detail", args=[mine.pk]))
    assert seen.status_code == 200
    assert seen.json()["starts_at"].startswith("2026-11-17T")
    event = AuditEvent.objects.filter(actor=north_partner.application.user, action=AuditEvent.Action.VIEW).get()
    assert list(AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True)) == [mine.client_id]
    assert api.get(reverse("v1:appointment-detail", args=[theirs.pk])).status_code == 404
    listed = [a["id"] for a in api.get(reverse("v1:appointment-list")).json()["results"]]
    assert listed == [mine.pk]


def test_the_appointment_list_costs_the_same_for_2_and_12_rows(caseworker, north, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(caseworker)

    def add(n):
        for _ in range(n):
            book(caseworker, case_for(ClientFactory(office=north), caseworker), hours=Appointment.objects.count())

    add(2)
    with django_assert_max_num_queries(10) as small:
        assert len(api.get(reverse("v1:appointment-list")).json()["results"]) == 2
    add(10)
    with django_assert_max_num_queries(10) as large:
        assert len(api.get(reverse("v1:appointment-list")).json()["results"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_partner_asks_for_an_appointment_once_with_one_key(north_partner, caseworker, north):
    case = case_for(ClientFactory(office=north), caseworker)
    api = token_for(north_partner)
    body = {
        "case": case.pk,
        "client": case.primary_client_id,
        "kind": "office_visit",
        "starts_at": "2026-11-18T09:00:00Z",
        "ends_at": "2026-11-18T09:30:00Z",
    }
    first = api.post(reverse("v1:appointment-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    again = api.post(reverse("v1:appointment-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    assert first.status_code == again.status_code == 201, first.content
    booked = Appointment.objects.get(case=case)
    assert first.json()["id"] == again.json()["id"] == booked.pk
    assert (booked.worker, booked.created_by) == (caseworker, north_partner.application.user)
    clash = api.post(reverse("v1:appointment-list"), {**body, "ends_at": "2026-11-18T10:00:00Z"}, format="json")
    assert clash.status_code == 400 and "already has an appointment" in str(clash.json())


def test_no_appointment_is_asked_for_on_another_offices_case(north_partner, other_caseworker, south):
    case = case_for(ClientFactory(office=south), other_caseworker)
    body = {
        "case": case.pk,
        "client": case.primary_client_id,
        "kind": "office_visit",
        "starts_at": "2026-11-18T09:00:00Z",
        "ends_at": "2026-11-18T09:30:00Z",
    }
    assert token_for(north_partner).post(reverse("v1:appointment-list"), body, format="json").status_code == 404
    assert not Appointment.objects.filter(case=case).exists()


def test_a_read_only_partner_may_not_book(north, admin_user, caseworker):
    reader = partner_register(acting_user=admin_user, name="North reader", office=north)
    case = case_for(ClientFactory(office=north), caseworker)
    body = {
        "case": case.pk,
        "client": case.primary_client_id,
        "kind": "office_visit",
        "starts_at": "2026-11-18T09:00:00Z",
        "ends_at": "2026-11-18T09:30:00Z",
    }
    assert token_for(reader).post(reverse("v1:appointment-list"), body, format="json").status_code == 403


def test_booked_rescheduled_and_cancelled_are_each_sent_once_to_the_offices_subscribers(
    north_partner, caseworker, north, admin_user, south
):
    WebhookSubscription.objects.create(application=north_partner.application, url="https://partner.example/hook")
    elsewhere = partner_register(acting_user=admin_user, name="South line", office=south)
    WebhookSubscription.objects.create(application=elsewhere.application, url="https://south.example/hook")
    case = case_for(ClientFactory(office=north), caseworker)
    first = book(caseworker, case)
    moved = appointment_reschedule(
        acting_user=caseworker,
        appointment=first,
        starts_at=TOMORROW + timedelta(days=1),
        ends_at=TOMORROW + timedelta(days=1, minutes=45),
        reason="The client starts work that morning.",
    )
    appointment_mark(acting_user=caseworker, appointment=moved, to=Appointment.Status.CANCELLED, reason="Moved away")
    jobs = list(OutboxJob.objects.filter(task="api.tasks.webhook_deliver").order_by("id"))
    assert [(j.kwargs["event"], j.kwargs["body"]["appointment"]["id"]) for j in jobs] == [
        ("appointment.booked", first.pk),
        ("appointment.rescheduled", moved.pk),
        ("appointment.cancelled", moved.pk),
    ]
    assert {j.kwargs["subscription_id"] for j in jobs} == {north_partner.application.webhooks.get().pk}
    assert jobs[1].kwargs["body"]["appointment"]["rescheduled_from"] == first.pk
    assert "client" not in jobs[0].kwargs["body"]["appointment"]
