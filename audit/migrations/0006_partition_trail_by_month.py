"""The audit trail partitioned by month on PostgreSQL (audit/partitions.py says why and what changes).

Every event is kept: the table is rebuilt as a partitioned one under an exclusive lock, the rows
copied with their ids, positions and hashes, and the id's sequence carried on. The append-only
trigger, the indexes and the foreign key to the actor are made again on the new table; the
clients' foreign key to the event becomes a trigger. On SQLite nothing changes but the index
the chainer reads (events still waiting for their place).
"""

from django.conf import settings
from django.db import migrations, models

from core.db_roles import _ident, _literal

PARTITION_FUNCTIONS = """
CREATE OR REPLACE FUNCTION audit_partition_create(month timestamp) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first timestamp := date_trunc('month', month);
    name text := 'audit_auditevent_p' || to_char(date_trunc('month', month), 'YYYY_MM');
BEGIN
    IF to_regclass('public.' || name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_auditevent FOR VALUES FROM (%L) TO (%L)',
        name, first AT TIME ZONE 'UTC', (first + interval '1 month') AT TIME ZONE 'UTC');
    EXECUTE format('CREATE UNIQUE INDEX %I ON public.%I (seq)', name || '_seq', name);
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = {app}) THEN
        EXECUTE format('REVOKE ALL ON public.%I FROM %I', name, {app});
    END IF;
    RETURN true;
END $$;

CREATE OR REPLACE FUNCTION audit_partitions_ensure(first_month timestamp, months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    created integer := 0;
BEGIN
    FOR i IN 0..least(greatest(months_ahead, 0), 24) LOOP
        IF audit_partition_create(first_month + make_interval(months => i)) THEN
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

CREATE OR REPLACE FUNCTION audit_event_client_refuse_orphan() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT FROM new_rows n WHERE NOT EXISTS (SELECT FROM audit_auditevent e WHERE e.id = n.event_id)) THEN
        RAISE EXCEPTION 'an audit event''s client must name an event of the trail'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _one(cursor, sql: str, params=()) -> list:
    cursor.execute(sql, params)
    return cursor.fetchall()


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    app = _literal(_ident(settings.CASEWORK_DB_APP_ROLE))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE audit_auditevent, audit_auditeventclient IN ACCESS EXCLUSIVE MODE")
        indexes = _one(
            cursor,
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = 'audit_auditevent'::regclass AND NOT i.indisprimary AND NOT i.indisunique",
        )
        foreign_keys = _one(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audit_auditevent'::regclass AND contype = 'f'",
        )
        client_keys = _one(
            cursor,
            "SELECT conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = 'audit_auditeventclient'::regclass AND confrelid = 'audit_auditevent'::regclass",
        )
        months = [
            row[0]
            for row in _one(
                cursor, "SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC') FROM audit_auditevent ORDER BY 1"
            )
        ]
        for (name,) in client_keys:
            cursor.execute(f"ALTER TABLE audit_auditeventclient DROP CONSTRAINT {_quote(name)}")

        # The old table steps aside; its indexes, key and sequence keep their names until it goes.
        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_unpartitioned")
        cursor.execute(
            "CREATE TABLE audit_auditevent (LIKE audit_auditevent_unpartitioned INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (at)"
        )
        cursor.execute(PARTITION_FUNCTIONS.replace("{app}", app))
        for month in months:
            cursor.execute("SELECT audit_partition_create(%s)", [month])
        cursor.execute("SELECT audit_partitions_ensure(now() AT TIME ZONE 'UTC', 3)")
        cursor.execute("CREATE TABLE audit_auditevent_pdefault PARTITION OF audit_auditevent DEFAULT")
        cursor.execute("CREATE UNIQUE INDEX audit_auditevent_pdefault_seq ON audit_auditevent_pdefault (seq)")
        cursor.execute("INSERT INTO audit_auditevent SELECT * FROM audit_auditevent_unpartitioned")
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent_unpartitioned")
        last_id = cursor.fetchone()[0]
        cursor.execute("DROP TABLE audit_auditevent_unpartitioned")

        cursor.execute("ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id, at)")
        cursor.execute("ALTER TABLE audit_auditevent ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s, %s)", [max(last_id, 1), last_id > 0]
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE audit_auditevent ADD CONSTRAINT {_quote(name)} {definition}")
        cursor.execute(
            "CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
        )
        cursor.execute(
            "CREATE TRIGGER audit_auditeventclient_names_an_event AFTER INSERT ON audit_auditeventclient "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_event_client_refuse_orphan()"
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_after_writing")]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=models.Q(seq__isnull=True), fields=["id"], name="audit_event_waiting"),
        ),
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
