"""The access filters themselves (`client_scope`, `case_scope`): whose break-glass grant opens
what and for how long, a supervisor's own cases, and a restricted client kept from colleagues even
where a case's access rows have not yet caught up with the client's flag."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.access import case_scope, client_scope
from accounts.models import BreakGlassGrant, CaseAccess
from casework.models import Case
from clients.models import Client
from tests.factories import ClientFactory, UserFactory, case_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)]


def clients_seen(user) -> set[int]:
    return set(Client.objects.filter(client_scope(user)).values_list("pk", flat=True))


def cases_seen(user) -> set[int]:
    return set(Case.objects.filter(case_scope(user)).values_list("pk", flat=True))


def grant(admin, client, *, hours: int = 4) -> BreakGlassGrant:
    """`admin`'s grant to `client`, running out `hours` from now (negative: already run out)."""
    expires_at = timezone.now() + timedelta(hours=hours)
    return BreakGlassGrant.objects.create(user=admin, client_id=client.pk, reason="Court order", expires_at=expires_at)


@pytest.fixture
def sheltered(caseworker):
    """A restricted client on the caseworker's case, and the case."""
    person = ClientFactory(office=caseworker.office, restricted=True)
    return person, case_for(person, caseworker)


@pytest.fixture
def other_sheltered(caseworker):
    person = ClientFactory(office=caseworker.office, restricted=True)
    return person, case_for(person, caseworker)


def test_a_break_glass_grant_opens_its_client_and_their_case_to_its_administrator_only(
    admin_user, sheltered, other_sheltered
):
    person, case = sheltered
    colleague = UserFactory(username="second_admin", roles=["admin"], is_staff=True)
    grant(admin_user, person)

    assert clients_seen(admin_user) == {person.pk}
    assert cases_seen(admin_user) == {case.pk}
    assert clients_seen(colleague) == set()
    assert cases_seen(colleague) == set()


def test_a_break_glass_grant_that_has_run_out_opens_nothing(admin_user, sheltered):
    person, _case = sheltered
    grant(admin_user, person, hours=-1)
    assert clients_seen(admin_user) == set()
    assert cases_seen(admin_user) == set()


def test_a_supervisor_sees_a_case_they_work_themselves_outside_any_team(north, caseworker):
    north.share_cases_in_office = False
    north.save()
    lone = UserFactory(username="lone_supervisor", office=north, roles=["supervisor"])
    person = ClientFactory(office=north)
    case = case_for(person, lone)

    assert CaseAccess.objects.get(case_id=case.pk).supervisor_id is None
    assert clients_seen(lone) == {person.pk}
    assert cases_seen(lone) == {case.pk}
    assert clients_seen(caseworker) == set()


def test_a_restricted_client_stays_hidden_from_colleagues_while_the_access_rows_lag(
    north, caseworker, supervisor, office_manager
):
    """The access rows follow a client's restriction in the same transaction (case_access_sync);
    the filter also reads the client's own flag, so a row that has not caught up still keeps a
    victim's file from the office."""
    peer = UserFactory(username="peer", office=north, team=supervisor.team, roles=["caseworker"])
    person = ClientFactory(office=north)
    case_for(person, caseworker)
    assert north.share_cases_in_office
    assert person.pk in clients_seen(peer) and person.pk in clients_seen(office_manager)

    Client.objects.filter(pk=person.pk).update(restricted=True)

    assert CaseAccess.objects.get(client_id=person.pk).restricted is False
    assert person.pk not in clients_seen(peer)
    assert person.pk not in clients_seen(office_manager)
    assert person.pk in clients_seen(caseworker) and person.pk in clients_seen(supervisor)
