"""The ledger partitioned by month on PostgreSQL (assistance/partitions.py says why and what changes).

Every transaction and entry is kept: both tables are rebuilt as partitioned ones under an
exclusive lock, the rows copied with their ids, places and hashes, and the ids' sequences
carried on. The append-only triggers, the balance check, the indexes and the foreign keys to
issuances, overpayments, cases, clients, programs and users are made again on the new tables.
What must hold across the whole ledger and that no index of a partitioned table can hold (one
issue per issuance, one establishment per overpayment, one reversal per transaction, one
transaction per place in the chain, each reversal naming a transaction) moves to the ledger's
keys, a plain table kept by the database. An entry names its transaction by id and posting time,
the transaction's key. On SQLite nothing changes.
"""

from django.conf import settings
from django.db import migrations

from core.db_roles import _ident, _literal

TRANSACTIONS = "assistance_ledgertransaction"
ENTRIES = "assistance_ledgerentry"

PARTITION_FUNCTIONS = """
CREATE OR REPLACE FUNCTION assistance_ledger_partition_create(month timestamp) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first timestamp := date_trunc('month', month);
    suffix text := '_p' || to_char(date_trunc('month', month), 'YYYY_MM');
    parent text;
    created boolean := false;
BEGIN
    FOREACH parent IN ARRAY ARRAY['assistance_ledgertransaction', 'assistance_ledgerentry'] LOOP
        CONTINUE WHEN to_regclass('public.' || parent || suffix) IS NOT NULL;
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
            parent || suffix, parent, first AT TIME ZONE 'UTC', (first + interval '1 month') AT TIME ZONE 'UTC');
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = {app}) THEN
            EXECUTE format('REVOKE ALL ON public.%I FROM %I', parent || suffix, {app});
        END IF;
        created := true;
    END LOOP;
    RETURN created;
END $$;

CREATE OR REPLACE FUNCTION assistance_ledger_partitions_ensure(first_month timestamp, months_ahead integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    created integer := 0;
BEGIN
    FOR i IN 0..least(greatest(months_ahead, 0), 24) LOOP
        IF assistance_ledger_partition_create(first_month + make_interval(months => i)) THEN
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;
"""

KEYS = """
-- One row per ledger transaction, written by the database alone (the application may only read
-- it): what must be unique across every month, where a partitioned table's unique indexes
-- cannot reach.
CREATE TABLE assistance_ledgerkey (
    id bigint PRIMARY KEY,
    seq bigint,
    issuance_id bigint,
    overpayment_id bigint,
    reverses_id bigint
);
COMMENT ON TABLE assistance_ledgerkey IS
    'Each ledger transaction''s keys, kept by assistance_ledger_keys_record(): unique across all months.';
CREATE OR REPLACE FUNCTION assistance_ledger_keys_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO assistance_ledgerkey (id, seq, issuance_id, overpayment_id, reverses_id)
        SELECT id, seq,
            CASE WHEN kind = 'issue' THEN issuance_id END,
            CASE WHEN kind = 'overpayment' THEN overpayment_id END,
            reverses_id
        FROM new_rows;
    RETURN NULL;
END $$;
-- Emptying the ledger (its owner alone may) empties its keys.
CREATE OR REPLACE FUNCTION assistance_ledger_keys_empty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    TRUNCATE assistance_ledgerkey;
    RETURN NULL;
END $$;
"""

KEY_CONSTRAINTS = """
ALTER TABLE assistance_ledgerkey
    ADD CONSTRAINT ledgertransaction_one_row_per_chain_position UNIQUE (seq),
    ADD CONSTRAINT ledgertransaction_one_issue_per_issuance UNIQUE (issuance_id),
    ADD CONSTRAINT ledgertransaction_one_establishment_per_overpayment UNIQUE (overpayment_id),
    ADD CONSTRAINT assistance_ledgertransaction_reverses_id_key UNIQUE (reverses_id),
    ADD CONSTRAINT assistance_ledgertransaction_reverses_a_transaction
        FOREIGN KEY (reverses_id) REFERENCES assistance_ledgerkey (id) DEFERRABLE INITIALLY DEFERRED;
CREATE TRIGGER assistance_ledgertransaction_keys AFTER INSERT ON assistance_ledgertransaction
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assistance_ledger_keys_record();
CREATE TRIGGER assistance_ledgertransaction_keys_emptied AFTER TRUNCATE ON assistance_ledgertransaction
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_ledger_keys_empty();
CREATE TRIGGER assistance_ledgerkey_unchanged BEFORE UPDATE OR DELETE ON assistance_ledgerkey
    FOR EACH ROW EXECUTE FUNCTION assistance_refuse_ledger_change();
"""

