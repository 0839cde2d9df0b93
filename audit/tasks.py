"""The trail's periodic job: anchor the hash chains' heads outside the database, daily (config/schedules.py)."""

from celery import shared_task

from audit.chain import AUDIT
from audit.services import chain_anchor


@shared_task(name="audit.tasks.chains_anchor")
def chains_anchor() -> int:
    """Append the heads of the trail's and the ledger's chains to the anchor file; returns the trail's position."""
    return next(anchor.seq for anchor in chain_anchor() if anchor.chain == AUDIT)
