"""The application's PostgreSQL role: what it may not do below the application, and what it still does.

Each statement here succeeds for a superuser; for the role the site and the workers use,
PostgreSQL refuses it, so nothing the application runs (or anyone holding its password) can
empty the trail, the ledger or the notes, switch their triggers off, or rewrite a row.
"""

import os
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import psycopg2
import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from assistance.models import Issuance, LedgerEntry
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import CaseNote
from casework.services.notes import note_write
from core.db_roles import (
    APPEND_ONLY_TABLES,
    KEPT_BY_THE_DATABASE_TABLES,
    NEVER_DELETED_TABLES,
    Roles,
    grants_sql,
    roles_sql,
)
from tests import app_role

pytestmark = pytest.mark.postgres

REFUSED = [
    # Emptying the trail, the ledger and the notes.
    "TRUNCATE audit_auditevent, audit_auditeventclient",
    "TRUNCATE assistance_ledgertransaction, assistance_ledgerentry",
    "TRUNCATE casework_casenote, casework_noteaddendum",
    # Switching off or removing the triggers that keep them.
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
    "ALTER TABLE assistance_ledgerentry DISABLE TRIGGER ALL",
    "ALTER TABLE assistance_issuance DISABLE TRIGGER assistance_issuance_issued_immutable",
    "SET session_replication_role = replica",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TRIGGER assistance_ledgerentry_balanced ON assistance_ledgerentry",
    "DROP TABLE audit_auditevent CASCADE",
    # Rewriting or removing rows.
    "UPDATE audit_auditevent SET reason = 'nothing to see'",
    "DELETE FROM audit_auditevent",
    "DELETE FROM audit_auditeventclient",
    "UPDATE assistance_ledgerentry SET amount = amount * 10",
    "DELETE FROM casework_casenote",
    "UPDATE casework_casestatuschange SET reason = 'rewritten'",
    "UPDATE casework_appointmentstatuschange SET reason = 'rewritten'",
    "DELETE FROM correspondence_correspondencestatuschange",
    "DELETE FROM eligibility_determination",
    "DELETE FROM assistance_issuance",
]


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def work(frozen, caseworker, as_app_role):
    """A day's work done as the application's role: a payment issued, a note written, a read recorded."""
    client, case = client_case(caseworker, enrolled=True)
    issuance = request(caseworker, case, amount="100.00")
    note = note_write(
        acting_user=caseworker,
        case=case,
        kind=CaseNote.Kind.PHONE_CALL,
        contact_at=datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
        body="Called about the rent.",
    )
    audit_record(actor=caseworker, action=AuditEvent.Action.VIEW, object_repr="client file", client_ids=[client.pk])
    return {"issuance": issuance, "note": note, "client": client}


def test_ordinary_work_still_inserts_and_reads_as_the_application(work, caseworker, as_app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (as_app_role.app, False)

    assert Issuance.objects.get(pk=work["issuance"].pk).status == Issuance.Status.ISSUED
    entries = LedgerEntry.objects.filter(transaction__issuance=work["issuance"]).values_list("amount", flat=True)
    assert sorted(entries) == [Decimal("-100.00"), Decimal("100.00")]
    assert CaseNote.objects.get(pk=work["note"].pk).body == "Called about the rent."
    assert AuditEvent.objects.filter(actor=caseworker, subjects__client_id=work["client"].pk).exists()


@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_is_refused(work, statement, as_app_role):
    events = AuditEvent.objects.count()
    entries = sorted(LedgerEntry.objects.values_list("amount", flat=True))

    with (
        pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEvent.objects.count() == events
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == entries
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_the_application_owns_nothing_and_may_only_read_and_insert_on_append_only_tables(as_app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [as_app_role.app],
        )
        assert cursor.fetchone()[0] == 0
        # Nor may it become the owner (`SET ROLE` is checked against the login role, which here
        # is the suite's, so the membership is what to look at).
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [as_app_role.app, as_app_role.owner])
        assert cursor.fetchone() == (False,)
        for table in APPEND_ONLY_TABLES:
            cursor.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT'), "
                "has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE'), "
                "has_table_privilege(%s, %s, 'TRUNCATE')",
                [as_app_role.app, table] * 5,
            )
            assert cursor.fetchone() == (True, True, False, False, False), table
        for table in NEVER_DELETED_TABLES:
            cursor.execute("SELECT has_table_privilege(%s, %s, 'DELETE')", [as_app_role.app, table])
            assert cursor.fetchone() == (False,), table
        for table in KEPT_BY_THE_DATABASE_TABLES:
            cursor.execute(
                "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT'), "
                "has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE')",
                [as_app_role.app, table] * 4,
            )
            assert cursor.fetchone() == (True, False, False, False), table


