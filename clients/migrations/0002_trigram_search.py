"""Typo-forgiving name search on PostgreSQL: pg_trgm and a GIN index on search_name.

The `%` operator and similarity() use this index; on SQLite the search falls back
to a simpler comparison in Python (clients.selectors).
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS client_search_name_trgm ON clients_client USING gin (search_name gin_trgm_ops);"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS client_search_name_trgm;")


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
