"""Personas every test can ask for, and the switches for PostgreSQL- and Redis-only tests.

The personas: a caseworker (`caseworker`), their supervisor (`supervisor`), a caseworker
of another office (`other_caseworker`), an administrator (`admin_user`) and an auditor
(`auditor`). `caseworker` and `supervisor` share the North office and a team. The North
office's manager (`office_manager`) is asked for by the tests that need one.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from tests import app_role
from tests.factories import OfficeFactory, TeamFactory, UserFactory
from tests.migration_rows import restore_migration_rows

_flushed = {"module": False}


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL (CI does)"))


def pytest_configure(config):
    if app_role.enabled():
        app_role.install()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, created and migrated as the owner; with CASEWORK_TEST_APP_ROLE=1 the
    tests then run as the application's role (tests/app_role.py)."""
    if not app_role.enabled():
        yield
        return
    with django_db_blocker.unblock():
        app_role.become_app()
    yield
    with django_db_blocker.unblock():
        app_role.become_owner()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A page in a worker's own language leaves that language active in the thread; the next
    test, calling a service directly, must read its messages in English again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _private_media():
    yield
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("serialized_rollback"):
        return False  # pytest-django reloads the rows as they were, ids and all
    return bool(
        (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _migration_rows(request, django_db_blocker):
    """A transactional test may follow another's flush: it starts with the migrations' rows back."""
    if _transactional(request):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            restore_migration_rows()
        _flushed["module"] = True


@pytest.fixture(autouse=True, scope="module")
def _migration_rows_after_flush(django_db_blocker):
    """Module-scoped, so it runs after the module's last flush: later tests, and a reused test
    database's next run, find the migrations' rows."""
    yield
    if _flushed["module"]:
        with django_db_blocker.unblock():
            restore_migration_rows()
        _flushed["module"] = False


@pytest.fixture
def as_app_role(db):
    """The rest of the test runs with the rights of the application's PostgreSQL role.

    Gives the names of the roles (`core.db_roles.Roles`)."""
    yield app_role.act_as_app_in_this_transaction()
    app_role.end_local_roles()


@pytest.fixture
def warm_cache(settings):
    """A real cache, empty at the start, and sessions read through it, for the tests that count
    what a page costs as production serves it (tests/page_queries.py)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as production (settings/production.py)
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def north(db):
    return OfficeFactory(code="north", name="North Office")


@pytest.fixture
def south(db):
    return OfficeFactory(code="south", name="South Office")


@pytest.fixture
def supervisor(north):
    user = UserFactory(username="sup", office=north, roles=["supervisor"])
    team = TeamFactory(office=north, supervisor=user)
    user.team = team
    user.save(update_fields=["team"])
    return user


@pytest.fixture
def caseworker(supervisor, north):
    return UserFactory(username="worker", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def other_caseworker(south):
    team = TeamFactory(office=south, supervisor=UserFactory(username="south_sup", office=south, roles=["supervisor"]))
    return UserFactory(username="south_worker", office=south, team=team, roles=["caseworker"])


@pytest.fixture
def office_manager(north):
    """The North office's manager: its dashboard and the cases behind its figures, read only."""
    return UserFactory(username="north_office_manager", office=north, roles=["office_manager"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="boss", roles=["admin"], is_staff=True)


@pytest.fixture
def auditor(db):
    return UserFactory(username="checker", roles=["auditor"])


@pytest.fixture
def personas(caseworker, supervisor, other_caseworker, admin_user, auditor) -> dict:
    return {
        "caseworker": caseworker,
        "supervisor": supervisor,
        "other_caseworker": other_caseworker,
        "admin": admin_user,
        "auditor": auditor,
    }
