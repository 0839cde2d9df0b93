"""Who holds each permission, role by role: the menus, the buttons and the pages all ask through
these (`accounts.rules`, deciding with `accounts.access`). A role not named for a permission is
refused it; a closed account holds none."""

import pytest

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

C, S, A, AU, F, P, H, R, M = (
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.ADMIN,
    Role.AUDITOR,
    Role.FINANCE,
    Role.PARTNER,
    Role.HEARING_OFFICER,
    Role.REVIEWER,
    Role.OFFICE_MANAGER,
)

HOLDERS = {
    "clients.register_client": {C, S},
    "clients.edit_client": {C, S, A},
    "clients.reveal_identifier": {S, A},
    "clients.merge_clients": {S},
    "clients.break_glass": {A},
    "clients.verify_document": {C, S},
    "audit.read_trail": {AU, A},
    "casework.work_cases": {C, S},
    "casework.supervise": {S},
    "correspondence.print_mail": {S, A},
    "casework.read_inquiry_statistics": {C, S, AU},
    "assistance.see_payment_runs": {S, F, A},
    "assistance.download_payment_file": {S, F},
    "assistance.read_agency_payments": {F},
    "reports.read_dashboards": {S, M, A, AU},
    "quality.review": {R},
    "reports.manage_office": {M},
}


@pytest.fixture
def people(north):
    """One account of each role, in the North office (an administrator is staff)."""
    return {role: UserFactory(username=f"only_{role}", office=north, roles=[role], is_staff=role == A) for role in Role}


@pytest.mark.parametrize("permission", sorted(HOLDERS))
def test_each_permission_is_held_by_its_roles_and_no_other(people, permission):
    holders = {role for role, user in people.items() if user.has_perm(permission)}
    assert holders == HOLDERS[permission]


def test_a_closed_account_holds_no_permission(north):
    gone = UserFactory(username="gone", office=north, roles=list(Role), is_staff=True, is_active=False)
    assert [permission for permission in HOLDERS if gone.has_perm(permission)] == []


def test_the_payment_runs_are_for_an_administrator_who_is_staff(north):
    admin = UserFactory(username="admin_not_staff", roles=[A], is_staff=False)
    assert not admin.has_perm("assistance.see_payment_runs")


def test_an_office_manager_without_an_office_manages_none(north):
    assert not UserFactory(username="manager_nowhere", roles=[M]).has_perm("reports.manage_office")
