"""The access rows name the worker's team and its supervisor, and follow them when either changes:
a supervisor sees a restricted client of their team's worker, and stops seeing it when the worker
or the team moves on."""

import pytest

from accounts.models import CaseAccess
from clients.selectors import client_counts, clients_visible
from tests.factories import ClientFactory, TeamFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheltered(caseworker):
    """A restricted client on the caseworker's case: only the worker and their supervisor see them."""
    person = ClientFactory(office=caseworker.office, restricted=True)
    case_for(person, caseworker)
    return person


@pytest.fixture
def other_supervisor(north):
    boss = UserFactory(username="sup2", office=north, roles=["supervisor"])
    boss.team = TeamFactory(office=north, supervisor=boss, name="East wing")
    boss.save(update_fields=["team"])
    return boss


def rows(person):
    return set(CaseAccess.objects.filter(client_id=person.pk).values_list("team_id", "supervisor_id"))


def test_a_new_case_names_its_workers_team_and_supervisor(caseworker, supervisor, sheltered):
    assert rows(sheltered) == {(caseworker.team_id, supervisor.pk)}
    assert sheltered in clients_visible(user=supervisor)


def test_a_worker_moved_to_another_team_takes_their_cases_to_its_supervisor(
    caseworker, supervisor, other_supervisor, sheltered
):
    caseworker.team = other_supervisor.team
    caseworker.save()

    assert rows(sheltered) == {(other_supervisor.team_id, other_supervisor.pk)}
    assert sheltered in clients_visible(user=other_supervisor)
    assert sheltered not in clients_visible(user=supervisor)


def test_a_team_given_a_new_supervisor_hands_them_its_cases(caseworker, supervisor, other_supervisor, sheltered):
    team = caseworker.team
    team.supervisor = other_supervisor
    team.save()

    assert rows(sheltered) == {(team.pk, other_supervisor.pk)}
    assert sheltered in clients_visible(user=other_supervisor)
    assert sheltered not in clients_visible(user=supervisor)


def test_a_worker_taken_off_every_team_leaves_no_supervisor_on_their_cases(caseworker, supervisor, sheltered):
    caseworker.team = None
    caseworker.save(update_fields=["team"])

    assert rows(sheltered) == {(None, None)}
    assert sheltered not in clients_visible(user=supervisor)
    assert sheltered in clients_visible(user=caseworker)


def test_signing_in_rewrites_no_access_row(caseworker, sheltered, django_assert_num_queries):
    with django_assert_num_queries(1):
        caseworker.save(update_fields=["last_login"])


def test_a_closed_account_counts_no_clients_of_its_old_cases(caseworker, supervisor, sheltered):
    """The home page's figures (`own_client_scope`) follow the access rule: a deactivated worker's
    cases keep their rows, but the account reads nothing through them."""
    assert client_counts(user=caseworker)["clients"] == 1
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])
    assert client_counts(user=caseworker)["clients"] == 0
    assert client_counts(user=supervisor)["clients"] == 1
