"""The partner API: its schema, partner tokens and the access rule, audited reads, idempotent POSTs."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from api.services import partner_register
from audit.models import AuditEvent, AuditEventClient
from casework.models import CaseNote
from referrals.tests.helpers import consent_for, make_service, refer
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
ALL_SCOPES = "clients:read clients:write referrals:read referrals:write directory:read directory:write webhooks"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def token_for(credentials, scope: str = ALL_SCOPES) -> APIClient:
    application = credentials.application
    # As the token endpoint makes it for client credentials: no user, the application's account acts.
    token = AccessToken.objects.create(
        user=None,
        application=application,
        token=f"token-{application.pk}-{scope.replace(' ', '-')}"[:200],
        expires=timezone.now() + timedelta(hours=1),
        scope=scope,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return api


@pytest.fixture
def north_partner(north, admin_user):
    return partner_register(acting_user=admin_user, name="North 211 line", office=north)


def test_the_schema_lists_every_resource(client):
    response = client.get(reverse("v1:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in (
        "/api/v1/clients/",
        "/api/v1/clients/{id}/",
        "/api/v1/households/{id}/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/notes/",
        "/api/v1/tasks/",
        "/api/v1/enrollments/{id}/",
        "/api/v1/determinations/{id}/",
        "/api/v1/issuances/",
        "/api/v1/issuances/{id}/",
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/",
        "/api/v1/directory/services/",
        "/api/v1/directory/organizations/",
        "/api/v1/webhooks/",
    ):
        assert resource in paths, resource
    assert set(paths["/api/v1/referrals/{id}/"]) >= {"get", "patch"}
    assert "post" in paths["/api/v1/clients/"]


def test_the_reference_page_loads_its_scripts_from_this_site(client):
    response = client.get(reverse("v1:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    # The CSP allows scripts from this site only: every script is a file, none is written in the page.
    assert "<script>" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get(reverse("v1:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    redoc = client.get(reverse("v1:redoc")).content.decode()
    assert "<script>" not in redoc and "/static/drf_spectacular_sidecar/redoc/" in redoc


def test_a_partner_bound_to_north_reads_a_north_client_and_the_read_is_audited(
    north_partner, caseworker, north, other_caseworker, south
):
    mine = ClientFactory(office=north, first_name="Ada")
    case_for(mine, caseworker)
    api = token_for(north_partner)
    response = api.get(reverse("v1:client-detail", args=[mine.pk]))
    assert response.status_code == 200
    assert response.json()["first_name"] == "Ada"
    event = AuditEvent.objects.filter(actor=north_partner.application.user, action=AuditEvent.Action.VIEW).get()
    assert list(AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True)) == [mine.pk]


def test_a_partner_bound_to_north_gets_404_for_a_south_client(north_partner, other_caseworker, south):
    theirs = ClientFactory(office=south)
    case_for(theirs, other_caseworker)
    api = token_for(north_partner)
    assert api.get(reverse("v1:client-detail", args=[theirs.pk])).status_code == 404
    listed = api.get(reverse("v1:client-list")).json()["results"]
    assert theirs.pk not in [c["id"] for c in listed]


def test_a_partner_does_not_see_a_restricted_north_client(north_partner, caseworker, north):
    hidden = ClientFactory(office=north, restricted=True)
    case_for(hidden, caseworker, restricted=True)
    assert token_for(north_partner).get(reverse("v1:client-detail", args=[hidden.pk])).status_code == 404


def test_a_token_without_the_scope_is_refused(north_partner, caseworker, north):
    mine = ClientFactory(office=north)
    case_for(mine, caseworker)
    api = token_for(north_partner, scope="directory:read")
    assert api.get(reverse("v1:client-detail", args=[mine.pk])).status_code == 403


def test_a_read_only_partner_cannot_register_a_client(north_partner):
    api = token_for(north_partner)
    response = api.post(
        reverse("v1:client-list"),
        {"first_name": "Bo", "last_name": "Lind", "date_of_birth": "1980-01-02"},
        format="json",
    )
    assert response.status_code == 403
    assert "caseworkers and supervisors" in response.json()["detail"]


def test_the_same_note_posted_twice_with_one_key_is_written_once(caseworker, north):
    case = case_for(ClientFactory(office=north), caseworker)
    api = APIClient()
    api.force_authenticate(caseworker)
    body = {"kind": "phone_call", "contact_at": "2026-11-16T09:00:00Z", "body": "Called about the rent arrears."}
    url = reverse("v1:case-notes", args=[case.pk])
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="note-1")
    second = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="note-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert CaseNote.objects.filter(case=case).count() == 1
    other = api.post(url, {**body, "body": "Something else"}, format="json", HTTP_IDEMPOTENCY_KEY="note-1")
    assert other.status_code == 400
    assert "already sent with other details" in str(other.json())


def test_the_same_client_registered_twice_with_one_key_is_one_client(caseworker, north):
    api = APIClient()
    api.force_authenticate(caseworker)
    body = {"first_name": "Bo", "last_name": "Lind", "date_of_birth": "1980-01-02"}
    first = api.post(reverse("v1:client-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = api.post(reverse("v1:client-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_the_directory_speaks_hsds(caseworker):
    service = make_service(capacity_available=3, capacity_maximum=40, capacity_unit="Bed")
    api = APIClient()
    api.force_authenticate(caseworker)
    found = api.get(reverse("v1:hsds-service-detail", args=[service.hsds_id])).json()
    assert found["id"] == service.hsds_id
    assert found["organization"]["name"] == "Riverton Food Bank"
    assert found["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Riverton"
    assert found["capacities"][0]["available"] == 3


def test_an_organization_accepts_and_reports_through_its_system(caseworker, north, admin_user):
    service = make_service()
    client = ClientFactory(office=north)
    case = case_for(client, caseworker)
    consent_for(client, caseworker)
    referral = refer(caseworker, case, service)
    org_system = partner_register(acting_user=admin_user, name="Food bank CRM", organization=service.organization)
    api = token_for(org_system)
    url = reverse("v1:referral-detail", args=[referral.pk])
    seen = api.get(url).json()
    assert seen["client_name"] == client.full_name
    assert api.patch(url, {"status": "accepted"}, format="json").status_code == 200
    assert api.patch(url, {"status": "completed"}, format="json").json()["status"] == "completed"
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert referral.partner_responded_at == NOW


def test_an_organization_system_sees_no_client_by_the_access_rule(caseworker, north, admin_user):
    service = make_service()
    client = ClientFactory(office=north)
    case_for(client, caseworker)
    org_system = partner_register(acting_user=admin_user, name="Food bank CRM", organization=service.organization)
    assert token_for(org_system).get(reverse("v1:client-detail", args=[client.pk])).status_code == 404


@pytest.mark.parametrize("endpoint", ["v1:client-list", "v1:case-list", "v1:referral-list", "v1:hsds-service-list"])
def test_a_list_costs_the_same_for_2_and_12_rows(endpoint, caseworker, north, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(caseworker)
    service = make_service()

    def add(n):
        for _ in range(n):
            client = ClientFactory(office=north)
            refer(caseworker, case_for(client, caseworker), service, shared=())
            make_service(f"Service {client.pk}", organization=f"Org {client.pk}")

    add(2)
    with django_assert_max_num_queries(10) as small:
        assert api.get(reverse(endpoint)).status_code == 200
    add(10)
    with django_assert_max_num_queries(10) as large:
        assert len(api.get(reverse(endpoint)).json()["results"]) >= 12
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_partner_gets_a_token_with_its_client_credentials(north_partner, caseworker, north):
    mine = ClientFactory(office=north)
    case_for(mine, caseworker)
    api = APIClient()
    response = api.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", "scope": "clients:read"},
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{north_partner.client_id}:{north_partner.client_secret}".encode()).decode(),
    )
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(reverse("v1:client-detail", args=[mine.pk])).status_code == 200
    assert api.get(reverse("v1:referral-list")).status_code == 403  # not in its scopes


def test_a_wrong_secret_gets_no_token(north_partner):
    response = APIClient().post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{north_partner.client_id}:wrong".encode()).decode(),
    )
    assert response.status_code == 401


def test_staff_on_a_session_need_the_csrf_token_to_post(caseworker, north):
    case = case_for(ClientFactory(office=north), caseworker)
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(caseworker)
    url = reverse("v1:case-notes", args=[case.pk])
    response = api.post(url, {"kind": "phone_call", "contact_at": "2026-11-16T09:00:00Z", "body": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_each_partner_system_has_its_own_rate(north_partner, north, admin_user, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    from api.throttling import PerClient

    monkeypatch.setattr(PerClient, "THROTTLE_RATES", {"client": "2/minute"})
    monkeypatch.setattr(PerClient, "cache", LocMemCache("throttle-test", {}))
    other = partner_register(acting_user=admin_user, name="North state system", office=north)
    first, second = token_for(north_partner), token_for(other)
    url = reverse("v1:case-list")
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url).status_code == 200


def test_an_organization_declines_or_proposes_through_its_system_as_through_its_link(caseworker, north, admin_user):
    service = make_service()
    client = ClientFactory(office=north)
    case = case_for(client, caseworker)
    consent_for(client, caseworker)
    first, second = refer(caseworker, case, service), refer(caseworker, case, service)
    api = token_for(partner_register(acting_user=admin_user, name="Food bank CRM", organization=service.organization))
    declined = api.patch(
        reverse("v1:referral-detail", args=[first.pk]),
        {"status": "declined", "declined_reason": "out_of_area", "reason": "We serve the east side."},
        format="json",
    )
    assert declined.status_code == 200
    first.refresh_from_db()
    assert (first.status, first.declined_reason) == ("declined", "out_of_area")
    url = reverse("v1:referral-detail", args=[second.pk])
    assert api.patch(url, {"status": "withdrawn"}, format="json").status_code == 400
    proposed = api.patch(url, {"status": "accepted", "first_appointment_at": "2026-11-20T10:00:00Z"}, format="json")
    assert proposed.status_code == 200
    second.refresh_from_db()
    assert (second.status, second.first_appointment_at) == ("accepted", datetime(2026, 11, 20, 10, tzinfo=UTC))


def test_a_partner_systems_account_is_made_like_any_account_and_its_making_audited(north, admin_user):
    office_system = partner_register(
        acting_user=admin_user, name="North 211 line", office=north, roles=("caseworker",)
    ).application.user
    org_system = partner_register(
        acting_user=admin_user, name="Food bank CRM", organization=make_service().organization
    ).application.user
    for account, roles in ((office_system, ["caseworker", "partner"]), (org_system, ["partner"])):
        assert not account.has_usable_password()
        assert sorted(account.groups.values_list("name", flat=True)) == roles
        made = AuditEvent.objects.get(object_type="accounts.user", object_id=str(account.pk), action="create")
        assert made.actor == admin_user
        assert made.changes["roles"] == [None, roles]
