"""Authority limits: the boundaries, effective dates, a user's own limit, several roles, no limit
at all, and the rolling 30 days per client."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.models import AuthorityLimit, Issuance
from assistance.services import (
    authority_for,
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reverse,
)
from assistance.services.limits import Authority, Excess, excesses, limits_exceeded, recent_totals
from assistance.tests.helpers import client_case, request, shelter
from tests.factories import UserFactory

# One frozen moment for every test here, so rolling windows and ages mean the same on any day.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)]
Status = Issuance.Status
Kind = Issuance.Kind


def limit(*, role: str = "", user=None, kind: str = Kind.EMERGENCY, days_from_today: int = 0, **figures):
    """A limit version effective `days_from_today` (negative: in the past)."""
    return AuthorityLimit.objects.create(
        role=role,
        user=user,
        kind=kind,
        effective_from=timezone.localdate() + timedelta(days=days_from_today),
        **{name: Decimal(value) if isinstance(value, str) else value for name, value in figures.items()},
    )


def days_ago(issuance: Issuance, days: int) -> None:
    """Move a request back in time (requests are not append-only; the ledger is)."""
    Issuance.objects.filter(pk=issuance.pk).update(requested_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def manager(north):
    """A supervisor whose own emergency limit is $25,000."""
    user = UserFactory(username="manager", office=north, roles=["supervisor"])
    limit(user=user, per_issuance="25000.00", days_from_today=-30)
    return user


@pytest.fixture
def thirty_days(db):
    """From today a caseworker may give one client $1,000 at a time and $1,500 in 30 days."""
    return limit(role="caseworker", per_issuance="1000.00", per_client_30_days="1500.00")


# The shipped boundaries


def test_a_thousand_dollars_of_emergency_funds_issues_at_once(caseworker):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1000.00")
    assert issuance.status == Status.ISSUED
    assert issuance.exceeds == []


def test_a_thousand_dollars_and_one_cent_waits_and_says_by_how_much(caseworker):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1000.01")
    assert issuance.status == Status.PENDING
    assert issuance.exceeds == [
        {
            "measure": "per_issuance",
            "label": "Per issuance",
            "limit": "1000.00",
            "value": "1000.01",
            "over_by": "0.01",
        }
    ]
    waiting = issuance.status_changes.get(to_status=Status.PENDING)
    assert waiting.reason == "Per issuance: $1,000.01 against a limit of $1,000.00"


def test_four_nights_issue_and_five_wait(caseworker):
    _client, case = client_case(caseworker)
    assert shelter(caseworker, case, nights=4).status == Status.ISSUED
    five = shelter(caseworker, case, nights=5)
    assert five.status == Status.PENDING
    assert five.amount == Decimal("300.00")
    assert five.exceeds == [{"measure": "max_units", "label": "Nights", "limit": "4", "value": "5", "over_by": "1"}]
    assert five.status_changes.get(to_status=Status.PENDING).reason == "Nights: 5 against a limit of 4"


def test_a_supervisor_approves_five_nights_and_the_caseworker_issues_them(caseworker, supervisor):
    _client, case = client_case(caseworker)
    five = shelter(caseworker, case, nights=5)
    issuance_approve(acting_user=supervisor, issuance=five)
    assert issuance_issue(acting_user=caseworker, issuance=five).status == Status.ISSUED


# Effective dates


def test_a_caseworker_limit_effective_tomorrow_does_not_apply_today(caseworker):
    limit(role="caseworker", per_issuance="500.00", days_from_today=1)
    _client, case = client_case(caseworker)
    assert request(caseworker, case, amount="800.00").status == Status.ISSUED
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY).per_issuance == Decimal("1000.00")
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY, on=tomorrow).per_issuance == Decimal("500.00")


def test_a_caseworker_limit_effective_today_applies(caseworker):
    limit(role="caseworker", per_issuance="500.00")
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="800.00")
    assert issuance.status == Status.PENDING
    assert issuance.exceeds[0]["limit"] == "500.00"
    assert issuance.exceeds[0]["over_by"] == "300.00"
    # The version before it still answers for the days it covered.
    yesterday = timezone.localdate() - timedelta(days=1)
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY, on=yesterday).per_issuance == Decimal("1000.00")


def test_a_raised_limit_effective_today_lets_more_through(caseworker):
    limit(role="caseworker", per_issuance="1500.00")
    _client, case = client_case(caseworker)
    assert request(caseworker, case, amount="1500.00").status == Status.ISSUED
    assert request(caseworker, case, amount="1500.01").status == Status.PENDING


# A user's own limit, and several roles


def test_a_manager_approves_what_an_ordinary_supervisor_cannot(caseworker, supervisor, manager):
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="7000.00")
    with pytest.raises(ValidationError, match=r"beyond your own authority \(Per issuance: \$7,000.00 against a limit"):
        issuance_approve(acting_user=supervisor, issuance=issuance)
    issuance.refresh_from_db()
    assert issuance.status == Status.PENDING and issuance.decided_by is None

    issuance = issuance_approve(acting_user=manager, issuance=issuance, reason="Fire at the home")
    assert issuance.status == Status.APPROVED and issuance.decided_by == manager
    assert authority_for(user=manager, kind=Kind.EMERGENCY).per_issuance == Decimal("25000.00")


def test_a_managers_own_limit_is_for_its_kind_only(manager):
    assert authority_for(user=manager, kind=Kind.ONE_OFF).per_issuance == Decimal("5000.00")


def test_a_users_own_limit_replaces_the_roles_even_when_lower(caseworker):
    limit(user=caseworker, per_issuance="200.00", days_from_today=-1)
    _client, case = client_case(caseworker)
    assert request(caseworker, case, amount="200.00").status == Status.ISSUED
    assert request(caseworker, case, amount="500.00").status == Status.PENDING


def test_a_users_own_limit_effective_tomorrow_leaves_the_role_today(caseworker):
    limit(user=caseworker, per_issuance="200.00", days_from_today=1)
    _client, case = client_case(caseworker)
    assert request(caseworker, case, amount="500.00").status == Status.ISSUED


def test_a_users_own_limit_gives_every_figure_of_its_own(caseworker):
    limit(user=caseworker, per_issuance="300.00", per_client_30_days="450.00", max_units=2, days_from_today=-1)
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY) == Authority(
        Kind.EMERGENCY, Decimal("300.00"), Decimal("450.00"), 2, granted=True
    )


def test_the_newest_version_in_force_wins_whatever_order_it_was_entered_in(caseworker):
    """A version entered later but effective earlier does not replace the newer one."""
    limit(user=caseworker, per_issuance="700.00", days_from_today=-1)
    limit(user=caseworker, per_issuance="300.00", days_from_today=-10)
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY).per_issuance == Decimal("700.00")


def test_limits_of_another_role_or_another_user_are_not_yours(caseworker, manager):
    limit(role="supervisor", kind=Kind.EMERGENCY, per_issuance="9000.00")
    assert authority_for(user=caseworker, kind=Kind.EMERGENCY).per_issuance == Decimal("1000.00")
    _client, case = client_case(caseworker)
    assert request(caseworker, case, amount="1000.01").status == Status.PENDING


def test_a_user_with_two_roles_gets_the_more_generous(north):
    both = UserFactory(username="both", office=north, roles=["caseworker", "supervisor"])
    _client, case = client_case(both)
    assert request(both, case, amount="5000.00").status == Status.ISSUED
    assert request(both, case, amount="5000.01").status == Status.PENDING
    assert shelter(both, case, nights=30).status == Status.ISSUED
    authority = authority_for(user=both, kind=Kind.SHELTER)
    assert (authority.per_issuance, authority.max_units) == (None, 30)


def test_two_roles_get_the_more_generous_even_when_the_lesser_changed_last(north):
    both = UserFactory(username="both", office=north, roles=["caseworker", "supervisor"])
    limit(role="caseworker", per_issuance="800.00")
    assert authority_for(user=both, kind=Kind.EMERGENCY).per_issuance == Decimal("5000.00")


def test_a_role_without_a_limit_for_a_kind_has_no_authority_for_it(caseworker, supervisor):
    AuthorityLimit.objects.filter(role="caseworker", kind=Kind.TRAVEL).delete()
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, kind=Kind.TRAVEL, amount="0.01")
    assert issuance.status == Status.PENDING
    assert issuance.exceeds == [
        {"measure": "authority", "label": "No authority to issue travel", "limit": None, "over_by": None}
    ]
    assert issuance.status_changes.get(to_status=Status.PENDING).reason == "No authority to issue travel"
    assert not authority_for(user=caseworker, kind=Kind.TRAVEL).granted
    # A supervisor's role still covers travel.
    assert issuance_approve(acting_user=supervisor, issuance=issuance).status == Status.APPROVED


def test_nobody_without_authority_for_a_kind_can_approve_it(caseworker, supervisor):
    AuthorityLimit.objects.filter(kind=Kind.DRUG_CARD).delete()
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, kind=Kind.DRUG_CARD, amount="20.00")
    with pytest.raises(ValidationError, match="No authority to issue emergency drug card"):
        issuance_approve(acting_user=supervisor, issuance=issuance)


def test_a_request_is_judged_by_the_limits_of_the_day_asked(caseworker):
    """A decision about an earlier day (a request dated before a lower limit took effect) is
    judged by that day's limits, not today's."""
    limit(role="caseworker", per_issuance="500.00")
    client, _case = client_case(caseworker)
    yesterday = timezone.localdate() - timedelta(days=1)
    asked = {"user": caseworker, "kind": Kind.EMERGENCY, "client_id": client.pk, "amount": Decimal("800.00")}
    assert limits_exceeded(**asked, on=yesterday) == []
    assert limits_exceeded(**asked) == [
        Excess("per_issuance", "Per issuance", Decimal("500.00"), Decimal("800.00"), Decimal("300.00"))
    ]


# The rolling 30 days per client


def test_thirty_days_count_what_was_granted_to_the_client(caseworker, thirty_days):
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="1000.00")
    second = request(caseworker, case, amount="500.00")
    assert (first.status, second.status) == (Status.ISSUED, Status.ISSUED)
    cent = request(caseworker, case, amount="0.01")
    assert cent.status == Status.PENDING
    assert cent.exceeds == [
        {
            "measure": "per_client_30_days",
            "label": "Per client in 30 days",
            "limit": "1500.00",
            "value": "1500.01",
            "over_by": "0.01",
        }
    ]


def test_a_grant_older_than_thirty_days_no_longer_counts(caseworker, thirty_days):
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="1000.00")
    request(caseworker, case, amount="500.00")
    days_ago(first, 29)
    assert request(caseworker, case, amount="0.01").status == Status.PENDING
    days_ago(first, 31)
    assert request(caseworker, case, amount="1000.00").status == Status.ISSUED
    assert request(caseworker, case, amount="0.01").status == Status.PENDING


def test_thirty_days_are_per_client_and_per_kind(caseworker, thirty_days):
    _client, case = client_case(caseworker)
    _other_client, other_case = client_case(caseworker)
    limit(role="caseworker", kind=Kind.TRAVEL, per_issuance="1000.00", per_client_30_days="1500.00")
    request(caseworker, case, amount="1000.00")
    request(caseworker, case, amount="500.00")
    assert request(caseworker, other_case, amount="1000.00").status == Status.ISSUED
    assert request(caseworker, case, kind=Kind.TRAVEL, amount="1000.00").status == Status.ISSUED


def test_thirty_days_count_approved_and_issued_not_waiting_or_reversed(caseworker, supervisor, thirty_days):
    _client, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="1200.00")
    assert waiting.status == Status.PENDING
    # A waiting request is not yet granted: it does not count.
    issued = request(caseworker, case, amount="1000.00")
    assert issued.status == Status.ISSUED
    # Approved (not yet issued) counts: $1,200 + $1,000 is past $1,500 for the next small one.
    issuance_approve(acting_user=supervisor, issuance=waiting)
    assert request(caseworker, case, amount="10.00").status == Status.PENDING
    # A reversed payment was not granted after all.
    issuance_reverse(acting_user=supervisor, issuance=issued, reason="Paid to the wrong account")
    issuance_cancel(acting_user=caseworker, issuance=waiting, reason="Landlord agreed to wait")
    assert request(caseworker, case, amount="1000.00").status == Status.ISSUED


def test_a_request_past_two_limits_names_both(caseworker, thirty_days):
    _client, case = client_case(caseworker)
    request(caseworker, case, amount="1000.00")
    issuance = request(caseworker, case, amount="1200.00")
    assert [(x["measure"], x["limit"], x["over_by"]) for x in issuance.exceeds] == [
        ("per_issuance", "1000.00", "200.00"),
        ("per_client_30_days", "1500.00", "700.00"),
    ]
    assert issuance.status_changes.get(to_status=Status.PENDING).reason == (
        "Per issuance: $1,200.00 against a limit of $1,000.00; "
        "Per client in 30 days: $2,200.00 against a limit of $1,500.00"
    )


def test_a_supervisors_thirty_days_count_what_is_already_approved(caseworker, supervisor, north):
    limit(role="supervisor", per_issuance="5000.00", per_client_30_days="2500.00")
    other = UserFactory(username="sup2", office=north, roles=["supervisor"])
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="1500.00")
    second = request(caseworker, case, amount="1500.00")
    issuance_approve(acting_user=supervisor, issuance=first)
    with pytest.raises(ValidationError, match=r"Per client in 30 days: \$3,000.00 against a limit of \$2,500.00"):
        issuance_approve(acting_user=other, issuance=second)


def test_an_approver_past_two_of_their_own_limits_is_told_both_in_one_sentence(caseworker, supervisor, thirty_days):
    limit(role="supervisor", per_issuance="1000.00", per_client_30_days="1500.00")
    _client, case = client_case(caseworker)
    request(caseworker, case, amount="1000.00")
    waiting = request(caseworker, case, amount="1200.00")
    with pytest.raises(ValidationError) as refused:
        issuance_approve(acting_user=supervisor, issuance=waiting)
    assert refused.value.messages == [
        "This is beyond your own authority (Per issuance: $1,200.00 against a limit of $1,000.00; "
        "Per client in 30 days: $2,200.00 against a limit of $1,500.00); it needs an approver with a higher limit."
    ]


def test_approving_a_waiting_request_counts_it_once_in_the_30_days(caseworker, supervisor):
    """$1,500 waiting against a supervisor's $2,500 in 30 days: counted twice it would be $3,000."""
    limit(role="supervisor", per_issuance="5000.00", per_client_30_days="2500.00")
    _client, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="1500.00")
    assert waiting.status == Status.PENDING
    assert issuance_approve(acting_user=supervisor, issuance=waiting).status == Status.APPROVED


