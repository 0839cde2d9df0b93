"""What an office manager may read: their office's unrestricted clients and cases and its figures,
whatever the office's sharing setting; never a restricted client, another office, or any change;
and who is sent the monthly report."""

import pytest

from accounts import access
from accounts.models import User
from casework.models import Case
from clients.models import Client
from tests.factories import ClientFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_cases(caseworker):
    """An unrestricted case and a restricted one of the North office, both the caseworker's."""
    return case_for(ClientFactory(office=caseworker.office), caseworker), case_for(
        ClientFactory(office=caseworker.office, restricted=True), caseworker, restricted=True
    )


def seen(user) -> tuple[set[int], set[int]]:
    return (
        set(Client.objects.filter(access.client_scope(user)).values_list("pk", flat=True)),
        set(Case.objects.filter(access.case_scope(user)).values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("shares", [True, False])
def test_an_office_manager_reads_the_unrestricted_cases_of_their_office_only(
    office_manager, north_cases, other_caseworker, north, shares
):
    north.share_cases_in_office = shares
    north.save(update_fields=["share_cases_in_office"])
    office_manager.refresh_from_db()
    open_case, restricted_case = north_cases
    south_case = case_for(ClientFactory(office=other_caseworker.office), other_caseworker)

    clients, cases = seen(office_manager)

    assert clients == {open_case.primary_client_id}
    assert cases == {open_case.pk}
    assert restricted_case.pk not in cases and south_case.pk not in cases
    # Their own clients on the home page: none, they work no case.
    assert not Client.objects.filter(access.own_client_scope(office_manager)).exists()


def test_an_office_manager_without_an_office_or_signed_out_reads_nothing(north_cases):
    unbound = UserFactory(username="floating_manager", roles=["office_manager"])
    assert seen(unbound) == (set(), set())
    unbound.is_active = False
    assert seen(unbound) == (set(), set())


def test_an_office_manager_reads_figures_and_does_nothing_else(office_manager):
    assert access.may_read_dashboards(office_manager)
    assert access.may_manage_office(office_manager)
    for check in (
        access.may_work_cases,
        access.may_supervise,
        access.may_register_clients,
        access.may_edit_clients,
        access.may_verify_documents,
        access.may_reveal_identifier,
        access.may_merge_clients,
        access.may_print_mail,
        access.may_download_payment_files,
        access.may_see_payment_runs,
        access.may_see_agency_figures,
        access.may_read_audit_trail,
    ):
        assert not check(office_manager), check.__name__


def test_an_office_is_read_by_its_supervisors_and_managers_and_every_office_by_admins_and_auditors(
    office_manager, supervisor, caseworker, other_caseworker, admin_user, auditor, north, south
):
    allowed = {
        (user.username, office.code)
        for user in (office_manager, supervisor, caseworker, other_caseworker.team.supervisor, admin_user, auditor)
        for office in (north, south)
        if access.may_read_office_figures(user, office.pk)
    }
    assert allowed == {
        ("north_office_manager", "north"),
        ("sup", "north"),
        ("south_sup", "south"),
        ("boss", "north"),
        ("boss", "south"),
        ("checker", "north"),
        ("checker", "south"),
    }
    assert not access.may_read_office_figures(office_manager, None)
    assert not access.may_read_office_figures(admin_user, None)
    assert not access.may_manage_office(UserFactory(username="floating_manager", roles=["office_manager"]))
    assert not access.may_manage_office(supervisor)


def test_the_monthly_report_goes_to_each_offices_managers_and_the_administrators(
    office_manager, supervisor, caseworker, admin_user, auditor, south
):
    south_manager = UserFactory(username="south_manager", office=south, roles=["office_manager"])
    both = UserFactory(username="manager_and_admin", office=south, roles=["office_manager", "admin"])
    UserFactory(username="gone", office=south, roles=["office_manager"], is_active=False)
    UserFactory(username="floating_manager", roles=["office_manager"])

    recipients = User.objects.filter(access.monthly_report_recipient_scope()).distinct()

    assert set(recipients) == {office_manager, south_manager, both, admin_user}
