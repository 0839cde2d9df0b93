"""The rows the data migrations create: role groups, programs and their parameters, the
default authority limits and the recovery caps.

A transactional test (threads, a live server, a real Celery worker) ends with a flush that
empties every table, these rows included; `restore_migration_rows` puts them back. Each step
is safe to repeat.
"""

import importlib

from django.apps import apps


def restore_migration_rows() -> None:
    from django.contrib.auth.models import Group

    from eligibility.loading import load_shipped
    from eligibility.models import ParameterValue, Program

    for migration in ("0002_roles", "0004_finance_role"):
        for name in importlib.import_module(f"accounts.migrations.{migration}").ROLES:
            Group.objects.get_or_create(name=name)
    load_shipped(Program, ParameterValue)
    importlib.import_module("assistance.migrations.0003_default_authority_limits").add_defaults(apps, None)
    importlib.import_module("assistance.migrations.0004_recovery_parameters").add_caps(apps, None)
