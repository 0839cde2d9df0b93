"""Reads for the issuance pages: a case's issuances, one issuance with its history and postings,
the supervisors' approval queue, a user's authority, and the home page's card.

Whether an amount is within a user's authority is decided in `assistance.services.limits`;
the queue asks it for a whole page at once.

Each is scoped by the access rule (`case_scope`) and costs a fixed number of queries whatever
the number of rows: per-row figures (recent issuances, authority, budgets) are read in bulk.
"""

from __future__ import annotations

from collections import defaultdict
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
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import case_scope
from accounts.models import User
from assistance.models import Issuance, IssuanceStatusChange, LedgerEntry, LedgerTransaction
from assistance.selectors.ledger import BudgetFigures, budget_figures
from assistance.services.budgets import BudgetEffect
from assistance.services.limits import Authority, Excess, authorities_for, beyond, excesses, recent_totals
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
    totals = recent_totals({(i.client_id, i.kind) for i in issuances})
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
