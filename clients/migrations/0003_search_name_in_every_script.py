"""Recompute every client's search_name now that names in any script are transliterated.

Names written in Arabic, Cyrillic, Chinese, Devanagari and other scripts used to fold to
nothing, so search could not find them. Running it again changes nothing.
"""

from django.db import migrations

from clients.normalize import search_key

BATCH = 1000


def recompute_search_names(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    changed = []
    rows = Client.objects.only("first_name", "middle_name", "last_name", "preferred_name", "search_name")
    for client in rows.order_by("pk").iterator(chunk_size=BATCH):
        key = search_key(client.first_name, client.middle_name, client.last_name, client.preferred_name)
        if key != client.search_name:
            client.search_name = key
            changed.append(client)
        if len(changed) >= BATCH:
            Client.objects.bulk_update(changed, ["search_name"])
            changed = []
    Client.objects.bulk_update(changed, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_trigram_search")]

    operations = [migrations.RunPython(recompute_search_names, migrations.RunPython.noop)]
