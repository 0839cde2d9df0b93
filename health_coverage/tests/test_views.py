"""The coverage pages: restricted coverage beside the drug card, and the officer's list by status and age."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from assistance.models import AuthorityLimit, Issuance
from assistance.tests.helpers import client_case, income_support, request
from audit.models import AuditEvent
from health_coverage import services
from health_coverage.models import CoverageRestriction

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def drug_card(caseworker):
    AuthorityLimit.objects.create(
        role=Role.CASEWORKER, kind=Issuance.Kind.DRUG_CARD, effective_from=date(2025, 1, 1), per_issuance=Decimal("500")
    )
    client, case = client_case(caseworker)
    card = request(caseworker, case, kind=Issuance.Kind.DRUG_CARD, amount="120.00", payee_name="Water St. Pharmacy")
    services.coverage_restriction_record(
        acting_user=caseworker, case=case, client=client, kind=CoverageRestriction.Kind.PHARMACY,
        provider="Water St. Pharmacy", reason="Early refills from several pharmacies",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    return card


def test_restricted_coverage_shows_with_the_drug_card(client, caseworker, drug_card):
    client.force_login(caseworker)
    expected = "Restricted coverage: one pharmacy, Water St. Pharmacy, 2026-01-01 to 2026-12-31."
    detail = client.get(reverse("assistance:issuance_detail", args=[drug_card.pk])).content.decode()
    assert expected in detail and "Early refills from several pharmacies" in detail
    tab = client.get(reverse("assistance:case_issuances", args=[drug_card.case_id])).content.decode()
    assert expected in tab


def test_a_restriction_that_has_ended_is_not_shown(client, caseworker, drug_card):
    client.force_login(caseworker)
    with time_machine.travel(datetime(2027, 1, 5, 16, 0, tzinfo=UTC), tick=False):
        detail = client.get(reverse("assistance:issuance_detail", args=[drug_card.pk])).content.decode()
    assert "Restricted coverage" not in detail


def _requests(worker, n: int) -> None:
    for i in range(n):
        _, case = client_case(worker)
        services.special_authorization_receive(
            acting_user=worker, case=case, client=case.primary_client, drug=f"Drug {i}", prescriber="Dr. Kelly",
            criteria_claimed="Criteria met", received_on=date(2026, 2, 1 + i),
        )  # fmt: skip


def test_the_officers_list_shows_requests_by_age_and_records_the_read(client, caseworker):
    _requests(caseworker, 2)
    client.force_login(caseworker)
    html = client.get(reverse("coverage:special_authorizations")).content.decode()
    assert html.index("Drug 0") < html.index("Drug 1")
    assert '<td class="text-end">29</td>' in html  # received 1 February, seen 2 March
    read = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_repr="special authorization requests")
    assert read.get().subjects.count() == 2


def test_the_list_shows_nothing_to_a_worker_of_another_office_and_is_refused_to_an_auditor(
    client, caseworker, other_caseworker, auditor
):
    _requests(caseworker, 1)
    client.force_login(other_caseworker)
    assert "Drug 0" not in client.get(reverse("coverage:special_authorizations")).content.decode()
    client.force_login(auditor)
    assert client.get(reverse("coverage:special_authorizations")).status_code == 403


#: As the other lists: sign-in, session and permissions take 9 queries, the read event 4; the list
#: itself 3 (special authorizations: count, rows, the status counts) or 2 (claims: count, rows).
CEILING = 16


@pytest.mark.parametrize("name", ["coverage:special_authorizations", "coverage:claims"])
def test_the_lists_cost_the_same_for_few_and_many_rows(client, caseworker, django_assert_max_num_queries, name):
    client.force_login(caseworker)
    _requests(caseworker, 2)
    _claims(caseworker, 2)
    client.get(reverse(name) + "?status=")  # warm up: content types, permissions, session
    with django_assert_max_num_queries(CEILING) as few:
        assert client.get(reverse(name) + "?status=").status_code == 200
    _requests(caseworker, 10)
    _claims(caseworker, 10)
    with django_assert_max_num_queries(CEILING) as many:
        html = client.get(reverse(name) + "?status=").content.decode()
    assert len(many) == len(few)
    assert html.count("<tr><td>") == 12


def _claims(worker, n: int) -> None:
    for i in range(n):
        client, case = client_case(worker, enrolled=True)
        services.claim_receive(
            acting_user=worker, case=case, client=client, program=income_support(), service=f"Care {i}",
            province="NS", provider="Halifax Infirmary", service_date=date(2026, 1, 14), amount_claimed="100",
        )  # fmt: skip


def test_the_officer_records_a_request_on_the_case_and_approves_it_from_its_page(client, caseworker):
    from correspondence.models import Correspondence
    from health_coverage.models import SpecialAuthorization

    _, case = client_case(caseworker)
    client.force_login(caseworker)
    response = client.post(
        reverse("coverage:special_authorization_new", args=[case.pk]),
        {"drug": "Apixaban 5 mg", "prescriber": "Dr. Penney", "criteria_claimed": "Warfarin not tolerated",
         "received_on": "2026-02-27"},
    )  # fmt: skip
    sa = SpecialAuthorization.objects.get(case=case)
    assert response.url == reverse("coverage:special_authorization_detail", args=[sa.pk])
    page = reverse("coverage:special_authorization_detail", args=[sa.pk])
    client.post(page, {"action": "review"})
    refused = client.post(page, {"action": "approve", "reasons": "Criteria met", "approved_from": "2026-03-02"})
    assert refused.status_code == 400
    assert "An approval needs the first and last day it covers." in refused.content.decode()
    client.post(
        page,
        {"action": "approve", "reasons": "Criteria met", "approved_from": "2026-03-02", "approved_until": "2027-03-01"},
    )
    sa.refresh_from_db()
    assert sa.status == SpecialAuthorization.Status.APPROVED
    assert Correspondence.objects.filter(client=case.primary_client, template_code="special_authorization_approved")
    html = client.get(reverse("coverage:case_coverage", args=[case.pk])).content.decode()
    assert "Apixaban 5 mg" in html and "2026-03-02 to 2027-03-01" in html


def test_a_request_of_another_office_is_not_found(client, caseworker, other_caseworker):
    _requests(caseworker, 1)
    from health_coverage.models import SpecialAuthorization

    sa = SpecialAuthorization.objects.get()
    client.force_login(other_caseworker)
    assert client.get(reverse("coverage:special_authorization_detail", args=[sa.pk])).status_code == 404
    assert client.get(reverse("coverage:case_coverage", args=[sa.case_id])).status_code == 404


def test_the_case_coverage_page_costs_the_same_for_few_and_many_records(
    client, caseworker, django_assert_max_num_queries
):
    _, case = client_case(caseworker, enrolled=True)

    def add(n):
        for i in range(n):
            services.special_authorization_receive(
                acting_user=caseworker, case=case, client=case.primary_client, drug=f"Drug {i}",
                prescriber="Dr. Kelly", criteria_claimed="Criteria met", received_on=date(2026, 2, 1),
            )  # fmt: skip
            services.claim_receive(
                acting_user=caseworker, case=case, client=case.primary_client, program=income_support(),
                service=f"Care {i}", province="NS", provider="Infirmary", service_date=date(2026, 1, 14),
                amount_claimed="100",
            )  # fmt: skip

    client.force_login(caseworker)
    url = reverse("coverage:case_coverage", args=[case.pk])
    add(2)
    client.get(url)
    # 15 as every case tab (sign-in, session, permissions, the case, its read event); 6 its own:
    # the requests, restrictions, claims, decisions, travel, and the documents the form offers.
    with django_assert_max_num_queries(21) as few:
        assert client.get(url).status_code == 200
    add(10)
    with django_assert_max_num_queries(21) as many:
        client.get(url)
    assert len(many) == len(few)
