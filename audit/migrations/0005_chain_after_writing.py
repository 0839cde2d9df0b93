"""The trail is chained after it is written: an event's place and hash may be set once, nothing else.

Until now the trigger refused every UPDATE of an event. The chainer (`audit.chain.audit_link_pending`)
now writes an event without its place and sets `seq` and `hash` a few seconds later, so on
PostgreSQL the trigger lets exactly that through: an UPDATE of an event still without a place
that gives it one and changes no other column. Any other UPDATE, and every DELETE, is refused
as before. The application's role may update those two columns only (core/db_roles.py).
"""

from django.db import migrations

REFUSE_BUT_CHAINING = """
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
            AND (to_jsonb(NEW) - 'seq' - 'hash') = (to_jsonb(OLD) - 'seq' - 'hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
"""

REFUSE_ALL = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_BUT_CHAINING, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_hash_chain")]

    operations = [migrations.RunPython(forward, backward)]
