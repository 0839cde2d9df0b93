"""The two PostgreSQL roles and what each may do.

- The owner role (`casework_owner`) owns the schema and runs the migrations.
- The application role (`casework_app`), which the site and the workers use, owns nothing:
  it reads and writes rows, and on the append-only tables below it may only read and insert.
  Not owning a table, it cannot TRUNCATE, ALTER or DROP it, nor disable or drop its
  triggers; not a superuser, it cannot `SET session_replication_role`.

`APPEND_ONLY_TABLES` is the one list of those tables: `grants_sql` (run by `manage.py
db_roles` and again after every migration, see `core.apps`) reads it.

PostgreSQL's own rules relied on here: only a table's owner or a superuser may ALTER, DROP
or TRUNCATE it, or change its triggers (https://www.postgresql.org/docs/15/ddl-priv.html);
`session_replication_role` may only be set by a superuser
(https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-SESSION-REPLICATION-ROLE).
"""

from dataclasses import dataclass

from django.conf import settings

#: Written once, never changed or removed: the application may only SELECT and INSERT.
APPEND_ONLY_TABLES: tuple[str, ...] = (
    # The audit trail.
    "audit_auditevent",
    "audit_auditeventclient",
    # The chains' heads as anchored outside the database, day by day.
    "audit_chainanchor",
    # The ledger.
    "assistance_ledgertransaction",
    "assistance_ledgerentry",
    # Case notes and their addenda.
    "casework_casenote",
    "casework_noteaddendum",
    # Status histories: a row per move.
    "casework_casestatuschange",
    "eligibility_enrollmentstatuschange",
    "assistance_issuancestatuschange",
    "assistance_overpaymentstatuschange",
    "referrals_referralstatuschange",
    "correspondence_correspondencestatuschange",
    "casework_appointmentstatuschange",
    "coverage_specialauthorizationstatuschange",
    "coverage_outofprovinceclaimstatuschange",
    # What a health professional said of an out-of-province claim, kept as written.
    "coverage_claimconsultation",
    "appeals_appealstatuschange",
    "quality_reviewstatuschange",
    "quality_correctiveactionstatuschange",
    # Quality-assurance samples: drawn once from a recorded seed, never swapped or redrawn.
    "quality_sample",
    "quality_sampledcase",
    # Letter wording: each edit is a new version, so a letter sent under one can be explained.
    "correspondence_lettertemplate",
)

#: Append-only tables whose rows are given their place in a hash chain after they are written:
#: the application may set these columns (once: the table's trigger refuses any other change).
CHAINED_AFTER_WRITING: dict[str, tuple[str, ...]] = {"audit_auditevent": ("seq", "hash")}

#: Written by the database's own triggers alone: the application may only SELECT. The ledger's
#: keys (what must be unique across its monthly partitions, assistance/partitions.py).
KEPT_BY_THE_DATABASE_TABLES: tuple[str, ...] = ("assistance_ledgerkey",)

#: Rows that may change while they are drafts but are never removed: the application may
#: not DELETE. A trigger refuses changing a finalised determination or an issued payment.
NEVER_DELETED_TABLES: tuple[str, ...] = (
    "eligibility_determination",
    "assistance_issuance",
    # What was sent to a client: its delivery moves on, the record stays.
    "correspondence_correspondence",
    # What was sent to a member of staff, likewise.
    "correspondence_staffmessage",
)


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str


def configured_roles() -> Roles:
    return Roles(owner=settings.CASEWORK_DB_OWNER_ROLE, app=settings.CASEWORK_DB_APP_ROLE)


def _ident(name: str) -> str:
    """A role name as an SQL identifier; names are checked, not escaped."""
    if not name.replace("_", "").isalnum() or not name[0].isalpha() or name != name.lower():
        raise ValueError(f"{name!r} is not a plain lowercase role name (letters, digits and _).")
    return name


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def roles_sql(roles: Roles, *, owner_password: str = "", app_password: str = "", owner_createdb: bool = False) -> str:
    """Create both roles if missing and make sure neither is more than it should be.

    Run by a superuser (or a role with CREATEROLE). Safe to run again.
    """
    owner, app = _ident(roles.owner), _ident(roles.app)
    statements = []
    for role, password, createdb in ((owner, owner_password, owner_createdb), (app, app_password, False)):
        statements.append(
            f"DO $$ BEGIN\n"
            f"    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) THEN\n"
            f"        CREATE ROLE {role} LOGIN;\n"
            f"    END IF;\n"
            f"END $$;"
        )
        attributes = "LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS "
        attributes += "CREATEDB" if createdb else "NOCREATEDB"
        statements.append(f"ALTER ROLE {role} {attributes};")
        if password:
            statements.append(f"ALTER ROLE {role} PASSWORD {_literal(password)};")
    # The owner may act as the application (SET ROLE), as the test suite does to check
    # that the application's role is enough; the application may not act as the owner.
    statements.append(f"REVOKE {owner} FROM {app};")
    statements.append(f"GRANT {app} TO {owner};")
    return "\n".join(statements) + "\n"


