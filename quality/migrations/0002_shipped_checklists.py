import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "checklists.json"


def load_checklists(apps, schema_editor):
    """The shipped checklists (SNAP, income support, drug assistance, child support), once each."""
    Checklist = apps.get_model("quality", "Checklist")
    for item in json.loads(DATA.read_text()):
        Checklist.objects.get_or_create(
            code=item["code"],
            defaults={"name": item["name"], "rules_module": item["rules_module"], "elements": item["elements"]},
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_samples_reviews_findings")]

    operations = [migrations.RunPython(load_checklists, migrations.RunPython.noop)]
