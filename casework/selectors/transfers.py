"""Reads of transfers between offices, for the supervisors of the two offices only."""

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts import access
from accounts.models import User
from casework.models import Case, OfficeTransfer


def transfers_visible(*, user: User) -> QuerySet[OfficeTransfer]:
    """Transfers out of or into the supervisor's office. The receiving office's supervisor sees who
    is coming (name, cases, reason) to decide; the client's file opens to them only once accepted."""
    if not access.may_supervise(user) or not user.office_id:
        return OfficeTransfer.objects.none()
    return OfficeTransfer.objects.filter(Q(from_office_id=user.office_id) | Q(to_office_id=user.office_id))


def _shaped(transfers: QuerySet[OfficeTransfer]) -> QuerySet[OfficeTransfer]:
    return transfers.select_related(
        "client", "from_office", "to_office", "requested_by", "decided_by", "to_worker"
    ).prefetch_related(Prefetch("cases", queryset=Case.objects.select_related("assigned_worker").order_by("number")))


def transfers_for_supervisor(*, user: User, recent: int = 20) -> dict[str, list[OfficeTransfer]]:
    """Waiting transfers into and out of the supervisor's office, and the latest decided ones.

    Two queries whatever the rows: the transfers (waiting, or among the `recent` latest decided) and their cases.
    """
    visible = transfers_visible(user=user)
    latest_decided = (
        visible.exclude(status=OfficeTransfer.Status.REQUESTED).order_by("-decided_at", "-id").values("pk")[:recent]
    )
    rows = list(
        _shaped(visible.filter(Q(status=OfficeTransfer.Status.REQUESTED) | Q(pk__in=latest_decided))).order_by(
            "requested_at", "id"
        )
    )
    waiting = [t for t in rows if t.is_waiting]
    decided = sorted((t for t in rows if not t.is_waiting), key=lambda t: (t.decided_at, t.pk), reverse=True)
    return {
        "incoming": [t for t in waiting if t.to_office_id == user.office_id],
        "outgoing": [t for t in waiting if t.from_office_id == user.office_id],
        "decided": decided,
    }


def transfer_get(*, user: User, pk: int) -> OfficeTransfer:
    """The transfer if `user` supervises at one of its two offices, else 404."""
    return get_object_or_404(_shaped(transfers_visible(user=user)), pk=pk)
