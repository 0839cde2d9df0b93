"""Reads for health coverage pages and jobs, scoped by the access rule and shaped to a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts import access
from clients.models import Document
from health_coverage.models import (
    CoverageDecision,
    CoverageRestriction,
    MedicalTravel,
    OutOfProvinceClaim,
    SpecialAuthorization,
)

SA = SpecialAuthorization.Status


def _scope(user):
    """The client's file and the case the record was made on must both be the user's to see."""
    return access.client_scope(user, prefix="client__") & access.case_scope(user, prefix="case__")


def special_authorizations(*, user, status: str = "") -> QuerySet[SpecialAuthorization]:
    """The requests the user may see, oldest received first (the officer's list by status and age)."""
    rows = SpecialAuthorization.objects.filter(_scope(user))
    if status == "open":
        rows = rows.filter(status__in=SpecialAuthorization.OPEN)
    elif status in SA.values:
        rows = rows.filter(status=status)
    return rows.select_related("client", "case").order_by("received_on", "id")


def special_authorization_counts(*, user) -> dict[str, int]:
    """How many of each status the user may see, for the list's filter."""
    from django.db.models import Count

    counted = SpecialAuthorization.objects.filter(_scope(user)).values("status").annotate(n=Count("id"))
    found = {row["status"]: row["n"] for row in counted}
    return {value: found.get(value, 0) for value in SA.values}


def out_of_province_claims(*, user, status: str = "") -> QuerySet[OutOfProvinceClaim]:
    rows = OutOfProvinceClaim.objects.filter(_scope(user))
    if status in OutOfProvinceClaim.Status.values:
        rows = rows.filter(status=status)
    return rows.select_related("client", "case", "issuance").order_by("created_at", "id")


def restrictions_in_force(*, client_ids: list[int], on: date) -> QuerySet[CoverageRestriction]:
    return CoverageRestriction.objects.filter(client_id__in=client_ids, starts_on__lte=on, ends_on__gte=on).exclude(
        ended_early_on__lte=on
    )


def restriction_notes(client_ids: list[int], on: date) -> dict[int, list[str]]:
    """What the drug card's pages show of each client's restrictions in force (one query).

    The callers have already fetched the client through the access rule.
    """
    notes: dict[int, list[str]] = {}
    for r in restrictions_in_force(client_ids=client_ids, on=on).order_by("client_id", "starts_on", "id"):
        notes.setdefault(r.client_id, []).append(
            f"Restricted coverage: {r.get_kind_display().lower()}, {r.provider}, "
            f"{r.starts_on:%Y-%m-%d} to {r.last_day:%Y-%m-%d}. Reason: {r.reason}"
        )
    return notes


def special_authorization_ids_to_renew(*, today: date, days: int) -> list[int]:
    """Approvals ending within `days` (and not yet ended): their renewal tasks are due."""
    from datetime import timedelta

    return list(
        SpecialAuthorization.objects.filter(
            status=SA.APPROVED, approved_until__gte=today, approved_until__lte=today + timedelta(days=days)
        ).values_list("id", flat=True)
    )


def special_authorization_ids_ended(*, today: date) -> list[int]:
    return list(
        SpecialAuthorization.objects.filter(status=SA.APPROVED, approved_until__lt=today).values_list("id", flat=True)
    )


def special_authorization_get(*, user, pk: int) -> SpecialAuthorization:
    """The request if `user` may see it, else 404."""
    return get_object_or_404(
        SpecialAuthorization.objects.filter(_scope(user)).select_related("case", "client", "decided_by"), pk=pk
    )


def case_documents(*, case) -> QuerySet[Document]:
    """The primary client's documents, which a request may cite as evidence (the case is already the user's)."""
    return Document.objects.filter(client_id=case.primary_client_id).order_by("-uploaded_at", "-id")


def case_coverage(*, case) -> dict:
    """Everything of health coverage on one case, one query a kind (the case is already the user's)."""
    return {
        "special_authorizations": list(
            SpecialAuthorization.objects.filter(case=case).select_related("client").order_by("-received_on", "-id")
        ),
        "restrictions": list(CoverageRestriction.objects.filter(case=case).select_related("client")),
        "claims": list(OutOfProvinceClaim.objects.filter(case=case).select_related("client", "issuance")),
        "decisions": list(CoverageDecision.objects.filter(case=case).select_related("client")),
        "travel": list(MedicalTravel.objects.filter(case=case).select_related("client", "issuance")),
    }