def test_the_30_day_totals_are_of_the_clients_and_kinds_asked_for_only(caseworker):
    """The queue asks for the (client, kind) pairs on its page: another client's grants, or the
    same client's grants of another kind, are neither read nor returned."""
    limit(role="caseworker", kind=Kind.TRAVEL, per_issuance="1000.00")
    client, case = client_case(caseworker)
    other, other_case = client_case(caseworker)
    request(caseworker, case, amount="300.00")
    request(caseworker, case, kind=Kind.TRAVEL, amount="200.00")
    request(caseworker, other_case, amount="400.00")
    emergency = Kind.EMERGENCY.value

    assert recent_totals({(client.pk, emergency)}) == {(client.pk, emergency): Decimal("300.00")}
    assert recent_totals({(client.pk, emergency), (other.pk, emergency)}) == {
        (client.pk, emergency): Decimal("300.00"),
        (other.pk, emergency): Decimal("400.00"),
    }


@pytest.mark.parametrize(
    ("excess", "waiting", "figure"),
    [
        (
            Excess("per_issuance", "Per issuance", Decimal("1000"), Decimal("1200"), Decimal("200")),
            "over your limit by $200.00",
            "Per issuance: $1,200.00 against a limit of $1,000.00 (over by $200.00)",
        ),
        (
            Excess("per_client_30_days", "Per client, 30 days", Decimal("500"), Decimal("600"), Decimal("100")),
            "over your 30-day limit for this client by $100.00",
            "Per client, 30 days: $600.00 against a limit of $500.00 (over by $100.00)",
        ),
        (
            Excess("max_units", "Nights", 4, 5, 1),
            "1 night over your limit of 4",
            "Nights: 5 against a limit of 4 (1 night over)",
        ),
        (
            Excess("max_units", "Nights", 4, 6, 2),
            "2 nights over your limit of 4",
            "Nights: 6 against a limit of 4 (2 nights over)",
        ),
        (Excess("per_issuance", "Per issuance"), "you have no authority to issue emergency funds", "Per issuance"),
    ],
)
def test_the_requester_and_the_supervisor_are_told_exactly_which_limit_is_passed(excess, waiting, figure):
    assert excess.waiting_text(Issuance.Kind.EMERGENCY) == waiting
    assert excess.text() == figure


def test_an_excess_reads_back_as_it_was_written_nights_as_whole_numbers():
    written = [
        Excess("per_issuance", "Per issuance", Decimal("1000.00"), Decimal("1200.00"), Decimal("200.00")),
        Excess("max_units", "Nights", 4, 6, 2),
        Excess("authority", "No authority to issue travel"),
    ]
    read = excesses(excess.stored() for excess in written)
    assert read == written
    nights = read[1]
    assert [type(figure) for figure in (nights.limit, nights.value, nights.over_by)] == [int, int, int]
    assert [type(figure) for figure in (read[0].limit, read[0].value, read[0].over_by)] == [Decimal] * 3
