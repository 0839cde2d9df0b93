from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from audit.models import AuditEvent, AuditEventClient, ChainAnchor


def audit_events(
    *,
    client_id: int | None = None,
    actor_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The trail, newest first, filtered as the auditor asks. Callers check `audit.read_trail`."""
    events = AuditEvent.objects.select_related("actor")
    if client_id is not None:
        events = events.filter(Exists(AuditEventClient.objects.filter(event=OuterRef("pk"), client_id=client_id)))
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


def audit_events_for_client(*, client_id: int, limit: int = 200) -> QuerySet[AuditEvent]:
    """A client's history tab: changes and reads of that client's file."""
    return audit_events(client_id=client_id)[:limit]


def chain_anchors_latest(*, limit: int = 6) -> list[ChainAnchor]:
    """The latest anchors of the trail's and the ledger's hash chains, newest first."""
    return list(ChainAnchor.objects.order_by("-anchored_at", "chain")[:limit])
