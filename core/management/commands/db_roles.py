"""Create the owner and application roles and the application's grants (core/db_roles.py)."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.db_roles import Roles, configured_roles, database_sql, grants_sql, roles_sql


class Command(BaseCommand):
    help = (
        "Print (or, with --apply, run as a PostgreSQL superuser) the SQL that creates the owner role, "
        "which migrates, and the application's role, which owns nothing and may only read and insert on "
        "append-only tables; hands the database to the owner and grants the application its rights. "
        "Safe to run again. With --apply, passwords come from CASEWORK_DB_OWNER_PASSWORD and "
        "CASEWORK_DB_APP_PASSWORD; printed SQL has none (set them with ALTER ROLE ... PASSWORD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Run the SQL on DATABASE_URL's database.")
        parser.add_argument("--owner", help="The owner role's name (CASEWORK_DB_OWNER_ROLE, casework_owner).")
        parser.add_argument("--app", help="The application role's name (CASEWORK_DB_APP_ROLE, casework_app).")
        parser.add_argument(
            "--owner-createdb",
            action="store_true",
            help="Let the owner create databases: what a test suite run as the owner needs (CI), not production.",
        )

    def handle(self, *args, apply: bool, owner: str | None, app: str | None, owner_createdb: bool, **options):
        configured = configured_roles()
        roles = Roles(owner=owner or configured.owner, app=app or configured.app)
        if roles.owner == roles.app:
            raise CommandError("The owner and the application need two different roles.")
        try:
            sql = (
                roles_sql(
                    roles,
                    # Printed SQL ends up in terminals and logs: passwords only go to the database.
                    owner_password=os.environ.get("CASEWORK_DB_OWNER_PASSWORD", "") if apply else "",
                    app_password=os.environ.get("CASEWORK_DB_APP_PASSWORD", "") if apply else "",
                    owner_createdb=owner_createdb,
                )
                + database_sql(roles)
                + grants_sql(roles)
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not apply:
            self.stdout.write(sql, ending="")
            return
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL matter; DATABASE_URL names another database.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                raise CommandError(
                    "Run this as a PostgreSQL superuser (DATABASE_URL=postgres://postgres@.../casework)."
                )
            with transaction.atomic():
                cursor.execute(sql)
        self.stdout.write(
            f"Roles {roles.owner} (owns the schema, migrates) and {roles.app} (the site and workers) are ready; "
            f"grants applied on {connection.settings_dict['NAME']}."
        )
