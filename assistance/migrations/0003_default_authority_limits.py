"""The authority limits a new installation starts with; admins change them in the Django admin.

A caseworker may issue up to $1,000.00 in emergency funds and approve shelter for up to four
nights; anything beyond needs a supervisor (Client Services Officer job class profile, CG-32,
"Accountability & Decision Making"). The supervisor figures, and the caseworker figures for the
other kinds, are starting points for the agency to set.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

JOB_PROFILE = "Client Services Officer job class profile (CG-32): Accountability & Decision Making"
STARTING_POINT = "Starting figure: set the agency's own"

DEFAULTS = [
    # role, kind, per issuance, max nights, note
    ("caseworker", "emergency", "1000.00", None, JOB_PROFILE),
    ("caseworker", "shelter", None, 4, JOB_PROFILE),
    ("caseworker", "one_off", "500.00", None, STARTING_POINT),
    ("caseworker", "food_voucher", "300.00", None, STARTING_POINT),
    ("caseworker", "drug_card", "500.00", None, STARTING_POINT),
    ("caseworker", "travel", "1000.00", None, STARTING_POINT),
    ("caseworker", "supportive", "500.00", None, STARTING_POINT),
    ("supervisor", "emergency", "5000.00", None, STARTING_POINT),
    ("supervisor", "shelter", None, 30, STARTING_POINT),
    ("supervisor", "one_off", "5000.00", None, STARTING_POINT),
    ("supervisor", "food_voucher", "1000.00", None, STARTING_POINT),
    ("supervisor", "drug_card", "5000.00", None, STARTING_POINT),
    ("supervisor", "travel", "5000.00", None, STARTING_POINT),
    ("supervisor", "supportive", "5000.00", None, STARTING_POINT),
]


def add_defaults(apps, schema_editor):
    AuthorityLimit = apps.get_model("assistance", "AuthorityLimit")
    for role, kind, per_issuance, max_units, note in DEFAULTS:
        AuthorityLimit.objects.get_or_create(
            role=role,
            user=None,
            kind=kind,
            effective_from=date(2020, 1, 1),
            defaults={
                "per_issuance": Decimal(per_issuance) if per_issuance else None,
                "max_units": max_units,
                "note": note,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0002_ledger_triggers")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
