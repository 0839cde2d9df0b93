"""A user's authority: the limits in force for them on a day, and what a request goes past.

This module is the one place that decides "is this amount within this user's authority". The
request and approval services ask it about one request (`limits_exceeded`); the approval queue
asks it about a page of requests at once (`authorities_for`, `recent_totals`, `beyond`), which
is the same rule on figures read in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from accounts.models import User
from assistance.models import AuthorityLimit, Issuance
from core.money import format_money

#: Issuances that count against a client's rolling 30 days: granted, whether issued yet or not.
COUNTED = (Issuance.Status.APPROVED, Issuance.Status.ISSUED)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Authority:
    """The limits a user works within for one kind; None on a measure means no limit."""

    kind: str
    per_issuance: Decimal | None
    per_client_30_days: Decimal | None
    max_units: int | None
    #: False when no limit of any role or of the user covers this kind: they have no authority.
    granted: bool


@dataclass(frozen=True)
class Excess:
    """One limit a request goes past: the figure, the limit and by how much (money, or nights)."""

    measure: str
    label: str
    limit: Decimal | int | None = None
    value: Decimal | int | None = None
    over_by: Decimal | int | None = None

    @property
    def in_nights(self) -> bool:
        return self.measure == "max_units"

    @property
    def no_authority(self) -> bool:
        return self.limit is None

    @property
    def figure(self) -> str:
        """ "Per issuance: $1,200.00 against a limit of $1,000.00", or the label alone when there is no authority."""
        if self.no_authority:
            return self.label
        if self.in_nights:
            return f"{self.label}: {self.value} against a limit of {self.limit}"
        return f"{self.label}: {format_money(self.value)} against a limit of {format_money(self.limit)}"

    @property
    def over_text(self) -> str:
        """ "over by $200.00" or "2 nights over"; empty when there is no authority."""
        if self.no_authority:
            return ""
        if self.in_nights:
            nights = "night" if self.over_by == 1 else "nights"
            return f"{self.over_by} {nights} over"
        return f"over by {format_money(self.over_by)}"

    def text(self) -> str:
        return f"{self.figure} ({self.over_text})" if self.over_text else self.figure

    def waiting_text(self, kind: str) -> str:
        """Why a request of `kind` waits, as the requester reads it: "over your limit by $200.00"."""
        if self.no_authority:
            return f"you have no authority to issue {_kind_label(kind)}"
        if self.measure == "per_issuance":
            return f"over your limit by {format_money(self.over_by)}"
        if self.in_nights:
            return f"{self.over_text} your limit of {self.limit}"
        if self.measure == "per_client_30_days":
            return f"over your 30-day limit for this client by {format_money(self.over_by)}"
        return self.text()

    def stored(self) -> dict:
        """As `Issuance.exceeds` keeps it (strings, so the record reads the same years later)."""
        item: dict = {"measure": self.measure, "label": self.label, "limit": None, "over_by": None}
        if not self.no_authority:
            item.update(limit=str(self.limit), value=str(self.value), over_by=str(self.over_by))
        return item


def excesses(items: Iterable[dict]) -> list[Excess]:
    """The `Issuance.exceeds` record (strings, as stored) as figures a page can format."""

    def number(text, measure):
        if text is None:
            return None
        return int(text) if measure == "max_units" else Decimal(text)

    # Every record has its measure and label (`Excess.stored`, the only writer); the figures are
    # absent or None where there was no authority at all.
    return [
        Excess(
            measure=item["measure"],
            label=item["label"],
            limit=number(item.get("limit"), item["measure"]),
            value=number(item.get("value"), item["measure"]),
            over_by=number(item.get("over_by"), item["measure"]),
        )
        for item in items
    ]


def excesses_text(over: Iterable[Excess]) -> str:
    """The limits a request goes past, each as its figure against the limit (`Excess.figure`), in one line."""
    return "; ".join(excess.figure for excess in over)


def beyond_authority_text(over: Iterable[Excess]) -> str:
    """The refusal when an approver's own limits do not reach a request."""
    return f"This is beyond your own authority ({excesses_text(over)}); it needs an approver with a higher limit."


def _kind_label(kind: str) -> str:
    return Issuance.Kind(kind).label.lower()


def _most(values: Iterable) -> Decimal | int | None:
    """The most generous of several limits: none (no limit) if any of them is none."""
    values = list(values)
    return None if any(v is None for v in values) else max(values)


