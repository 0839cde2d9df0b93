"""The trail's periodic jobs (config/schedules.py): chain new events every few seconds, anchor the heads daily."""

from celery import shared_task

from audit.chain import AUDIT, audit_link_pending
from audit.partitions import audit_partitions_ensure
from audit.services import chain_anchor


@shared_task(name="audit.tasks.chains_anchor")
def chains_anchor() -> int:
    """Append the heads of the trail's and the ledger's chains to the anchor file; returns the trail's position."""
    return next(anchor.seq for anchor in chain_anchor() if anchor.chain == AUDIT)


# Safe to run twice or at once: each run takes the trail's head and places only unplaced events.
@shared_task(name="audit.tasks.events_chain", ignore_result=True)
def events_chain() -> int:
    """Give the trail's newly committed events their place in the hash chain; returns how many."""
    return audit_link_pending()


@shared_task(name="audit.tasks.partitions_ensure")
def partitions_ensure() -> int:
    """Create the trail's monthly partitions ahead of time (PostgreSQL); returns how many were new."""
    return audit_partitions_ensure()
