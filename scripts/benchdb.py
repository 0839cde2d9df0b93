"""The database side every PostgreSQL benchmark in scripts/ shares: its own database, made afresh
or reused, and Django set up on it.

A benchmark only ever drops a database whose name contains "bench", with whoever is connected
to it (`DROP DATABASE ... WITH (FORCE)`), and works through the server's `postgres` database
to create and drop it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def require_bench_database(url: str, *, script: str) -> None:
    """Stop unless `url` names a PostgreSQL database whose name contains "bench"."""
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
        sys.exit(f"{script} measures PostgreSQL; {scheme or url!r} is not PostgreSQL.")
    name = database_name(url)
    if "bench" not in name:
        sys.exit(f"{script} drops and rebuilds its database; give it a name containing 'bench', not {name!r}.")


def maintenance(url: str):
    """An autocommit connection to the server's `postgres` database, for creating and dropping ours."""
    import psycopg2

    connection = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def database_exists(url: str) -> bool:
    connection = maintenance(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(url)])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def recreate_database(url: str) -> None:
    """Drop the bench database (if there, whoever is connected) and create it empty."""
    from psycopg2 import sql

    name = database_name(url)
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: a benchmark only writes to a database named *bench*")
    connection = maintenance(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def setup_django(url: str, *, script: str, debug: bool | None = None) -> None:
    """Django on local settings and the bench database, quiet; `debug=False` keeps no query log in memory."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if debug is not None:
        os.environ["DJANGO_DEBUG"] = "true" if debug else "false"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"{script} needs PostgreSQL; DATABASE_URL gave {connection.vendor}.")


def migrate(url: str) -> None:
    """Bring the bench database to the current schema."""
    from django.core.management import call_command

    print(f"migrating {database_name(url)} ...", flush=True)
    call_command("migrate", verbosity=0)


def fresh_database(url: str, *, script: str) -> None:
    """A new, empty, migrated bench database with Django set up on it (what most benchmarks start from)."""
    require_bench_database(url, script=script)
    recreate_database(url)
    setup_django(url, script=script)
    migrate(url)
