"""Name search that forgives one typo in every word, on PostgreSQL.

client_name_deletions(search_name) is every word of the name and every string made by deleting
one of its letters (clients.normalize.one_typo_keys gives the same keys of a typed word); a GIN
index on it finds the names with a word one typo from each typed word, even a two-letter word
with which the typo shares no trigram ("uv" for "vu"). fuzzystrmatch's levenshtein ranks them.
On SQLite the search compares names in Python instead (clients.selectors).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION client_name_deletions(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT key), '{}')
    FROM unnest(string_to_array(name, ' ')) AS word,
         LATERAL (
             SELECT word
             UNION ALL
             SELECT overlay(word placing '' from at for 1) FROM generate_series(1, length(word)) AS at
         ) AS keys(key)
    WHERE key <> ''
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;")
        schema_editor.execute(FUNCTION)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS client_search_name_deletions"
            " ON clients_client USING gin (client_name_deletions(search_name));"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS client_search_name_deletions;")
        schema_editor.execute("DROP FUNCTION IF EXISTS client_name_deletions(text);")


class Migration(migrations.Migration):
    dependencies = [("clients", "0008_document_kind_resume")]

    operations = [migrations.RunPython(forward, backward)]
