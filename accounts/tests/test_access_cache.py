"""Roles and permissions come from the cache after the first page; a change in the admin is seen at once."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "access-tests"}}


@pytest.fixture(autouse=True)
def real_cache(settings):
    settings.CACHES = LOCAL_CACHE
    cache.clear()
    yield
    cache.clear()


def _access_queries(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries if "auth_group" in q["sql"] or "auth_permission" in q["sql"]]


def test_the_second_page_reads_roles_and_permissions_from_the_cache(client, supervisor):
    client.force_login(supervisor)

    first = _access_queries(client, reverse("home"))
    second = _access_queries(client, reverse("home"))

    assert first  # the first page asked the database
    assert second == []


def test_a_role_taken_away_is_gone_on_the_next_page(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("assistance:queue")).status_code == 200

    supervisor.groups.remove(Group.objects.get(name="supervisor"))

    assert client.get(reverse("assistance:queue")).status_code == 403


def test_a_permission_taken_from_a_group_is_gone_for_its_members_at_once(caseworker):
    from django.contrib.auth.models import Permission

    from accounts.models import User

    group = Group.objects.get(name="caseworker")
    group.permissions.add(Permission.objects.get(codename="view_office"))
    assert User.objects.get(pk=caseworker.pk).has_perm("accounts.view_office")
    assert User.objects.get(pk=caseworker.pk).has_perm("accounts.view_office")  # now from the cache

    group.permissions.remove(Permission.objects.get(codename="view_office"))

    assert not User.objects.get(pk=caseworker.pk).has_perm("accounts.view_office")


def test_signing_in_keeps_everyone_elses_cached_answers(client, caseworker, supervisor):
    from accounts.access_cache import GENERATION

    client.force_login(supervisor)
    client.get(reverse("home"))
    before = cache.get(GENERATION)

    client.force_login(caseworker)  # saves last_login

    assert cache.get(GENERATION) == before


def test_changing_ones_language_keeps_everyone_elses_cached_access(client, caseworker, supervisor):
    from accounts.access_cache import CachedModelBackend
    from accounts.services import user_language_set

    client.force_login(supervisor)
    _access_queries(client, reverse("home"))
    assert CachedModelBackend().get_user(caseworker.pk).language == ""  # now cached

    user_language_set(acting_user=caseworker, user=caseworker, language="es")

    assert _access_queries(client, reverse("home")) == []  # the supervisor's answers are still cached
    assert CachedModelBackend().get_user(caseworker.pk).language == "es"  # the worker's copy was dropped


def test_a_worker_moved_to_another_office_is_seen_at_once_by_everyone(client, caseworker, supervisor, south):
    from accounts.access_cache import CachedModelBackend
    from accounts.models import User

    client.force_login(supervisor)
    _access_queries(client, reverse("home"))
    assert CachedModelBackend().get_user(caseworker.pk).office.code == "north"

    moved = User.objects.get(pk=caseworker.pk)
    moved.office = south
    moved.save()  # as the admin's form saves: every field

    assert _access_queries(client, reverse("home"))  # everyone's answers were dropped
    assert CachedModelBackend().get_user(caseworker.pk).office.code == "south"


def test_a_role_given_in_the_admin_is_seen_on_the_next_page(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("assistance:queue")).status_code == 403

    caseworker.groups.add(Group.objects.get(name="supervisor"))

    assert client.get(reverse("assistance:queue")).status_code == 200
