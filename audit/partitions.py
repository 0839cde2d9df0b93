"""The audit trail in monthly partitions (PostgreSQL's PARTITION BY RANGE on the event's time).

A month's events sit in their own table, `audit_auditevent_pYYYY_MM` (months in UTC), so the
trail's indexes stay the size of a month, and an old month can be detached and archived whole.
The application never names a partition: it reads and writes `audit_auditevent` and PostgreSQL
routes each row. A default partition takes any row no month holds yet, so an event is never
refused; beat creates the coming months ahead of time (`audit_partitions_ensure`, daily), which
keeps the default empty.

Partitions are created by `audit_partition_create`, a function owned by the schema's owner and
run with its rights (SECURITY DEFINER): the application's role may create next month's table
without being allowed to create or alter anything else. It also takes from the application
every right on the new table itself (rows go through the parent, whose rights apply), and
gives the month a unique index on the chain position.

What partitioning changes (PostgreSQL only; SQLite keeps one table):
- The primary key is `(id, at)`: a partitioned table's unique keys must hold its partition key.
- `seq` is unique within each month, not across months; the chainer alone sets it, under the
  head's lock, and `audit_verify` names a position held twice.
- `audit_auditeventclient.event_id` can no longer be a foreign key (it would need the whole key);
  a statement trigger refuses a row naming no event instead.
"""

from datetime import datetime

from core.partitions import MONTHS_AHEAD, partitions_ensure, partitions_of

__all__ = ["MONTHS_AHEAD", "audit_partitions", "audit_partitions_ensure"]


def audit_partitions_ensure(*, months_ahead: int = MONTHS_AHEAD, now: datetime | None = None) -> int:
    """Create the trail's partitions for this month and the next `months_ahead`; returns how many were new.

    Safe to run again, and at once: it creates only the months missing.
    """
    return partitions_ensure("audit_auditevent", months_ahead=months_ahead, now=now)


def audit_partitions() -> list[tuple[str, int]]:
    """Each partition of the trail with its number of rows (estimated by PostgreSQL's statistics), oldest first."""
    return partitions_of("audit_auditevent")