# The balance check of migration 0002, reading the one month its transaction was posted in: every
# entry of a transaction carries the transaction's posting time (the foreign key below).
BALANCED = """
CREATE OR REPLACE FUNCTION assistance_ledger_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total
        FROM assistance_ledgerentry WHERE transaction_id = NEW.transaction_id AND posted_at = NEW.posted_at;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: its entries sum to %', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER assistance_ledgerentry_balanced AFTER INSERT ON assistance_ledgerentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION assistance_ledger_balanced();
"""


def _all(cursor, sql: str, params=()) -> list:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    app = _literal(_ident(settings.CASEWORK_DB_APP_ROLE))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TRANSACTIONS}, {ENTRIES} IN ACCESS EXCLUSIVE MODE")
        # An entry posted at another moment than its transaction was never written by the
        # application; its hash covers that moment, so it cannot be moved: stop and say so.
        cursor.execute(
            f"SELECT count(*) FROM {ENTRIES} e JOIN {TRANSACTIONS} t ON t.id = e.transaction_id "
            f"WHERE e.posted_at <> t.posted_at"
        )
        apart = cursor.fetchone()[0]
        if apart:
            raise RuntimeError(
                f"{apart} ledger entries were posted at another moment than their transaction; "
                f"the ledger cannot be partitioned by month until they are looked into."
            )
        kept = {}
        for table in (TRANSACTIONS, ENTRIES):
            kept[table] = {
                # The unique ones (the keys) move to assistance_ledgerkey.
                "indexes": _all(
                    cursor,
                    "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique",
                    [table],
                ),
                # Those pointing out of the ledger; the two into it are made again below.
                "foreign_keys": _all(
                    cursor,
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                    "AND contype = 'f' AND confrelid <> %s::regclass",
                    [table, TRANSACTIONS],
                ),
                "last_id": _all(cursor, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0],
            }
        months = [
            row[0]
            for row in _all(
                cursor,
                f"SELECT DISTINCT date_trunc('month', posted_at AT TIME ZONE 'UTC') FROM {TRANSACTIONS} ORDER BY 1",
            )
        ]
        for name, table in _all(
            cursor,
            "SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [TRANSACTIONS],
        ):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")

        # The old tables step aside; their indexes, keys and sequences keep their names until they go.
        for table in (TRANSACTIONS, ENTRIES):
            cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_unpartitioned")
            cursor.execute(
                f"CREATE TABLE {table} (LIKE {table}_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                f"PARTITION BY RANGE (posted_at)"
            )
        cursor.execute(PARTITION_FUNCTIONS.replace("{app}", app))
        for month in months:
            cursor.execute("SELECT assistance_ledger_partition_create(%s)", [month])
        cursor.execute("SELECT assistance_ledger_partitions_ensure(now() AT TIME ZONE 'UTC', 3)")
        for table in (TRANSACTIONS, ENTRIES):
            cursor.execute(f"CREATE TABLE {table}_pdefault PARTITION OF {table} DEFAULT")
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_unpartitioned")
        for table in (ENTRIES, TRANSACTIONS):
            cursor.execute(f"DROP TABLE {table}_unpartitioned")

        for table in (TRANSACTIONS, ENTRIES):
            last_id = kept[table]["last_id"]
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, posted_at)")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s, %s)", [max(last_id, 1), last_id > 0]
            )
            for (definition,) in kept[table]["indexes"]:
                cursor.execute(definition)
            for name, definition in kept[table]["foreign_keys"]:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}")
        # The chain is walked in order of place; a transaction's reversal is looked up by what it reverses.
        cursor.execute(f"CREATE INDEX assistance_ledgertransaction_seq ON {TRANSACTIONS} (seq)")
        cursor.execute(f"CREATE INDEX assistance_ledgertransaction_reverses_id ON {TRANSACTIONS} (reverses_id)")
        cursor.execute(
            f"ALTER TABLE {ENTRIES} ADD CONSTRAINT assistance_ledgerentry_names_its_transaction "
            f"FOREIGN KEY (transaction_id, posted_at) REFERENCES {TRANSACTIONS} (id, posted_at) "
            f"DEFERRABLE INITIALLY DEFERRED"
        )
        for table in (TRANSACTIONS, ENTRIES):
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION assistance_refuse_ledger_change()"
            )
        cursor.execute(BALANCED)

        cursor.execute(KEYS)
        cursor.execute(
            "INSERT INTO assistance_ledgerkey (id, seq, issuance_id, overpayment_id, reverses_id) "
            "SELECT id, seq, CASE WHEN kind = 'issue' THEN issuance_id END, "
            "CASE WHEN kind = 'overpayment' THEN overpayment_id END, reverses_id "
            f"FROM {TRANSACTIONS}"
        )
        cursor.execute(KEY_CONSTRAINTS)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0016_authority_limit_role_reviewer")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
