"""Starting authority limits for out-of-province health claims, as for every other kind
(0003_default_authority_limits): without them every claim would wait for an approver no one
could be. Admins set the agency's own figures in the Django admin."""

from datetime import date
from decimal import Decimal

from django.db import migrations

STARTING_POINT = "Starting figure: set the agency's own"

DEFAULTS = [
    # role, per issuance
    ("caseworker", "1000.00"),
    ("supervisor", "10000.00"),
]


def add_defaults(apps, schema_editor):
    AuthorityLimit = apps.get_model("assistance", "AuthorityLimit")
    for role, per_issuance in DEFAULTS:
        AuthorityLimit.objects.get_or_create(
            role=role,
            user=None,
            kind="health_claim",
            effective_from=date(2020, 1, 1),
            defaults={"per_issuance": Decimal(per_issuance), "max_units": None, "note": STARTING_POINT},
        )


class Migration(migrations.Migration):
    dependencies = [("assistance", "0012_health_claim_issuance_kind")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
