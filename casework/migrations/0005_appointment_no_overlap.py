"""On PostgreSQL, the database also refuses two overlapping appointments of one worker that hold
their time (scheduled or kept): an exclusion constraint over the worker and the time range.

The booking service checks first, under a lock on the worker, and says which appointment is in
the way; this is the backstop for anything that reaches the table another way. btree_gist lets
the worker's id (an equality) sit in the same GiST index as the range.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist;")
        schema_editor.execute(
            "ALTER TABLE casework_appointment ADD CONSTRAINT appointment_worker_no_overlap "
            "EXCLUDE USING gist (worker_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
            "WHERE (status IN ('scheduled', 'kept'));"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE casework_appointment DROP CONSTRAINT IF EXISTS appointment_worker_no_overlap;"
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_appointments")]

    operations = [migrations.RunPython(forward, backward)]
