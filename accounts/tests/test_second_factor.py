"""The second sign-in factor, as the person at the keyboard meets it.

Admins, supervisors, auditors and finance staff set up an authenticator app at their first
sign-in and give its code at every sign-in after; caseworkers may turn one on. The clock is
frozen and moved on between codes: an authenticator's code is good once.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import second_factor_reset
from audit.models import AuditEvent
from tests.factories import UserFactory

LOGIN = reverse("accounts:login")
HOME = reverse("home")
VERIFY = reverse("accounts:second_factor")
SETUP = reverse("accounts:second_factor_setup")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
START = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.SECOND_FACTOR_ENFORCED = True


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def code_now(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def sign_in(client: Client, user) -> None:
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def set_up(client: Client, user) -> list[str]:
    """Sign in with the password and turn the authenticator on; the recovery codes shown."""
    sign_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": code_now(device), "next": HOME})
    assert response.status_code == 200
    return response.context["codes"]


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", roles=["admin"], is_staff=True)


def test_an_admin_signed_in_with_a_password_only_must_set_up_the_code_first(client, admin, clock):
    sign_in(client, admin)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert client.get(reverse("clients:list")).status_code == 302
    assert client.get("/admin/").status_code == 302
    page = client.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" in page.content and b"Cannot scan?" in page.content


def test_a_wrong_code_at_set_up_says_so_and_turns_nothing_on(client, admin, clock):
    sign_in(client, admin)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()
    assert client.get(HOME).status_code == 302


def test_setting_up_shows_ten_recovery_codes_once_and_opens_the_site(client, admin, clock):
    codes = set_up(client, admin)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditEvent.Action.CREATE, object_repr="boss: second factor set up"
    ).exists()
    # The page that showed them is gone: asking again starts a new, unconfirmed authenticator.
    assert "codes" not in client.get(SETUP).context


def test_the_next_sign_in_asks_for_the_code_and_a_wrong_one_is_refused_and_recorded(client, admin, clock):
    set_up(client, admin)
    clock.shift(timedelta(minutes=5))
    later = Client()
    sign_in(later, admin)

    assert later.get(HOME)["Location"].startswith(VERIFY)
    wrong = later.post(VERIFY, {"code": "123456"})

    assert "That code is not right" in wrong.content.decode()
    assert later.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, actor=admin).count() == 1


def test_the_code_the_app_shows_opens_the_page_asked_for(client, admin, clock):
    set_up(client, admin)
    clock.shift(timedelta(minutes=5))
    later = Client()
    sign_in(later, admin)
    wanted = reverse("clients:list")
    later.get(wanted)

    response = later.post(VERIFY, {"code": code_now(TOTPDevice.objects.get(user=admin)), "next": wanted})

    assert response["Location"] == wanted
    assert later.get(HOME).status_code == 200


def test_a_code_is_good_once(client, admin, clock):
    set_up(client, admin)
    clock.shift(timedelta(minutes=5))
    code = code_now(TOTPDevice.objects.get(user=admin))
    first, second = Client(), Client()
    sign_in(first, admin)
    sign_in(second, admin)

    assert first.post(VERIFY, {"code": code})["Location"] == HOME
    assert second.post(VERIFY, {"code": code}).status_code == 200  # refused: shown again with the error


def test_a_recovery_code_lets_a_person_in_once(client, admin, clock):
    codes = set_up(client, admin)
    first, second = Client(), Client()
    sign_in(first, admin)
    sign_in(second, admin)

    assert first.post(VERIFY, {"code": codes[3]})["Location"] == HOME
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == 9


def test_a_password_alone_cannot_replace_the_authenticator(client, admin, clock):
    set_up(client, admin)
    intruder = Client()
    sign_in(intruder, admin)

    response = intruder.get(SETUP)

    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=admin).count() == 1


def test_after_an_admin_resets_a_lost_phone_the_person_sets_up_a_new_one(client, admin, clock):
    supervisor = UserFactory(username="sup", roles=["supervisor"])
    set_up(client, supervisor)

    second_factor_reset(acting_user=admin, user=supervisor, reason="Phone lost, ticket 4411")
    again = Client()
    sign_in(again, supervisor)

    assert again.get(HOME)["Location"].startswith(SETUP)
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditEvent.Action.DELETE, reason="Phone lost, ticket 4411"
    ).exists()


@pytest.mark.parametrize("role", ["supervisor", "auditor", "finance"])
def test_every_role_that_approves_money_or_sees_widely_must_have_one(client, db, clock, role):
    person = UserFactory(username=f"{role}-1", roles=[role])
    sign_in(client, person)

    assert client.get(HOME)["Location"].startswith(SETUP)


def test_a_caseworker_may_work_without_one_and_pages_pay_no_query_for_it(client, caseworker, clock):
    sign_in(client, caseworker)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200

    assert [q["sql"] for q in queries if "otp_" in q["sql"]] == []


def test_a_caseworker_who_turns_it_on_is_asked_for_it_next_time(client, caseworker, clock):
    set_up(client, caseworker)
    clock.shift(timedelta(minutes=5))
    later = Client()
    sign_in(later, caseworker)

    assert later.get(HOME)["Location"].startswith(VERIFY)


def test_the_page_after_the_code_never_leaves_the_site(client, admin, clock):
    set_up(client, admin)
    clock.shift(timedelta(minutes=5))
    later = Client()
    sign_in(later, admin)

    response = later.post(
        VERIFY, {"code": code_now(TOTPDevice.objects.get(user=admin)), "next": "https://evil.example/"}
    )

    assert response["Location"] == HOME


def test_when_not_enforced_nobody_is_stopped(client, admin, clock, settings):
    settings.SECOND_FACTOR_ENFORCED = False
    sign_in(client, admin)

    assert client.get(HOME).status_code == 200


def test_an_admin_removes_a_lost_phones_code_from_the_user_list(client, admin, clock, settings):
    settings.SECOND_FACTOR_ENFORCED = False  # the admin's own code is not what this test is about
    worker = UserFactory(username="w1", roles=["caseworker"])
    set_up(Client(), worker)
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [worker.pk]},
        follow=True,
    )

    assert "Sign-in code removed for 1 of 1 selected." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditEvent.Action.DELETE, object_repr="w1: second factor removed"
    )


def test_removing_codes_from_the_user_list_costs_the_same_queries_for_2_people_and_for_6(
    client, admin, clock, settings, django_assert_max_num_queries
):
    settings.SECOND_FACTOR_ENFORCED = False
    workers = [UserFactory(username=f"w{n}", roles=["caseworker"]) for n in range(7)]
    for worker in workers[:6]:
        set_up(Client(), worker)
    client.force_login(admin)
    url = reverse("admin:accounts_user_changelist")
    counts = []
    for chosen in (workers[:2], [*workers[2:6], workers[6]]):
        with django_assert_max_num_queries(40) as captured:
            response = client.post(url, {"action": "reset_second_factor", "_selected_action": [w.pk for w in chosen]})
        assert response.status_code == 302
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]
    assert not TOTPDevice.objects.filter(user__in=workers).exists()
    removed = AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, object_repr__endswith="second factor removed")
    assert removed.count() == 6  # the seventh had no code to remove


def test_a_caseworker_made_a_supervisor_while_signed_in_must_set_up_a_code_at_the_next_page(client, caseworker, clock):
    from django.contrib.auth.models import Group

    sign_in(client, caseworker)
    assert client.get(HOME).status_code == 200

    caseworker.groups.add(Group.objects.get(name="supervisor"))

    assert client.get(HOME)["Location"].startswith(SETUP)
