"""Signing in, being locked out, and sessions that end: as the person at the keyboard sees them.

django-axes keeps its failure counts in the database, so each test starts with none (the `db`
fixture rolls them back).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.middleware import SESSION_STARTED_KEY
from accounts.views import LOCKOUT_MESSAGE
from tests.factories import UserFactory

LOGIN = reverse("accounts:login")
HOME = reverse("home")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
WRONG_PASSWORD_MESSAGE = "That username and password do not match an active account."
# One frozen moment (10:00 in Chicago on 12 March 2026): idle limits and session ages are measured from it exactly.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "not the password")


class TestSignIn:
    def test_the_login_page_is_shown(self, client, db):
        response = client.get(LOGIN)

        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="username"' in html
        assert 'name="password"' in html
        assert "Sign in" in html

    def test_right_password_signs_in_and_goes_home(self, client, caseworker):
        response = sign_in(client, "worker")

        assert response.status_code == 302
        assert response.url == HOME
        assert signed_in(client)
        assert client.get(HOME).status_code == 200

    def test_wrong_password_shows_the_generic_message(self, client, caseworker):
        response = sign_in(client, "worker", "not the password")

        assert response.status_code == 200
        assert WRONG_PASSWORD_MESSAGE in response.content.decode()
        assert not signed_in(client)

    def test_unknown_username_shows_the_same_generic_message(self, client, caseworker):
        known = sign_in(client, "worker", "not the password")
        unknown = sign_in(client, "nobody-by-this-name", "not the password")

        assert unknown.status_code == known.status_code == 200
        assert WRONG_PASSWORD_MESSAGE in unknown.content.decode()

    def test_a_deactivated_account_cannot_sign_in_with_its_right_password(self, client, db):
        UserFactory(username="leaver", roles=["caseworker"], is_active=False)

        response = sign_in(client, "leaver")

        assert WRONG_PASSWORD_MESSAGE in response.content.decode()
        assert not signed_in(client)

    def test_signed_out_visitors_are_sent_to_the_login_page(self, client, db):
        response = client.get(HOME)

        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next={HOME}"

    def test_the_session_key_changes_at_login(self, client, caseworker):
        before = client.session  # the visitor's session before signing in
        before["seen_login_page"] = True
        before.save()
        old_key = before.session_key

        sign_in(client, "worker")

        new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert signed_in(client)
        assert new_key != old_key
        assert not Session.objects.filter(session_key=old_key).exists()


class TestLockout:
    def test_after_five_failures_even_the_right_password_is_refused(self, client, caseworker):
        fail_five_times(client, "worker")

        response = sign_in(client, "worker", PASSWORD)

        assert response.status_code == 403
        html = response.content.decode()
        assert LOCKOUT_MESSAGE in html
        assert WRONG_PASSWORD_MESSAGE not in html
        assert not signed_in(client)
        assert client.get(HOME).status_code == 302

    def test_four_failures_do_not_lock_the_account(self, client, caseworker):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(client, "worker", "not the password")

        sign_in(client, "worker")

        assert signed_in(client)

    def test_an_unknown_username_gets_the_same_lockout_message(self, client, caseworker):
        fail_five_times(client, "worker")
        real = sign_in(client, "worker", PASSWORD)

        fail_five_times(client, "nobody-by-this-name")
        ghost = sign_in(client, "nobody-by-this-name", PASSWORD)

        assert ghost.status_code == real.status_code == 403
        assert LOCKOUT_MESSAGE in ghost.content.decode()
        assert WRONG_PASSWORD_MESSAGE not in ghost.content.decode()

    @pytest.mark.parametrize("username", ["worker", "nobody-by-this-name"])
    def test_the_locked_out_page_is_the_same_whether_or_not_the_username_exists(self, client, caseworker, username):
        fail_five_times(client, username)
        response = sign_in(client, username, "another guess")

        assert response.status_code == 403
        html = response.content.decode()
        assert LOCKOUT_MESSAGE in html
        assert "does not exist" not in html.lower()
        assert "unknown" not in html.lower()

    def test_the_lock_is_on_the_account_not_the_office_network(self, client, caseworker, supervisor):
        fail_five_times(client, "worker")

        sign_in(client, "sup")

        assert signed_in(client)

    def test_the_lock_lifts_after_fifteen_minutes(self, client, caseworker):
        from axes.models import AccessAttempt

        fail_five_times(client, "worker")
        AccessAttempt.objects.update(attempt_time=NOW - timedelta(minutes=16))

        sign_in(client, "worker")

        assert signed_in(client)


class TestSessionLifetime:
    def test_sessions_end_after_thirty_idle_minutes_renewed_once_a_minute(self):
        assert settings.SESSION_COOKIE_AGE == 1800
        assert settings.SESSION_RENEW_SECONDS == 60

    def test_a_page_within_a_minute_of_the_renewal_writes_no_session(self, client, caseworker, time_machine):
        client.force_login(caseworker)
        key = client.session.session_key
        client.get(HOME)
        renewed = Session.objects.get(session_key=key).expire_date
        time_machine.shift(timedelta(seconds=59))

        assert client.get(HOME).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == renewed

        time_machine.shift(timedelta(seconds=2))
        client.get(HOME)
        assert Session.objects.get(session_key=key).expire_date == renewed + timedelta(seconds=61)

    def test_each_request_pushes_the_idle_limit_thirty_minutes_ahead(self, client, caseworker):
        client.force_login(caseworker)
        key = client.session.session_key
        Session.objects.filter(session_key=key).update(expire_date=NOW + timedelta(minutes=2))

        assert client.get(HOME).status_code == 200

        assert Session.objects.get(session_key=key).expire_date == NOW + timedelta(minutes=30)

    def test_an_idle_session_past_its_limit_is_sent_to_sign_in(self, client, caseworker):
        client.force_login(caseworker)
        assert client.get(HOME).status_code == 200
        Session.objects.filter(session_key=client.session.session_key).update(expire_date=NOW - timedelta(seconds=1))

        response = client.get(HOME)

        assert response.status_code == 302
        assert response.url.startswith(LOGIN)

    def test_a_session_older_than_twelve_hours_is_ended_on_the_next_request(self, client, caseworker):
        client.force_login(caseworker)
        assert client.get(HOME).status_code == 200
        session = client.session
        session[SESSION_STARTED_KEY] = NOW.timestamp() - 12 * 3600 - 60
        session.save()

        response = client.get(HOME)

        assert response.status_code == 302
        assert response.url == LOGIN
        assert not signed_in(client)
        followed = client.get(response.url)
        assert "Your session has ended. Please sign in again." in followed.content.decode()
        assert client.get(HOME).status_code == 302

    def test_a_busy_session_under_twelve_hours_carries_on(self, client, caseworker):
        client.force_login(caseworker)
        client.get(HOME)
        session = client.session
        session[SESSION_STARTED_KEY] = NOW.timestamp() - 11 * 3600
        session.save()

        assert client.get(HOME).status_code == 200
        assert signed_in(client)

    def test_the_twelve_hours_count_from_sign_in(self, client, caseworker, time_machine):
        sign_in(client, "worker")
        client.get(HOME)
        time_machine.shift(timedelta(minutes=20))  # a later request does not restart the count
        client.get(HOME)

        assert client.session[SESSION_STARTED_KEY] == NOW.timestamp()
