"""On PostgreSQL the database itself refuses to change or remove a finalised determination.

`Determination.save()` and `delete()` refuse in Python; this trigger also stops a queryset
`update()`, a raw query or a psql prompt. A draft may still become approved or denied.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION eligibility_refuse_finalised_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'determination % is finalised and cannot be changed or removed', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS eligibility_determination_finalised ON eligibility_determination;
CREATE TRIGGER eligibility_determination_finalised BEFORE UPDATE OR DELETE ON eligibility_determination
    FOR EACH ROW EXECUTE FUNCTION eligibility_refuse_finalised_change();
"""

DROP = """
DROP TRIGGER IF EXISTS eligibility_determination_finalised ON eligibility_determination;
DROP FUNCTION IF EXISTS eligibility_refuse_finalised_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
