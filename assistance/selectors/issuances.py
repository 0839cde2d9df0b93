"""Reads for the issuance pages: a case's issuances, one issuance with its history and postings,
the supervisors' approval queue, a user's authority, and the home page's card.

Each is scoped by the access rule (`case_scope`) and costs a fixed number of queries whatever
the number of rows: per-row figures (recent issuances, authority, budgets) are read in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import case_scope
from accounts.models import User
from assistance.models import AuthorityLimit, Issuance, IssuanceStatusChange, LedgerEntry, LedgerTransaction
from assistance.selectors.ledger import BudgetFigures, budget_figures
from assistance.services.budgets import BudgetEffect
from assistance.services.limits import COUNTED, Authority
from casework.models import Case, SupportiveService
from casework.services.cases import case_client_ids
from clients.models import Client, HouseholdMembership
from core.money import format_money
from eligibility.models import Enrollment, Program

Status = Issuance.Status
ZERO = Decimal("0.00")
RECENT_DAYS = 90
RECENT_LIMIT = 8
HOME_DAYS = 14
HOME_LIMIT = 10


def issuances_visible(*, user) -> QuerySet[Issuance]:
    return Issuance.objects.filter(case_scope(user, prefix="case__"))


def issuance_get(*, user, pk: int) -> Issuance:
    """The issuance if `user` may see its case, else 404."""
    return get_object_or_404(
        issuances_visible(user=user).select_related(
            "client",
            "program",
            "supportive_service",
            "requested_by",
            "decided_by",
            "issued_by",
            "case__primary_client",
            "case__household",
            "case__office",
            "case__assigned_worker",
        ),
        pk=pk,
    )


def issuance_key_used(*, key: str) -> bool:
    """Whether a request was already made with this idempotency key (a resend, or a reused form)."""
    return Issuance.objects.filter(idempotency_key=key).exists()


def case_issuances(*, case: Case) -> QuerySet[Issuance]:
    """A case's issuances, newest first (the case is already fetched through the access rule)."""
    return (
        Issuance.objects.filter(case=case)
        .select_related("client", "program", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


# Limits, as a page shows them ------------------------------------------------------------------


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
            return f"you have no authority to issue {Issuance.Kind(kind).label.lower()}"
        if self.measure == "per_issuance":
            return f"over your limit by {format_money(self.over_by)}"
        if self.in_nights:
            return f"{self.over_text} your limit of {self.limit}"
        if self.measure == "per_client_30_days":
            return f"over your 30-day limit for this client by {format_money(self.over_by)}"
        return self.text()


def excesses(items: Iterable[dict]) -> list[Excess]:
    """The `Issuance.exceeds` record (strings, as stored) as figures a page can format."""

    def number(text, measure):
        if text is None:
            return None
        return int(text) if measure == "max_units" else Decimal(text)

    return [
        Excess(
            measure=item.get("measure", ""),
            label=item.get("label", ""),
            limit=number(item.get("limit"), item.get("measure")),
            value=number(item.get("value"), item.get("measure")),
            over_by=number(item.get("over_by"), item.get("measure")),
        )
        for item in items
    ]


def authorities_for(*, user: User, kinds: Iterable[str] = Issuance.REQUESTABLE, on: date | None = None) -> dict:
    """`assistance.services.limits.authority_for` for several kinds, in one query.

    The same rule: the user's own newest limit for a kind if they have one, else the most
    generous of their roles' newest limits; no limit at all means no authority for that kind.
    """
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

    def most(values):
        values = list(values)
        return None if any(v is None for v in values) else max(values)

    result: dict[str, Authority] = {}
    for kind in kinds:
        if kind in own:
            row = own[kind]
            result[kind] = Authority(kind, row.per_issuance, row.per_client_30_days, row.max_units, granted=True)
        elif newest.get(kind):
            found = newest[kind].values()
            result[kind] = Authority(
                kind,
                most(r.per_issuance for r in found),
                most(r.per_client_30_days for r in found),
                most(r.max_units for r in found),
                granted=True,
            )
        else:
            result[kind] = Authority(kind, ZERO, ZERO, 0, granted=False)
    return result


def authority_text(authority: Authority) -> str:
    """ "Your limit: $1,000.00 per issuance" and the like, for the request form."""
    label = Issuance.Kind(authority.kind).label.lower()
    if not authority.granted:
        return f"You have no authority to issue {label}: every request waits for a supervisor."
    parts = []
    if authority.per_issuance is not None:
        parts.append(f"{format_money(authority.per_issuance)} per issuance")
    if authority.per_client_30_days is not None:
        parts.append(f"{format_money(authority.per_client_30_days)} per client in 30 days")
    if authority.max_units is not None:
        parts.append(f"{authority.max_units} night{'s' if authority.max_units != 1 else ''}")
    if not parts:
        return f"Your limit for {label}: none; you may issue any amount."
    return f"Your limit for {label}: " + "; ".join(parts) + "."


def _recent_totals(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Decimal]:
    """What each client was granted of each kind over the rolling 30 days, as the limits count it."""
    if not pairs:
        return {}
    since = timezone.now() - timedelta(days=30)
    rows = (
        Issuance.objects.filter(
            client_id__in={client for client, _ in pairs},
            kind__in={kind for _, kind in pairs},
            status__in=COUNTED,
            requested_at__gte=since,
        )
        .order_by()
        .values("client_id", "kind")
        .annotate(total=Sum("amount"))
    )
    return {(row["client_id"], row["kind"]): row["total"] for row in rows}


def beyond(authority: Authority, *, amount: Decimal, units: int | None, recent_total: Decimal) -> list[Excess]:
    """The limits of `authority` a request goes past (the rule of `limits_exceeded`, on figures read in bulk)."""
    if not authority.granted:
        label = Issuance.Kind(authority.kind).label.lower()
        return [Excess(measure="authority", label=f"No authority to issue {label}")]
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


# One issuance -----------------------------------------------------------------------------------


def issuance_page(*, issuance: Issuance) -> dict:
    """What the issuance page shows besides the issuance: its history and its ledger postings."""
    return {
        "exceeds": excesses(issuance.exceeds),
        "status_changes": list(
            IssuanceStatusChange.objects.filter(issuance=issuance)
            .select_related("changed_by")
            .order_by("changed_at", "id")
        ),
        "transactions": list(
            LedgerTransaction.objects.filter(issuance=issuance)
            .select_related("posted_by")
            .prefetch_related(
                Prefetch(
                    "entries",
                    queryset=LedgerEntry.objects.select_related("program").order_by("id"),
                )
            )
            .order_by("posted_at", "id")
        ),
    }


# The request form's choices ---------------------------------------------------------------------


def case_clients(*, case: Case) -> QuerySet[Client]:
    """The clients of the case (its access rows: the household's current members and the primary
    client), the same list the request service checks a client against."""
    return Client.objects.filter(pk__in=case_client_ids(case.pk)).order_by("last_name", "first_name", "pk")


def programs_issuing() -> QuerySet[Program]:
    return Program.objects.filter(is_active=True).order_by("name")


def case_supportive_services(*, case: Case) -> QuerySet[SupportiveService]:
    """The supportive services on the case's current plans (a superseded version's are copied on)."""
    return (
        SupportiveService.objects.filter(plan__case=case)
        .exclude(plan__status="superseded")
        .select_related("plan__client")
        .order_by("plan__client__last_name", "plan__kind", "id")
    )


# The approval queue -------------------------------------------------------------------------------


def queue_issuances(*, user: User) -> QuerySet[Issuance]:
    """Requests waiting for a decision on cases `user` may see, not their own, oldest first."""
    household_size = (
        HouseholdMembership.objects.filter(household_id=OuterRef("case__household_id"), end_date__isnull=True)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        issuances_visible(user=user)
        .filter(status=Status.PENDING)
        .exclude(requested_by=user)
        .select_related("client", "program", "case", "requested_by", "supportive_service")
        .annotate(household_size=Coalesce(Subquery(household_size, output_field=IntegerField()), 0))
        .order_by("requested_at", "id")
    )


@dataclass
class QueueRow:
    issuance: Issuance
    exceeds: list[Excess]
    #: The viewer's own limits this request goes past: empty when they may approve it.
    beyond_viewer: list[Excess]
    enrollments: list[Enrollment] = field(default_factory=list)
    recent: list[Issuance] = field(default_factory=list)
    budget: BudgetFigures | None = None
    effect: BudgetEffect | None = None

    @property
    def within_viewer_authority(self) -> bool:
        return not self.beyond_viewer


def queue_rows(*, user: User, issuances: list[Issuance], on: date | None = None) -> list[QueueRow]:
    """Each waiting request with what a supervisor weighs: five queries plus three for budgets,
    however many rows.

    Recent issuances are the client's last 90 days on any case (the limits count across cases),
    at most a few per client, newest first.
    """
    if not issuances:
        return []
    on = on or timezone.localdate()
    case_ids = {i.case_id for i in issuances}
    client_ids = {i.client_id for i in issuances}
    enrollments: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in (
        Enrollment.objects.filter(case_id__in=case_ids, status__in=Enrollment.LIVE)
        .select_related("program")
        .order_by("program__name", "id")
    ):
        enrollments[enrollment.case_id].append(enrollment)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent: dict[int, list[Issuance]] = defaultdict(list)
    # One more than shown per client: the row's own request is among them.
    for issuance in (
        Issuance.objects.filter(client_id__in=client_ids, requested_at__gte=since)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("client_id")], order_by=[F("requested_at").desc(), F("id").desc()])
        )
        .filter(rank__lte=RECENT_LIMIT + 1)
        .only("id", "client_id", "kind", "amount", "status", "requested_at", "reference", "units")
        .order_by("client_id", "-requested_at", "-id")
    ):
        recent[issuance.client_id].append(issuance)
    authorities = authorities_for(user=user, kinds={i.kind for i in issuances}, on=on)
    totals = _recent_totals({(i.client_id, i.kind) for i in issuances})
    budgets = budget_figures(program_ids=list({i.program_id for i in issuances}), on=on)
    rows = []
    for issuance in issuances:
        budget = budgets.get(issuance.program_id)
        rows.append(
            QueueRow(
                issuance=issuance,
                exceeds=excesses(issuance.exceeds),
                beyond_viewer=beyond(
                    authorities[issuance.kind],
                    amount=issuance.amount,
                    units=issuance.units,
                    recent_total=totals.get((issuance.client_id, issuance.kind), ZERO),
                ),
                enrollments=enrollments[issuance.case_id],
                recent=[r for r in recent[issuance.client_id] if r.pk != issuance.pk][:RECENT_LIMIT],
                budget=budget,
                effect=budget.effect(issuance.amount) if budget else None,
            )
        )
    return rows


