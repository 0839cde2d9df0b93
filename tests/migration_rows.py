"""The rows the data migrations create: role groups, programs and their parameters, the
default authority limits and the recovery caps.

A transactional test (threads, a live server, a real Celery worker) ends with a flush that
empties every table, these rows included; `restore_migration_rows` puts them back. Each step
is safe to repeat.

When the test database was serialized after migrating (some collected test asks for
`serialized_rollback`), the rows come back from that copy, with their ids: a later test with
`serialized_rollback` then reloads the same rows onto themselves instead of meeting a role
group or a content type made again under another id.
"""

import importlib

from django.apps import apps


def restore_migration_rows() -> None:
    from django.db import connection

    serialized = getattr(connection, "_test_serialized_contents", None)
    if serialized:
        _restore_serialized(connection, serialized)
        return
    _recreate()


def _restore_serialized(connection, serialized: str) -> None:
    from django.core.management import call_command

    from tests import app_role

    with app_role.as_owner():
        # Emptied again without post_migrate, which would make content types and permissions
        # anew under other ids; then the rows as migrated, ids and all.
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            inhibit_post_migrate=True,
            reset_sequences=False,  # ids only grow: the rows reloaded keep theirs, new ones come after
            database=connection.alias,
        )
        connection.creation.deserialize_db_from_string(serialized)


def _recreate() -> None:
    from django.contrib.auth.models import Group

    from eligibility.loading import load_shipped
    from eligibility.models import ParameterValue, Program

    for migration in (
        "0002_roles",
        "0004_finance_role",
        "0008_partner_role",
        "0010_hearing_officer_role",
        "0011_reviewer_role",
        "0012_office_manager_role",
    ):
        for name in importlib.import_module(f"accounts.migrations.{migration}").ROLES:
            Group.objects.get_or_create(name=name)
    load_shipped(Program, ParameterValue)
    importlib.import_module("assistance.migrations.0003_default_authority_limits").add_defaults(apps, None)
    importlib.import_module("assistance.migrations.0013_default_health_claim_limits").add_defaults(apps, None)
    importlib.import_module("assistance.migrations.0004_recovery_parameters").add_caps(apps, None)
    importlib.import_module("quality.migrations.0002_shipped_checklists").load_checklists(apps, None)
