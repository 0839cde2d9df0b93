"""On call: while a shift runs, its worker sees the unrestricted clients of the office they are on
call for, where that office does not share its cases; before it starts, once it ends, once it is
cancelled, and for anyone else, nothing (`accounts.access.on_call_shifts_now`)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.access import client_scope, on_call_shifts_now
from accounts.services import on_call_shift_add, on_call_shift_cancel
from clients.models import Client
from tests.factories import ClientFactory, TeamFactory, UserFactory, case_for

# 10:00 in Chicago on Thursday 12 March 2026.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def at(day: int, hour: int) -> datetime:
    """A local (Chicago) moment in March 2026."""
    return timezone.make_aware(datetime(2026, 3, day, hour))


def not_sharing(office):
    office.share_cases_in_office = False
    office.save(update_fields=["share_cases_in_office"])
    return office


@pytest.fixture
def colleague(north, supervisor):
    return UserFactory(username="north_colleague", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def theirs(north, colleague):
    """A client on a colleague's case, in an office that does not share its cases."""
    not_sharing(north)
    client = ClientFactory(office=north, last_name="Colleagueclient")
    case_for(client, colleague)
    return client


def sees(user, client) -> bool:
    return Client.objects.filter(client_scope(user), pk=client.pk).exists()


def test_the_shift_opens_the_office_from_its_first_moment_until_its_last(theirs, caseworker, supervisor):
    on_call_shift_add(
        acting_user=supervisor, office=theirs.office, user=caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
    )
    for moment, seen in ((at(12, 16), False), (at(12, 17), True), (at(13, 7), True), (at(13, 8), False)):
        with time_machine.travel(moment, tick=False):
            assert sees(caseworker, theirs) is seen, moment


def test_a_colleagues_shift_opens_nothing_to_the_worker_not_on_call(theirs, caseworker, colleague, supervisor):
    other = UserFactory(username="north_other", office=theirs.office, team=supervisor.team, roles=["caseworker"])
    on_call_shift_add(acting_user=supervisor, office=theirs.office, user=other, starts_at=at(12, 8), ends_at=at(12, 20))
    assert sees(other, theirs)
    assert not sees(caseworker, theirs)


def test_a_cancelled_shift_opens_nothing(theirs, caseworker, supervisor):
    shift = on_call_shift_add(
        acting_user=supervisor, office=theirs.office, user=caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
    )
    on_call_shift_cancel(acting_user=supervisor, shift=shift, reason="Off sick")
    assert not sees(caseworker, theirs)


def test_a_shift_for_the_office_a_worker_has_left_does_not_open_their_new_office(theirs, south):
    not_sharing(south)
    south_supervisor = UserFactory(username="south_sup", office=south, roles=["supervisor"])
    mover = UserFactory(
        username="mover",
        office=south,
        team=TeamFactory(office=south, supervisor=south_supervisor),
        roles=["caseworker"],
    )
    on_call_shift_add(acting_user=south_supervisor, office=south, user=mover, starts_at=at(12, 8), ends_at=at(12, 20))
    mover.office, mover.team = theirs.office, None
    mover.save(update_fields=["office", "team"])
    assert not sees(mover, theirs)


def test_the_shifts_running_at_a_moment_for_any_office_or_one(north, south, caseworker, supervisor, other_caseworker):
    tonight = on_call_shift_add(
        acting_user=supervisor, office=north, user=caseworker, starts_at=at(12, 17), ends_at=at(13, 8)
    )
    south_supervisor = other_caseworker.team.supervisor
    on_call_shift_add(
        acting_user=south_supervisor, office=south, user=other_caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
    )
    assert list(on_call_shifts_now(user=caseworker)) == []
    assert list(on_call_shifts_now(user=caseworker, at=at(12, 22))) == [tonight]
    assert list(on_call_shifts_now(user=caseworker, office_id=north.pk, at=at(12, 22))) == [tonight]
    assert list(on_call_shifts_now(user=caseworker, office_id=south.pk, at=at(12, 22))) == []


def test_an_administrator_keeps_any_offices_roster_and_another_offices_supervisor_does_not(
    theirs, caseworker, admin_user, other_caseworker
):
    south_supervisor = other_caseworker.team.supervisor
    with pytest.raises(PermissionDenied, match="Only the office's supervisors and administrators"):
        on_call_shift_add(
            acting_user=south_supervisor, office=theirs.office, user=caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
        )
    assert admin_user.office_id is None
    shift = on_call_shift_add(
        acting_user=admin_user, office=theirs.office, user=caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
    )
    assert sees(caseworker, theirs)
    on_call_shift_cancel(acting_user=admin_user, shift=shift, reason="Covered by a colleague")
    assert not sees(caseworker, theirs)
