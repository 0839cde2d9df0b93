"""The ledger in monthly partitions (PostgreSQL's PARTITION BY RANGE on the posting time).

A month's transactions and entries sit in their own tables, `assistance_ledgertransaction_pYYYY_MM`
and `assistance_ledgerentry_pYYYY_MM` (months in UTC), so the ledger's indexes stay the size of a
month and an old month can be detached and archived whole. The application never names a
partition: it reads and writes the two parents and PostgreSQL routes each row. A default
partition takes any row no month holds yet, so a posting is never refused; beat creates the
coming months ahead of time (`ledger_partitions_ensure`, daily), which keeps the default empty.

Months are created by `assistance_ledger_partition_create`, a function owned by the schema's
owner and run with its rights (SECURITY DEFINER), as the trail's are (audit/partitions.py).

What partitioning changes, and how each guarantee still holds (PostgreSQL only; SQLite keeps
plain tables and the model's constraints):
- The primary keys are `(id, posted_at)`: a partitioned table's unique keys must hold its
  partition key. Ids are identities the application cannot choose (GENERATED ALWAYS; the payment
  run's COPY takes them from the same sequence).
- What must be unique across every month cannot be an index of the partitioned table, so each
  transaction's keys are also written, by the database, to `assistance_ledgerkey`, a plain table
  whose unique constraints carry the names they had: `ledgertransaction_one_issue_per_issuance`,
  `ledgertransaction_one_establishment_per_overpayment`, `..._reverses_id_key` (a transaction is
  reversed once) and `ledgertransaction_one_row_per_chain_position` (the chain cannot fork), plus
  the transaction's id. A statement trigger fills it as the rows go in (so the payment run's COPY
  is checked like any INSERT); the application may only read it, and a reversal must name a
  transaction there (its foreign key).
- An entry names its transaction by `(transaction_id, posted_at)`, a foreign key into the
  partitioned table: every entry is posted at its transaction's moment, as `ledger_post_many` and
  the payment run always did. The balance check at commit therefore reads one month.
- The hash chain is unchanged: `chain_verify` walks the places across months in order.
"""

from datetime import datetime

from core.partitions import MONTHS_AHEAD, partitions_ensure, partitions_of

LEDGER_TABLES = ("assistance_ledgertransaction", "assistance_ledgerentry")


def ledger_partitions_ensure(*, months_ahead: int = MONTHS_AHEAD, now: datetime | None = None) -> int:
    """Create the ledger's partitions for this month and the next `months_ahead`; returns how many months were new.

    Safe to run again, and at once: it creates only the months missing.
    """
    return partitions_ensure("assistance_ledgertransaction", months_ahead=months_ahead, now=now)


def ledger_partitions() -> list[tuple[str, int]]:
    """Each partition of the ledger's two tables with its estimated number of rows, by table and month."""
    return [partition for table in LEDGER_TABLES for partition in partitions_of(table)]
