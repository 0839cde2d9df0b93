"""Reads for the appeal pages: scoped by the access rule, a fixed number of queries per page.

A user sees an appeal through its case (`accounts.access.case_scope`), or as the hearing
officer it is assigned to: the officer reads that appeal's file and nothing else of the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import case_scope, may_hear_appeals
from accounts.models import Role, User
from appeals.models import Appeal
from casework.models import CaseNote
from clients.models import Document
from eligibility.services import determination_replay
from eligibility.services.determinations import Replay


def appeals_visible(user: User) -> QuerySet[Appeal]:
    scope = case_scope(user, prefix="case__")
    if may_hear_appeals(user):
        scope |= Q(hearing_officer_id=user.pk)
    return Appeal.objects.filter(scope).select_related("client", "case", "program", "hearing_officer", "hearing")


def appeals_by_deadline(user: User) -> QuerySet[Appeal]:
    """Open appeals (and late ones waiting for a supervisor), the soonest decision due first."""
    return (
        appeals_visible(user)
        .filter(status__in=[*Appeal.OPEN_STATUSES, Appeal.Status.REFUSED])
        .order_by("decision_due", "id")
    )


#: An open appeal whose decision is due this soon is counted as nearly due on the dashboards.
DUE_SOON_DAYS = 14


def appeal_outcome_counts(*, cases: Q, start: date, end: date, today: date) -> list[dict]:
    """Appeals on the cases `cases` selects (a Q on an appeal's `case__`), by status and decision,
    in one query: `requested` counts those asked for from `start` to `end`; `overdue` and
    `due_soon` count the open ones (whenever asked for) past their decision date or within
    `DUE_SOON_DAYS` of it."""
    in_range = Q(requested_on__range=(start, end))
    is_open = Q(status__in=Appeal.OPEN_STATUSES)
    return list(
        Appeal.objects.filter(cases)
        .filter(in_range | is_open)
        .values("status", "decision")
        .annotate(
            requested=Count("id", filter=in_range),
            overdue=Count("id", filter=is_open & Q(decision_due__lt=today)),
            due_soon=Count(
                "id", filter=is_open & Q(decision_due__gte=today, decision_due__lte=today + timedelta(DUE_SOON_DAYS))
            ),
        )
        .order_by("status", "decision")
    )


def open_appeals_for_case(user: User, case_id: int) -> QuerySet[Appeal]:
    return appeals_visible(user).filter(case_id=case_id, status__in=Appeal.OPEN_STATUSES).order_by("decision_due")


def open_appeals_for_client(user: User, client_id: int) -> QuerySet[Appeal]:
    return appeals_visible(user).filter(client_id=client_id, status__in=Appeal.OPEN_STATUSES).order_by("decision_due")


def appeal_get(user: User, pk: int) -> Appeal:
    return get_object_or_404(
        appeals_visible(user).select_related(
            "adverse_action", "determination", "overpayment", "issuance", "claim", "new_determination"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class AppealFile:
    """What the hearing officer reads: the decision replayed with its recorded values, the documents, the notes."""

    appeal: Appeal
    replay: Replay | None
    documents: list
    notes: list
    history: list


def appeal_file(user: User, pk: int) -> AppealFile:
    appeal = appeal_get(user, pk)
    replay = determination_replay(determination=appeal.determination) if appeal.determination_id else None
    documents = list(Document.objects.filter(client_id=appeal.client_id).order_by("-id")[:100])
    notes = list(
        CaseNote.objects.filter(case_id=appeal.case_id, confidential=False)
        .select_related("author")
        .order_by("-id")[:100]
    )
    history = list(appeal.status_changes.select_related("changed_by").order_by("changed_at", "id"))
    return AppealFile(appeal=appeal, replay=replay, documents=documents, notes=notes, history=history)


def hearing_officers() -> QuerySet[User]:
    """The active hearing officers, to assign a hearing to."""
    return User.objects.filter(groups__name=Role.HEARING_OFFICER, is_active=True).order_by("last_name", "first_name")
