"""On PostgreSQL the database refuses to change or remove a case note or an addendum.

A correction is an addendum; the note itself stays as it was written.
"""

from django.db import migrations

TABLES = ["casework_casenote", "casework_noteaddendum"]

FORWARD = """
CREATE OR REPLACE FUNCTION casework_note_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case notes are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION casework_note_refuse_change();
"""
    for table in TABLES
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS casework_note_refuse_change();"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