def authorities_for(*, user: User, kinds: Iterable[str] = Issuance.REQUESTABLE, on: date | None = None) -> dict:
    """The user's authority for each kind on `on`, in one query: for a kind, the user's own newest
    limit if they have one, else the most generous of their roles' newest limits; no limit at all
    means no authority for that kind."""
    on = on or timezone.localdate()
    kinds = list(kinds)
    rows = AuthorityLimit.objects.filter(
        Q(user=user) | Q(user__isnull=True, role__in=list(user.roles)), kind__in=kinds, effective_from__lte=on
    ).order_by("-effective_from", "-id")
    own: dict[str, AuthorityLimit] = {}
    newest: dict[str, dict[str, AuthorityLimit]] = defaultdict(dict)
    for row in rows:
        if row.user_id is not None:
            own.setdefault(row.kind, row)
        else:
            newest[row.kind].setdefault(row.role, row)
    result: dict[str, Authority] = {}
    for kind in kinds:
        if kind in own:
            row = own[kind]
            result[kind] = Authority(kind, row.per_issuance, row.per_client_30_days, row.max_units, granted=True)
        elif newest.get(kind):
            found = newest[kind].values()
            result[kind] = Authority(
                kind,
                _most(r.per_issuance for r in found),
                _most(r.per_client_30_days for r in found),
                _most(r.max_units for r in found),
                granted=True,
            )
        else:
            result[kind] = Authority(kind, ZERO, ZERO, 0, granted=False)
    return result


def authority_for(*, user: User, kind: str, on: date | None = None) -> Authority:
    """The user's authority for one kind (`authorities_for`)."""
    return authorities_for(user=user, kinds=[kind], on=on)[kind]


def recent_totals(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """What each (client, kind) was granted over the rolling 30 days, in one query; absent means nothing."""
    pairs = set(pairs)
    if not pairs:
        return {}
    since = timezone.now() - timedelta(days=30)
    rows = Issuance.objects.filter(
        client_id__in={client for client, _ in pairs},
        kind__in={kind for _, kind in pairs},
        status__in=COUNTED,
        requested_at__gte=since,
    )
    totals = rows.order_by().values("client_id", "kind").annotate(total=Sum("amount"))
    return {(row["client_id"], row["kind"]): row["total"] for row in totals}


def client_recent_total(*, client_id: int, kind: str) -> Decimal:
    """What this client was granted of this kind in the last 30 days."""
    return recent_totals([(client_id, kind)]).get((client_id, kind), ZERO)


def beyond(authority: Authority, *, amount: Decimal, units: int | None, recent_total: Decimal) -> list[Excess]:
    """The limits of `authority` a request goes past: empty when it is within the user's authority.

    `recent_total` is what the client was already granted of this kind in the last 30 days.
    """
    if not authority.granted:
        return [Excess(measure="authority", label=f"No authority to issue {_kind_label(authority.kind)}")]
    over: list[Excess] = []
    if authority.per_issuance is not None and amount > authority.per_issuance:
        over.append(
            Excess("per_issuance", "Per issuance", authority.per_issuance, amount, amount - authority.per_issuance)
        )
    if authority.max_units is not None and units is not None and units > authority.max_units:
        over.append(Excess("max_units", "Nights", authority.max_units, units, units - authority.max_units))
    if authority.per_client_30_days is not None:
        total = recent_total + amount
        if total > authority.per_client_30_days:
            over.append(
                Excess(
                    "per_client_30_days",
                    "Per client in 30 days",
                    authority.per_client_30_days,
                    total,
                    total - authority.per_client_30_days,
                )
            )
    return over


def limits_exceeded(
    *,
    user: User,
    kind: str,
    client_id: int,
    amount: Decimal,
    units: int | None = None,
    on: date | None = None,
) -> list[Excess]:
    """Which of the user's limits this request goes past, each with the limit, the figure and the
    excess (`Excess.stored()` is how `Issuance.exceeds` keeps them). An empty list: the request is
    within the user's authority. A request waiting for a decision is not among what the 30 days
    count (`COUNTED`), so deciding it never counts it twice.
    """
    authority = authority_for(user=user, kind=kind, on=on)
    counts_30_days = authority.granted and authority.per_client_30_days is not None
    recent = client_recent_total(client_id=client_id, kind=kind) if counts_30_days else ZERO
    return beyond(authority, amount=amount, units=units, recent_total=recent)
