"""Reads of referrals, scoped by the access rule: a referral is seen by whoever may see its
case and its client (so a restricted member of an unrestricted case stays hidden)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When, Window
from django.db.models import Case as CaseWhen
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import case_scope, client_scope
from casework.models import Case
from clients.models import Client, Consent, Document, HouseholdMembership, Income
from clients.normalize import fold
from referrals.models import Organization, Referral, ReferralStatusChange, SharedInfo

# Legal forms, not part of what tells organizations apart. ("Co" is not among them: in
# "Smith & Co" it is.)
_LEGAL_SUFFIXES = {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation"}


def organization_key(name: str) -> str:
    """A name as consent matching compares it: case, accents, punctuation, '&', a leading
    'The' and a trailing 'Inc.'/'LLC' do not matter ('The Riverton Food Bank, Inc.' is
    'riverton food bank')."""
    words = fold((name or "").replace("&", " and ")).split()
    if words[:1] == ["the"]:
        words = words[1:]
    while words and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def consent_covering(*, client: Client, organization: Organization, day: date) -> Consent | None:
    """The client's consent to share with `organization` for a referral, in force on `day`, if any.

    A consent names its organization as free text; it covers a directory organization when
    the names match by `organization_key` (the organization's name or its alternate name).
    The newest such consent is returned.
    """
    names = {organization_key(organization.name), organization_key(organization.alternate_name)} - {""}
    consents = Consent.objects.filter(client=client, purpose=Consent.Purpose.REFERRAL, granted_on__lte=day)
    for consent in consents.order_by("-granted_on", "-id"):
        if consent.in_force_on(day) and organization_key(consent.organization) in names:
            return consent
    return None


def referrals_visible(*, user) -> QuerySet[Referral]:
    return Referral.objects.filter(case_scope(user, prefix="case__") & client_scope(user, prefix="client__"))


def referral_get(*, user, pk: int) -> Referral:
    """The referral if `user` may see it, with what its page shows, else 404."""
    return get_object_or_404(
        referrals_visible(user=user).select_related(
            "case__primary_client",
            "case__household",
            "case__office",
            "case__assigned_worker",
            "client",
            "service__organization",
            "service__internal_office",
            "organization",
            "location",
            "consent",
            "consent_override_by",
            "created_by",
            "intake_task",
        ),
        pk=pk,
    )


def referral_history(*, referral: Referral) -> list[ReferralStatusChange]:
    return list(referral.status_changes.select_related("changed_by").order_by("changed_at", "id"))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def follow_up_due(today: date) -> Q:
    """Open referrals whose last move was N or more days before `today`, N by urgency."""
    due = Q(pk__in=[])
    for urgency, days in Referral.follow_up_days().items():
        due |= Q(urgency=urgency, last_moved_at__lt=_start_of(today - timedelta(days=days - 1)))
    return Q(status__in=Referral.OPEN) & due


def referral_ids_due_follow_up(*, today: date) -> list[int]:
    """For the follow-up job: every referral due, whoever's it is."""
    return list(
        Referral.objects.filter(follow_up_due(today)).order_by("last_moved_at", "id").values_list("pk", flat=True)
    )


def case_referrals(*, user, case: Case, today: date | None = None) -> list[Referral]:
    """The referrals of a case the caller has fetched through `case_get`, newest first."""
    today = today or timezone.localdate()
    return list(
        referrals_visible(user=user)
        .filter(case=case)
        .select_related("client", "service", "organization")
        .annotate(due=_due_flag(today))
        .order_by("-created_at", "-id")
    )


def _due_flag(today: date) -> CaseWhen:
    return CaseWhen(When(follow_up_due(today), then=Value(True)), default=Value(False), output_field=BooleanField())


def my_open_referrals(*, user, today: date | None = None) -> QuerySet[Referral]:
    """Open referrals on the cases the user works: those due for follow-up first, the longest waiting first."""
    today = today or timezone.localdate()
    return (
        referrals_visible(user=user)
        .filter(case__assigned_worker=user, status__in=Referral.OPEN)
        .select_related("case", "client", "service", "organization")
        .annotate(due=_due_flag(today))
        .order_by("-due", "last_moved_at", "id")
    )


HOME_LIMIT = 10


@dataclass(frozen=True)
class HomeFollowUps:
    referrals: list[Referral]  # open referrals on the worker's cases due for follow-up, longest waiting first
    count: int


def home_follow_ups(*, user, today: date | None = None) -> HomeFollowUps:
    """The referrals awaiting the worker's follow-up: one query (a window counts them all)."""
    today = today or timezone.localdate()
    referrals = list(
        referrals_visible(user=user)
        .filter(follow_up_due(today), case__assigned_worker=user)
        .select_related("case", "client", "service", "organization")
        .annotate(total=Window(Count("id")))
        .order_by("last_moved_at", "id")[:HOME_LIMIT]
    )
    return HomeFollowUps(referrals=referrals, count=referrals[0].total if referrals else 0)


def referral_letter_facts(*, referral: Referral, today: date | None = None) -> dict:
    """What a referral letter may say about the client: only what the referral shares, and
    never the address of a restricted client, a restricted case or a confidential address."""
    today = today or timezone.localdate()
    client, case, shared = referral.client, referral.case, set(referral.shared)
    address_protected = client.restricted or client.address_confidential or case.restricted
    facts: dict = {"client_name": client.full_name, "address_withheld": False}
    if SharedInfo.CONTACT in shared:
        facts["phone"], facts["email"] = client.phone, client.email
    if SharedInfo.ADDRESS in shared:
        if address_protected:
            facts["address_withheld"] = True
        else:
            place = " ".join(p for p in (client.region, client.postal_code) if p)
            facts["address"] = [p for p in (client.address_line1, client.address_line2, client.city, place) if p]
    if SharedInfo.DATE_OF_BIRTH in shared:
        facts["date_of_birth"] = client.date_of_birth
    if SharedInfo.HOUSEHOLD in shared:
        # Relationships and ages only; a restricted member is left out altogether.
        household = (
            HouseholdMembership.objects.filter(
                household__memberships__client=client,
                household__memberships__end_date__isnull=True,
                end_date__isnull=True,
            )
            .exclude(Q(client__restricted=True) & ~Q(client=client))
            .select_related("client")
        )
        facts["household"] = [
            {
                "relationship": m.get_relationship_display(),
                "age": m.client.age_on(today),
                "is_client": m.client_id == client.pk,
            }
            for m in household.order_by("start_date", "id")
        ]
    if SharedInfo.INCOME in shared:
        facts["incomes"] = [i for i in Income.objects.filter(client=client) if i.is_current_on(today)]
    if SharedInfo.DOCUMENTS in shared:
        kinds = Document.objects.filter(client=client).values_list("kind", flat=True).distinct()
        facts["documents"] = sorted({Document.Kind(k).label for k in kinds})
    return facts
