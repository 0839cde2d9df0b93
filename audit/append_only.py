"""Records that are written once and never changed or removed: the audit trail, case notes.

`AppendOnlyModel` refuses it in Python; `append_only_trigger` is the migration operation
that makes PostgreSQL refuse it too, whoever sends the UPDATE or DELETE.
"""

from django.db import migrations, models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural.capitalize()} cannot be changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural.capitalize()} cannot be removed.")


class AppendOnlyModel(models.Model):
    """Saved once. `append_only_message` says what to do instead of changing a row."""

    append_only_message = "This record cannot be changed or removed."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        # Always an INSERT: a new instance given an existing row's pk must not overwrite that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.append_only_message)


def append_only_trigger(*, function: str, tables: list[str], what: str) -> migrations.RunPython:
    """A migration operation: on PostgreSQL, a trigger on each table that refuses UPDATE and DELETE.

    (SQLite, used only on developers' machines, relies on `AppendOnlyModel`.)
    """
    create = (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
        f"BEGIN\n"
        f"    RAISE EXCEPTION '{what} are append-only: % on % refused', TG_OP, TG_TABLE_NAME\n"
        f"        USING ERRCODE = 'insufficient_privilege';\n"
        f"END;\n$$ LANGUAGE plpgsql;\n"
    ) + "".join(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();\n"
        for table in tables
    )
    drop = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in tables)
    drop += f"DROP FUNCTION IF EXISTS {function}();\n"

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forward, backward)
