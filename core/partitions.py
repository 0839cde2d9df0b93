"""Monthly partitions on PostgreSQL: the helpers the audit trail and the ledger share.

Each partitioned table family has its own SECURITY DEFINER function, made by its migration,
that creates a month's partitions if missing (`audit_partitions_ensure`,
`assistance_ledger_partitions_ensure`); these call it for the current month (in UTC) and the
next ones, and list a table's partitions. On SQLite, where nothing is partitioned, they do nothing.
"""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone

#: Months created ahead of the current one (UTC) by the daily jobs.
MONTHS_AHEAD = 3

#: The SQL functions that create a family's months, by the family's parent table.
ENSURE_FUNCTIONS = {
    "audit_auditevent": "audit_partitions_ensure",
    "assistance_ledgertransaction": "assistance_ledger_partitions_ensure",
}


def partitions_ensure(parent: str, *, months_ahead: int = MONTHS_AHEAD, now: datetime | None = None) -> int:
    """Create `parent`'s partitions for this month and the next `months_ahead`; returns how many months were new.

    Safe to run again, and at once: the function creates only the months missing.
    """
    if connection.vendor != "postgresql":
        return 0
    month = (
        (now or timezone.now()).astimezone(UTC).replace(tzinfo=None, day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ENSURE_FUNCTIONS[parent]}(%s::timestamp, %s)", [month, months_ahead])
        return cursor.fetchone()[0]


def partitions_of(parent: str) -> list[tuple[str, int]]:
    """Each partition of `parent` with its number of rows (estimated by PostgreSQL's statistics), oldest first."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [parent],
        )
        return list(cursor.fetchall())