# The home page's card ------------------------------------------------------------------------------


@dataclass
class HomeAssistance:
    decided: list[Issuance]  # the user's requests decided in the last two weeks, newest decision first
    waiting: list[Issuance]  # the user's requests still waiting, oldest first
    waiting_count: int
    queue_count: int | None  # requests in a supervisor's queue; None for others
    queue: list[Issuance] = field(default_factory=list)  # the first of them, oldest first


def home_assistance(*, user: User, supervisor: bool, now=None) -> HomeAssistance:
    """The user's recent decisions and waiting requests, and a supervisor's queue size: one query.

    Each row is put in one of three groups; a window numbers the rows of each group (so only a
    few of each are read) and counts the group (so the totals need no second query).
    """
    now = now or timezone.now()
    mine = Q(requested_by=user) & (Q(status=Status.PENDING) | Q(decided_at__gte=now - timedelta(days=HOME_DAYS)))
    wanted = mine | (Q(status=Status.PENDING) & ~Q(requested_by=user)) if supervisor else mine
    group = CaseWhen(
        When(Q(requested_by=user) & Q(status=Status.PENDING), then=Value("waiting")),
        When(requested_by=user, then=Value("decided")),
        default=Value("queue"),
        output_field=CharField(),
    )
    rows = list(
        issuances_visible(user=user)
        .filter(wanted)
        .annotate(group=group)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("group")],
                order_by=[F("decided_at").desc(nulls_last=True), F("requested_at").asc(), F("id").asc()],
            ),
            group_size=Window(Count("id"), partition_by=[F("group")]),
        )
        .filter(rank__lte=HOME_LIMIT)
        .select_related("client", "case", "decided_by")
        .order_by("rank")
    )
    groups: dict[str, list[Issuance]] = defaultdict(list)
    sizes: dict[str, int] = {}
    for row in rows:
        groups[row.group].append(row)
        sizes[row.group] = row.group_size
    return HomeAssistance(
        decided=groups["decided"],
        waiting=groups["waiting"],
        waiting_count=sizes.get("waiting", 0),
        queue_count=sizes.get("queue", 0) if supervisor else None,
        queue=groups["queue"],
    )
