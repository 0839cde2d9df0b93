"""Adds the shipped parameter values a database does not have yet: Income Support's published
rates from September 2025 and the disability supplement. Values already stored are left alone."""

from django.db import migrations


def load_shipped_parameters(apps, schema_editor):
    from eligibility.loading import load_shipped

    load_shipped(apps.get_model("eligibility", "Program"), apps.get_model("eligibility", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0006_determination_rule_version"),
    ]

    operations = [
        migrations.RunPython(load_shipped_parameters, migrations.RunPython.noop),
    ]
