"""A user's authority: the limits in force for them on a day, and what a request goes past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from assistance.models import AuthorityLimit, Issuance

#: Issuances that count against a client's rolling 30 days: granted, whether issued yet or not.
COUNTED = (Issuance.Status.APPROVED, Issuance.Status.ISSUED)


@dataclass(frozen=True)
class Authority:
    """The limits a user works within for one kind; None on a measure means no limit."""

    kind: str
    per_issuance: Decimal | None
    per_client_30_days: Decimal | None
    max_units: int | None
    #: False when no limit of any role or of the user covers this kind: they have no authority.
    granted: bool


def authority_for(*, user: User, kind: str, on: date | None = None) -> Authority:
    """The user's own limit in force on `on` if they have one, else the most generous of their roles'."""
    on = on or timezone.localdate()
    rows = AuthorityLimit.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from", "-id")
    own = rows.filter(user=user).first()
    if own is not None:
        return Authority(kind, own.per_issuance, own.per_client_30_days, own.max_units, granted=True)
    newest: dict[str, AuthorityLimit] = {}
    for row in rows.filter(user__isnull=True, role__in=list(user.roles)):
        newest.setdefault(row.role, row)
    if not newest:
        return Authority(kind, Decimal("0.00"), Decimal("0.00"), 0, granted=False)

    def most(values):
        values = list(values)
        return None if any(v is None for v in values) else max(values)

    found = newest.values()
    return Authority(
        kind,
        most(r.per_issuance for r in found),
        most(r.per_client_30_days for r in found),
        most(r.max_units for r in found),
        granted=True,
    )


def client_recent_total(*, client_id: int, kind: str, exclude_id: int | None = None) -> Decimal:
    """What this client was granted of this kind in the last 30 days."""
    since = timezone.now() - timedelta(days=30)
    rows = Issuance.objects.filter(client_id=client_id, kind=kind, status__in=COUNTED, requested_at__gte=since)
    if exclude_id:
        rows = rows.exclude(pk=exclude_id)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def limits_exceeded(
    *,
    user: User,
    kind: str,
    client_id: int,
    amount: Decimal,
    units: int | None = None,
    exclude_id: int | None = None,
    on: date | None = None,
) -> list[dict]:
    """Which of the user's limits this request goes past, each with the limit, the figure and the excess.

    An empty list: the request is within the user's authority.
    """
    authority = authority_for(user=user, kind=kind, on=on)
    label = Issuance.Kind(kind).label.lower()
    if not authority.granted:
        return [{"measure": "authority", "label": f"No authority to issue {label}", "limit": None, "over_by": None}]
    over: list[dict] = []
    if authority.per_issuance is not None and amount > authority.per_issuance:
        over.append(
            {
                "measure": "per_issuance",
                "label": "Per issuance",
                "limit": str(authority.per_issuance),
                "value": str(amount),
                "over_by": str(amount - authority.per_issuance),
            }
        )
    if authority.max_units is not None and units is not None and units > authority.max_units:
        over.append(
            {
                "measure": "max_units",
                "label": "Nights",
                "limit": str(authority.max_units),
                "value": str(units),
                "over_by": str(units - authority.max_units),
            }
        )
    if authority.per_client_30_days is not None:
        total = client_recent_total(client_id=client_id, kind=kind, exclude_id=exclude_id) + amount
        if total > authority.per_client_30_days:
            over.append(
                {
                    "measure": "per_client_30_days",
                    "label": "Per client in 30 days",
                    "limit": str(authority.per_client_30_days),
                    "value": str(total),
                    "over_by": str(total - authority.per_client_30_days),
                }
            )
    return over
