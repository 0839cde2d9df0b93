"""On call: while a shift runs, its worker sees the unrestricted clients of the office they are on
call for, where that office does not share its cases; before it starts, once it ends, once it is
cancelled, and for anyone else, nothing (`accounts.access.on_call_shifts_now`)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.access import client_scope, on_call_access, on_call_shifts_now
from accounts.access_cache import access_cache_clear_user
from accounts.models import BreakGlassGrant, Role
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


# What is read through the shift (`on_call_access`: what the audit trail marks as on-call access) --


@pytest.fixture
def mine(north, caseworker):
    client = ClientFactory(office=north, last_name="Mineclient")
    case_for(client, caseworker)
    return client


@pytest.fixture
def tonight(theirs, caseworker, supervisor):
    """The caseworker's shift for North, running now."""
    return on_call_shift_add(
        acting_user=supervisor, office=theirs.office, user=caseworker, starts_at=at(12, 8), ends_at=at(12, 20)
    )


def fresh(user):
    """The user as a new request loads them (with their office): nothing remembered from an earlier call."""
    return type(user).objects.select_related("office").get(pk=user.pk)


def test_a_colleagues_client_is_read_through_the_shift_and_ones_own_is_not(theirs, mine, caseworker, tonight):
    assert on_call_access(fresh(caseworker), [theirs.pk]) == tonight
    assert on_call_access(fresh(caseworker), [mine.pk]) is None
    assert on_call_access(fresh(caseworker), [mine.pk, theirs.pk]) == tonight
    assert on_call_access(fresh(caseworker), [str(theirs.pk)]) == tonight
    assert on_call_access(fresh(caseworker), []) is None


def test_nothing_is_read_through_a_shift_that_is_not_running(theirs, caseworker, tonight):
    with time_machine.travel(at(12, 21), tick=False):
        assert on_call_access(fresh(caseworker), [theirs.pk]) is None


def test_a_shift_opens_nothing_where_the_office_shares_its_cases(theirs, caseworker, tonight):
    theirs.office.share_cases_in_office = True
    theirs.office.save(update_fields=["share_cases_in_office"])
    assert on_call_access(fresh(caseworker), [theirs.pk]) is None


def test_a_shift_for_an_office_the_worker_has_left_is_not_on_call_access(theirs, south):
    not_sharing(south)
    south_supervisor = UserFactory(username="south_sup", office=south, roles=["supervisor"])
    mover = UserFactory(username="mover", office=south, roles=["caseworker"])
    on_call_shift_add(acting_user=south_supervisor, office=south, user=mover, starts_at=at(12, 8), ends_at=at(12, 20))
    mover.office = theirs.office
    mover.save(update_fields=["office"])
    assert on_call_access(fresh(mover), [theirs.pk]) is None


def test_a_shift_kept_by_someone_who_no_longer_works_cases_is_not_on_call_access(north, theirs, caseworker, tonight):
    restricted = ClientFactory(office=north, restricted=True)
    case_for(restricted, UserFactory(username="north_third", office=north, roles=["caseworker"]))
    caseworker.groups.clear()
    caseworker.groups.add(Group.objects.get(name=Role.OFFICE_MANAGER))
    access_cache_clear_user(caseworker)
    assert on_call_access(fresh(caseworker), [restricted.pk]) is None


def test_nobody_without_an_office_or_signed_in_reads_through_a_shift(theirs):
    assert on_call_access(AnonymousUser(), [theirs.pk]) is None
    roving = UserFactory(username="roving", roles=["caseworker"])
    assert on_call_access(roving, [theirs.pk]) is None


def test_an_administrators_break_glass_client_is_not_read_through_their_shift(north, theirs, supervisor, admin_user):
    """A supervisor who is also an administrator, on call: the client they hold a live break-glass
    grant for is theirs to read anyway; another administrator's grant, or an expired one, is not."""
    duty = UserFactory(username="duty_admin", office=north, team=supervisor.team, roles=["supervisor", "admin"])
    shift = on_call_shift_add(acting_user=supervisor, office=north, user=duty, starts_at=at(12, 8), ends_at=at(12, 20))
    granted, lapsed, others = (ClientFactory(office=north, restricted=True) for _ in range(3))
    for client in (granted, lapsed, others):
        case_for(client, UserFactory(username=f"north_{client.pk}", office=north, roles=["caseworker"]))
    BreakGlassGrant.objects.create(user=duty, client_id=granted.pk, reason="Court order", expires_at=at(12, 12))
    BreakGlassGrant.objects.create(user=duty, client_id=lapsed.pk, reason="Court order", expires_at=at(12, 9))
    BreakGlassGrant.objects.create(user=admin_user, client_id=others.pk, reason="Audit", expires_at=at(12, 12))
    assert on_call_access(fresh(duty), [granted.pk]) is None
    assert on_call_access(fresh(duty), [lapsed.pk]) == shift
    assert on_call_access(fresh(duty), [others.pk]) == shift
    assert on_call_access(fresh(duty), [granted.pk, theirs.pk]) == shift


def test_the_shift_is_looked_up_once_per_request_with_its_office(
    theirs, caseworker, tonight, django_assert_num_queries
):
    worker = fresh(caseworker)
    worker.roles  # noqa: B018 -- read by the session middleware before any page
    with django_assert_num_queries(2):  # the shift with its office, then the clients
        shift = on_call_access(worker, [theirs.pk])
    with django_assert_num_queries(1):  # the clients only
        assert on_call_access(worker, [theirs.pk]) == shift
    with django_assert_num_queries(0):  # what the audit note says of the shift
        assert shift.office.name == "North Office"


def test_without_a_shift_no_client_is_checked(theirs, caseworker, django_assert_num_queries):
    worker = fresh(caseworker)
    worker.roles  # noqa: B018
    with django_assert_num_queries(1):  # the shift, found missing
        assert on_call_access(worker, [theirs.pk]) is None
    with django_assert_num_queries(0):
        assert on_call_access(worker, [theirs.pk]) is None
