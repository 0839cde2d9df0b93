"""The reads of employment pages, scoped by the access rule and shaped to cost a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.access import case_scope, client_scope
from casework.models import Case, Goal, Plan
from clients.models import Client
from employment.models import (
    ClientSkill,
    DevelopmentContact,
    Employer,
    EmployerContact,
    GroupSession,
    JobOpening,
    JobReferral,
    RosterEntry,
)

MATCH_LIMIT = 50


@dataclass
class Match:
    client: Client
    case: Case
    skills: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.skills) + len(self.goals)


def employers_for(*, user) -> QuerySet[Employer]:
    return Employer.objects.filter(office_id=user.office_id).annotate(
        open_openings=Count("openings", filter=Q(openings__status=JobOpening.Status.OPEN))
    )


def employer_get(*, user, pk: int) -> Employer:
    """An employer of the user's office (the office's job development is shared by its workers); 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Employer, office_id=user.office_id, pk=pk)


def employer_contacts(*, employer: Employer) -> QuerySet[EmployerContact]:
    return employer.contacts.order_by("name", "id")


def development_log(*, employer: Employer) -> QuerySet[DevelopmentContact]:
    """The employer's job development contacts, newest first, with who made them and with whom."""
    return employer.development_contacts.select_related("contact", "worker").order_by("-contacted_on", "-id")


def openings_for(*, user) -> QuerySet[JobOpening]:
    return (
        JobOpening.objects.filter(employer__office_id=user.office_id)
        .select_related("employer")
        .annotate(referred=Count("referrals"))
    )


def opening_get(*, user, pk: int) -> JobOpening:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(JobOpening.objects.select_related("employer"), employer__office_id=user.office_id, pk=pk)


def opening_referrals(*, user, opening: JobOpening) -> QuerySet[JobReferral]:
    """The referrals to an opening of clients the user may see."""
    return opening.referrals.filter(client_scope(user, prefix="client__")).select_related("client", "case")


def opening_matches(*, user, opening: JobOpening) -> list[Match]:
    """Clients the user may see, on an active case, whose recorded skills or agreed employment plan's
    goals fit the opening; most matches first. Already referred clients are left out. Three queries."""
    # Already referred clients are left out inside each query (a subquery, not one more query).
    visible = Client.objects.filter(client_scope(user)).exclude(pk__in=opening.referrals.values("client_id"))
    by_client: dict[int, Match] = {}
    skills = (
        ClientSkill.objects.filter(name__in=opening.skills, client__in=visible).values_list("client_id", "name")
        if opening.skills
        else []
    )
    words = [w for w in opening.title.lower().split() if len(w) > 2]
    goal_rows = []
    if words:
        mentions = Q()
        for word in words:
            mentions |= Q(description__icontains=word)
        goal_rows = Goal.objects.filter(
            mentions,
            plan__kind=Plan.Kind.EMPLOYMENT,
            plan__status=Plan.Status.AGREED,
            plan__client__in=visible,
        ).values_list("plan__client_id", "description")
    found: dict[int, tuple[list[str], list[str]]] = {}
    for client_id, name in skills:
        found.setdefault(client_id, ([], []))[0].append(name)
    for client_id, description in goal_rows:
        found.setdefault(client_id, ([], []))[1].append(description)
    ids = list(found)
    if not ids:
        return []
    cases = (
        Case.objects.filter(case_scope(user), status__in=Case.ACTIVE, primary_client_id__in=ids)
        .select_related("primary_client")
        .order_by("-id")
    )
    for case in cases:
        client_id = case.primary_client_id
        if client_id not in by_client:
            skill_names, goals = found[client_id]
            by_client[client_id] = Match(client=case.primary_client, case=case, skills=sorted(skill_names), goals=goals)
    return sorted(by_client.values(), key=lambda m: (-m.score, m.client.pk))[:MATCH_LIMIT]


def sessions_for(*, user) -> QuerySet[GroupSession]:
    return GroupSession.objects.filter(office_id=user.office_id).annotate(enrolled=Count("roster"))


def session_get(*, user, pk: int) -> GroupSession:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(GroupSession, office_id=user.office_id, pk=pk)


def session_roster(*, user, session: GroupSession) -> QuerySet[RosterEntry]:
    """The roster's people the user may see, with their hours recorded for the session's day."""
    return (
        session.roster.filter(client_scope(user, prefix="client__"))
        .select_related("client", "case", "activity")
        .prefetch_related("activity__entries")
    )
