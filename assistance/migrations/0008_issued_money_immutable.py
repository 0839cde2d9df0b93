"""On PostgreSQL the database refuses to change what an issued payment paid, to whom and for whom.

Once an issuance is issued (or reversed), its amount, the amount it recovered, its client and
its payee stay as they were, whoever sends the UPDATE; it cannot be removed; and it moves
only from issued to reversed. The one change of client allowed is to the record its client
was merged into: the same person, whose whole record follows them. A mistake is put right by reversing it (a new, opposite ledger
transaction) and issuing anew. `Issuance.save()` and `delete()` refuse the same in Python.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION assistance_issued_money_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status NOT IN ('issued', 'reversed') THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'issuance % was issued and cannot be removed; reverse it instead', OLD.reference
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.amount IS DISTINCT FROM OLD.amount
        OR NEW.recovered IS DISTINCT FROM OLD.recovered
        OR (NEW.client_id IS DISTINCT FROM OLD.client_id AND NEW.client_id IS DISTINCT FROM
            (SELECT merged_into_id FROM clients_client WHERE id = OLD.client_id))
        OR NEW.payee_kind IS DISTINCT FROM OLD.payee_kind
        OR NEW.payee_name IS DISTINCT FROM OLD.payee_name
        OR NEW.payee_address IS DISTINCT FROM OLD.payee_address THEN
        RAISE EXCEPTION 'issuance % was issued: its amount, payee and client cannot be changed; reverse it and issue anew',
            OLD.reference
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (OLD.status = 'issued' AND NEW.status = 'reversed') THEN
        RAISE EXCEPTION 'issuance % is %: it cannot become %', OLD.reference, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS assistance_issuance_issued_immutable ON assistance_issuance;
CREATE TRIGGER assistance_issuance_issued_immutable BEFORE UPDATE OR DELETE ON assistance_issuance
    FOR EACH ROW EXECUTE FUNCTION assistance_issued_money_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS assistance_issuance_issued_immutable ON assistance_issuance;
DROP FUNCTION IF EXISTS assistance_issued_money_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0007_ledger_transfer_kind")]

    operations = [migrations.RunPython(create, drop)]
