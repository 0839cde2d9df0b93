"""On PostgreSQL the database itself refuses to change or remove audit rows.

The trigger fires for every UPDATE and DELETE, whoever sends it: the ORM, a raw
query, or someone at a psql prompt.
"""

from django.db import migrations

from audit.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        append_only_trigger(
            function="audit_refuse_change",
            tables=["audit_auditevent", "audit_auditeventclient"],
            what="audit records",
        )
    ]
