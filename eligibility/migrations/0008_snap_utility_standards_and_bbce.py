from django.db import migrations


def load_shipped_parameters(apps, schema_editor):
    # Idempotent: adds the SNAP utility standards, broad-based categorical eligibility, the
    # poverty guidelines and the state's values to a database loaded before they shipped.
    from eligibility.loading import load_shipped

    load_shipped(apps.get_model("eligibility", "Program"), apps.get_model("eligibility", "ParameterValue"))


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0007_income_support_published_rates"),
    ]

    operations = [
        migrations.RunPython(load_shipped_parameters, migrations.RunPython.noop),
    ]
