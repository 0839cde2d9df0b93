"""Run the suite as the application's PostgreSQL role (CASEWORK_TEST_APP_ROLE=1, as CI does).

The suite connects as the owner role: it creates the test database and migrates it, as a
deployment's owner does. From then on every connection, the ones threads and the live
server open included, does `SET ROLE` to the application's role (CASEWORK_DB_APP_ROLE), so
each test runs with exactly the rights the site and the workers have. The owner has the
role back only for what the test runner itself needs and the application must not do:
emptying the tables between transactional tests (TRUNCATE) and dropping the test database.

`as_owner()` lends the owner's rights to a test that must act past the application (forging
a row with triggers off, say).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.test import TransactionTestCase

_state = {"active": False}


def enabled() -> bool:
    return bool(getattr(settings, "CASEWORK_TEST_APP_ROLE", False)) and any(
        connections[alias].vendor == "postgresql" for alias in connections
    )


def _execute(connection, sql: str) -> None:
    # On the driver's connection: the role switch is the runner's, not a query of the test's.
    with connection.connection.cursor() as cursor:
        cursor.execute(sql)


def _app_role_sql() -> str:
    from core.db_roles import _ident

    return f"SET ROLE {_ident(settings.CASEWORK_DB_APP_ROLE)}"


def _on_connection_created(sender, connection, **kwargs) -> None:
    if _state["active"] and connection.vendor == "postgresql":
        _execute(connection, _app_role_sql())


def _open_postgres_connections():
    return [c for c in connections.all(initialized_only=True) if c.vendor == "postgresql" and c.connection is not None]


def become_app() -> None:
    _state["active"] = True
    for connection in _open_postgres_connections():
        _execute(connection, _app_role_sql())


def become_owner() -> None:
    _state["active"] = False
    for connection in _open_postgres_connections():
        _execute(connection, "RESET ROLE")


@contextmanager
def as_owner() -> Iterator[None]:
    """The owner's rights for a moment; back to the application's role afterwards."""
    from django.db import connection

    if _state.get("local"):
        # A test's own roles (`act_as_app_in_this_transaction`): back to the login role.
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL ROLE {_state['local']}")
        return
    if not _state["active"]:
        yield
        return
    become_owner()
    try:
        yield
    finally:
        become_app()


def install() -> None:
    """Switch every new connection to the application's role once `become_app` is called, and
    let the runner's flush (TRUNCATE) and sequence resets run as the owner."""
    connection_created.connect(_on_connection_created, dispatch_uid="tests.app_role")
    for name in ("_fixture_setup", "_fixture_teardown"):
        original = TransactionTestCase.__dict__[name]
        is_classmethod = isinstance(original, classmethod)
        function = original.__func__ if is_classmethod else original
        if getattr(function, "as_owner", False):
            continue

        def wrapped(self_or_cls, _function=function):
            with as_owner():
                return _function(self_or_cls)

        wrapped.as_owner = True
        setattr(TransactionTestCase, name, classmethod(wrapped) if is_classmethod else wrapped)


def act_as_app_in_this_transaction():
    """From here to the end of the test's transaction, act as the application's role; the roles.

    When the suite already runs as that role (CASEWORK_TEST_APP_ROLE=1), nothing to do. Else,
    connected as a superuser, make a pair of roles for this test alone, grant them what
    `manage.py db_roles` grants, and `SET LOCAL ROLE`: role creation is transactional in
    PostgreSQL, so the test's rollback removes them and other databases never see them.
    """
    import os

    import pytest
    from django.db import connection

    from core.db_roles import Roles, grants_sql, roles_sql

    with connection.cursor() as cursor:
        if _state["active"]:
            cursor.execute("SELECT current_user")
            return Roles(owner=settings.CASEWORK_DB_OWNER_ROLE, app=cursor.fetchone()[0])
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("needs the suite to run as the application's role, or to connect as a superuser")
        suffix = f"_t{os.getpid()}"
        roles = Roles(owner=settings.CASEWORK_DB_OWNER_ROLE + suffix, app=settings.CASEWORK_DB_APP_ROLE + suffix)
        cursor.execute(roles_sql(roles) + grants_sql(roles))
        cursor.execute(f"SET LOCAL ROLE {roles.app}")
    _state["local"] = roles.app
    return roles


def end_local_roles() -> None:
    _state.pop("local", None)
