"""The ledger's daily job: its monthly partitions created ahead of time (assistance/partitions.py)."""

from celery import shared_task

from assistance.partitions import ledger_partitions_ensure

__all__ = ["ledger_partitions_create_ahead"]


@shared_task(name="assistance.tasks.ledger_partitions_create_ahead")
def ledger_partitions_create_ahead() -> int:
    """Create the ledger's monthly partitions ahead of time (PostgreSQL); returns how many months were new."""
    return ledger_partitions_ensure()
