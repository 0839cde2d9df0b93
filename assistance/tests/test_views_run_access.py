"""Whose payments a payment run shows: a supervisor their own clients', finance the agency's, nobody else any."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance.models import PaymentRun
from assistance.services.runs import payment_run_inline, payment_run_start
from assistance.tests.test_payment_run import active
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(north):
    """An office manager: a supervisor in North who leads no team of these workers."""
    return UserFactory(username="north.manager", office=north, roles=["supervisor"])


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", roles=["finance"])


@pytest.fixture
def payees(caseworker, other_caseworker):
    """Enrollments paid in March 2026: two North clients (one restricted) and one South client."""
    return {
        "north": active(caseworker, amount="80.00", first_name="Nora", last_name="Northam").case.primary_client,
        "restricted": active(
            caseworker, amount="90.00", first_name="Rhea", last_name="Hidden", case_restricted=True
        ).case.primary_client,
        "south": active(other_caseworker, amount="70.00", first_name="Sol", last_name="Southby").case.primary_client,
    }


@pytest.fixture
def run(payees):
    return payment_run_inline(period=date(2026, 3, 1))


def payees_in(response) -> set[str]:
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    return {row["payee"] for row in rows}


def download(client, user, run):
    client.force_login(user)
    return client.get(reverse("assistance:run_file", args=[run.pk]))


def test_a_north_supervisor_gets_only_the_payments_of_clients_they_may_see(client, supervisor, payees, run):
    response = download(client, supervisor, run)

    assert response.status_code == 200
    assert payees_in(response) == {"Nora Northam", "Rhea Hidden"}
    assert b"Southby" not in response.content


def test_the_office_manager_gets_neither_the_south_nor_a_restricted_client(client, manager, payees, run):
    response = download(client, manager, run)

    assert response.status_code == 200
    assert payees_in(response) == {"Nora Northam"}


def test_finance_gets_the_agency_wide_file(client, finance, payees, run):
    response = download(client, finance, run)

    assert response.status_code == 200
    assert payees_in(response) == {"Nora Northam", "Rhea Hidden", "Sol Southby"}


@pytest.mark.parametrize("persona", ["admin", "caseworker", "other_caseworker", "auditor"])
def test_an_administrator_without_break_glass_and_workers_are_refused_the_file(client, personas, run, persona):
    response = download(client, personas[persona], run)

    assert response.status_code in (403, 404)
    assert b"Northam" not in response.content and b"Southby" not in response.content
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


@pytest.mark.parametrize(
    ("persona", "named"),
    [("supervisor", {"north", "restricted"}), ("manager", {"north"}), ("finance", {"north", "restricted", "south"})],
)
def test_each_download_is_audited_with_the_clients_in_the_file(
    client, personas, manager, finance, payees, run, persona, named
):
    user = {"manager": manager, "finance": finance}.get(persona) or personas[persona]

    download(client, user, run)
    download(client, user, run)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(run.pk), actor=user)
    assert events.count() == 2
    for event in events:
        assert set(event.subjects.values_list("client_id", flat=True)) == {payees[key].pk for key in named}


def test_the_report_lists_only_the_unpaid_cases_the_reader_may_open(
    client, supervisor, finance, admin_user, payees, run
):
    late = payment_run_inline(period=date(2026, 10, 1))  # every certification has ended
    south_case = payees["south"].primary_cases.get().number
    north_case = payees["north"].primary_cases.get().number
    url = reverse("assistance:run_detail", args=[late.pk])

    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert north_case in page and south_case not in page
    for user in (finance, admin_user):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Not paid (3)" in page
        assert north_case not in page and south_case not in page


def test_the_file_button_is_offered_only_to_those_who_may_download(client, admin_user, finance, run):
    url = reverse("assistance:run_detail", args=[run.pk])
    client.force_login(admin_user)
    assert "payments.csv" not in client.get(url).content.decode()
    client.force_login(finance)
    assert "payments.csv" in client.get(url).content.decode()


def test_the_runs_are_refused_to_staff_without_the_admin_role_and_to_the_admin_role_without_staff(client, run):
    """An administrator is staff with the admin role (`access.may_see_payment_runs`): either alone reads no run."""
    staff_only = UserFactory(username="desk", roles=[], is_staff=True)
    admin_not_staff = UserFactory(username="boss_not_staff", roles=["admin"], is_staff=False)
    for user in (staff_only, admin_not_staff):
        client.force_login(user)
        assert client.get(reverse("assistance:run_list")).status_code == 403, user
        assert client.get(reverse("assistance:run_detail", args=[run.pk])).status_code == 403, user
    client.force_login(UserFactory(username="boss_staff", roles=["admin"], is_staff=True))
    assert client.get(reverse("assistance:run_detail", args=[run.pk])).status_code == 200


def test_supervisors_and_administrators_start_a_run_and_nobody_else(
    supervisor, caseworker, admin_user, finance, office_manager, north
):
    closed = UserFactory(username="closed_sup", office=north, roles=["supervisor"], is_active=False)
    admin_not_staff = UserFactory(username="admin_not_staff", roles=["admin"], is_staff=False)
    for user in (caseworker, finance, office_manager, admin_not_staff, closed):
        with pytest.raises(ValidationError) as refused:
            payment_run_start(acting_user=user, period=date(2026, 4, 1))
        assert refused.value.messages == ["Only supervisors and administrators start a payment run."]
    assert not PaymentRun.objects.exists()

    assert payment_run_start(acting_user=supervisor, period=date(2026, 4, 1)).started_by == supervisor
    assert payment_run_start(acting_user=admin_user, period=date(2026, 5, 1)).started_by == admin_user