def database_sql(roles: Roles) -> str:
    """Hand the current database and its public schema to the owner. Run by a superuser."""
    owner, app = _ident(roles.owner), _ident(roles.app)
    return (
        f"DO $$ BEGIN\n"
        f"    EXECUTE format('ALTER DATABASE %I OWNER TO {owner}', current_database());\n"
        f"    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM PUBLIC', current_database());\n"
        f"    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {app}', current_database());\n"
        f"END $$;\n"
        f"ALTER SCHEMA public OWNER TO {owner};\n"
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n"
        # Tables made before the owner existed (migrated as a superuser) become the owner's.
        f"DO $$ DECLARE item record; BEGIN\n"
        f"    FOR item IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
        f"            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')\n"
        f"            AND pg_get_userbyid(c.relowner) <> {_literal(owner)}\n"
        # A sequence owned by a column follows its table.
        f"            AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid\n"
        f"                AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))\n"
        f"    LOOP\n"
        f"        EXECUTE format('ALTER %s public.%I OWNER TO {owner}',\n"
        f"            CASE item.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'\n"
        f"                WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, item.relname);\n"
        f"    END LOOP;\n"
        # The trigger functions too, so a later migration may replace them; not an extension's.
        f"    FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p\n"
        f"            JOIN pg_namespace n ON n.oid = p.pronamespace\n"
        f"            WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> {_literal(owner)}\n"
        f"            AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')\n"
        f"    LOOP\n"
        f"        EXECUTE format('ALTER FUNCTION %s OWNER TO {owner}', item.name);\n"
        f"    END LOOP;\n"
        f"END $$;\n"
    )


def grants_sql(roles: Roles) -> str:
    """What the application may do on each table and sequence, now and after later migrations.

    Run by the owner (or a superuser). Safe to run again: it revokes what the application
    must not have before granting what it needs.
    """
    owner, app = _ident(roles.owner), _ident(roles.app)
    tables = ", ".join(_literal(table) for table in APPEND_ONLY_TABLES)
    never_deleted = ", ".join(_literal(table) for table in NEVER_DELETED_TABLES)
    kept_by_the_database = ", ".join(_literal(table) for table in KEPT_BY_THE_DATABASE_TABLES)
    # After the REVOKE above, which takes column privileges with it; only once the columns exist.
    chained_later = "".join(
        f"    IF (SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'\n"
        f"            AND table_name = {_literal(table)} AND column_name IN ({', '.join(map(_literal, columns))}))"
        f" = {len(columns)} THEN\n"
        f"        GRANT UPDATE ({', '.join(map(_ident, columns))}) ON public.{_ident(table)} TO {app};\n"
        f"    END IF;\n"
        for table, columns in CHAINED_AFTER_WRITING.items()
    )
    return (
        f"GRANT USAGE ON SCHEMA public TO {app};\n"
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app};\n"
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};\n"
        # Before the first migration these tables do not exist yet; the grants run again after it.
        f"DO $$ DECLARE name text; BEGIN\n"
        f"    FOREACH name IN ARRAY ARRAY[{tables}] LOOP\n"
        f"        IF to_regclass('public.' || name) IS NOT NULL THEN\n"
        f"            EXECUTE format('REVOKE UPDATE, DELETE ON public.%I FROM {app}', name);\n"
        f"        END IF;\n"
        f"    END LOOP;\n"
        # A partition of an append-only table (the trail's months): rows go through the parent,
        # whose rights apply, so the application needs none on the partition itself.
        f"    FOR name IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid\n"
        f"            JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(ARRAY[{tables}]) LOOP\n"
        f"        EXECUTE format('REVOKE ALL ON public.%I FROM {app}', name);\n"
        f"    END LOOP;\n"
        f"    FOREACH name IN ARRAY ARRAY[{never_deleted}] LOOP\n"
        f"        IF to_regclass('public.' || name) IS NOT NULL THEN\n"
        f"            EXECUTE format('REVOKE DELETE ON public.%I FROM {app}', name);\n"
        f"        END IF;\n"
        f"    END LOOP;\n"
        f"    FOREACH name IN ARRAY ARRAY[{kept_by_the_database}] LOOP\n"
        f"        IF to_regclass('public.' || name) IS NOT NULL THEN\n"
        f"            EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON public.%I FROM {app}', name);\n"
        f"        END IF;\n"
        f"    END LOOP;\n"
        f"{chained_later}"
        f"END $$;\n"
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app};\n"
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};\n"
        # Tables a later migration creates: the same rows-only grants from the start; the
        # append-only ones lose UPDATE and DELETE when the migration ends (core.apps).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public\n"
        f"    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};\n"
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public\n"
        f"    GRANT USAGE, SELECT ON SEQUENCES TO {app};\n"
    )


def role_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


def apply_grants_after_migrate(*, sender, using: str, **kwargs) -> None:
    """post_migrate: re-apply the application's grants, so new tables get them at once.

    Only on PostgreSQL, only where both roles exist, and only when migrations ran (a test
    suite's flush also sends post_migrate, with no plan). The signal comes once per app
    with models; the grants run on the last one's.
    """
    from django.apps import apps
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql" or not kwargs.get("plan"):
        return
    if sender is not [config for config in apps.get_app_configs() if config.models_module][-1]:
        return
    roles = configured_roles()
    with connection.cursor() as cursor:
        if not (role_exists(cursor, roles.owner) and role_exists(cursor, roles.app)):
            return
        cursor.execute(grants_sql(roles))
