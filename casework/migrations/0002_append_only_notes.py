"""On PostgreSQL the database refuses to change or remove a case note or an addendum.

A correction is an addendum; the note itself stays as it was written.
"""

from django.db import migrations

from audit.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [
        append_only_trigger(
            function="casework_note_refuse_change",
            tables=["casework_casenote", "casework_noteaddendum"],
            what="case notes",
        )
    ]
