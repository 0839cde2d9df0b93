"""On PostgreSQL the database keeps the ledger honest, whoever writes to it.

- Ledger transactions and entries are append-only: UPDATE and DELETE are refused.
- At commit, every ledger transaction that gained entries must sum to zero: a deferred
  constraint trigger adds up the transaction's entries and refuses the commit otherwise.

(SQLite, used only on developers' machines, relies on `AppendOnlyModel` and the check in
`assistance.services.ledger.ledger_post`.)
"""

from django.db import migrations

from audit.append_only import append_only_trigger

BALANCED = """
CREATE OR REPLACE FUNCTION assistance_ledger_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total
        FROM assistance_ledgerentry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to %', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS assistance_ledgerentry_balanced ON assistance_ledgerentry;
CREATE CONSTRAINT TRIGGER assistance_ledgerentry_balanced AFTER INSERT ON assistance_ledgerentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION assistance_ledger_balanced();
"""

UNBALANCED_DROP = """
DROP TRIGGER IF EXISTS assistance_ledgerentry_balanced ON assistance_ledgerentry;
DROP FUNCTION IF EXISTS assistance_ledger_balanced();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BALANCED, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNBALANCED_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]

    operations = [
        append_only_trigger(
            function="assistance_refuse_ledger_change",
            tables=["assistance_ledgertransaction", "assistance_ledgerentry"],
            what="Ledger entries",
        ),
        migrations.RunPython(create, drop),
    ]