def test_every_table_with_an_append_only_trigger_is_on_the_append_only_list(db):
    """A new append-only table gets its trigger in a migration; the list gives it its grants."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            # A partition carries its parent's trigger; the parent is the one on the list.
            "WHERE t.tgname LIKE '%%\\_append\\_only' AND NOT t.tgisinternal AND NOT c.relispartition"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert triggered
    assert triggered <= set(APPEND_ONLY_TABLES)


@contextmanager
def superuser_cursor():
    """A cursor that may create roles: the test's own connection when it is a superuser's, else
    one opened with CASEWORK_TEST_ADMIN_URL (CI sets it: the suite itself connects as the
    owner, who may not create roles). Whatever it does is rolled back."""
    with app_role.as_owner(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            yield cursor
            return
    admin_url = os.environ.get("CASEWORK_TEST_ADMIN_URL")
    if not admin_url:
        pytest.fail("creating roles needs a superuser: connect as one, or set CASEWORK_TEST_ADMIN_URL")
    database = connection.settings_dict["NAME"]
    admin = psycopg2.connect(admin_url.rsplit("/", 1)[0] + "/" + database)
    try:
        with admin.cursor() as cursor:
            yield cursor
    finally:
        admin.rollback()
        admin.close()


def test_the_roles_command_can_run_twice_and_leaves_the_same_rights(db, capsys):
    roles = Roles(owner="casework_owner_cmdtest", app="casework_app_cmdtest")
    with superuser_cursor() as cursor:
        for _ in range(2):
            cursor.execute(roles_sql(roles) + grants_sql(roles))
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = %s", [roles.app]
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute("SELECT has_table_privilege(%s, 'audit_auditevent', 'UPDATE')", [roles.app])
        assert cursor.fetchone() == (False,)

    call_command("db_roles", owner=roles.owner, app=roles.app)
    printed = capsys.readouterr().out
    assert "CREATE ROLE casework_app_cmdtest LOGIN" in printed
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE casework_owner_cmdtest" in printed


def test_a_table_a_later_migration_adds_gets_the_applications_grants_at_the_end_of_migrate(db, settings, monkeypatch):
    from django.apps import apps

    from core import db_roles

    app = settings.CASEWORK_DB_APP_ROLE
    with app_role.as_owner(), connection.cursor() as cursor:
        if not (db_roles.role_exists(cursor, app) and db_roles.role_exists(cursor, settings.CASEWORK_DB_OWNER_ROLE)):
            pytest.skip("the configured roles do not exist here: make db-roles")
        cursor.execute("CREATE TABLE casework_visitlog (id bigint PRIMARY KEY, body text)")
        cursor.execute("CREATE TABLE casework_visitdraft (id bigint PRIMARY KEY, body text)")
        monkeypatch.setattr(db_roles, "APPEND_ONLY_TABLES", (*db_roles.APPEND_ONLY_TABLES, "casework_visitlog"))
        last = [config for config in apps.get_app_configs() if config.models_module][-1]

        db_roles.apply_grants_after_migrate(sender=last, using="default", plan=[("casework", "0099_visits")])

        rights = "SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s, 'UPDATE')"
        cursor.execute(rights, [app, "casework_visitlog"] * 2)
        assert cursor.fetchone() == (True, False)
        cursor.execute(rights, [app, "casework_visitdraft"] * 2)
        assert cursor.fetchone() == (True, True)
