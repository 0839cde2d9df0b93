"""Reads for the community pages: the office's records, and of clients only those the access rule lets the user see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.access import client_scope
from community.models import ParticipantContact, ProjectParticipant, SponsorProject, Volunteer, VolunteerShift


def project_participants(*, user, project: SponsorProject) -> QuerySet[ProjectParticipant]:
    """The project's participants whose client the user may see."""
    return project.participants.filter(client_scope(user, prefix="client__")).select_related("client", "case")


def participant_get(*, user, project: SponsorProject, pk: int) -> ProjectParticipant:
    return get_object_or_404(project_participants(user=user, project=project), pk=pk)


def participant_contacts(*, user, project: SponsorProject) -> QuerySet[ParticipantContact]:
    """Contacts with the project's participants the user may see, newest first."""
    return (
        ParticipantContact.objects.filter(
            client_scope(user, prefix="participant__client__"), participant__project=project
        )
        .select_related("participant__client", "worker")
        .order_by("-contacted_on", "-id")
    )


def volunteer_get(*, user, pk: int) -> Volunteer:
    """A volunteer of the user's office (volunteers are the office's, not a client's); 404 otherwise."""
    return get_object_or_404(Volunteer, office_id=user.office_id, pk=pk)


def volunteer_shifts(*, volunteer: Volunteer) -> QuerySet[VolunteerShift]:
    return volunteer.shifts.select_related("event").order_by("-starts_at", "-id")


def volunteer_hours_served(*, volunteer: Volunteer) -> Decimal:
    return volunteer.shifts.aggregate(total=Sum("hours_served"))["total"] or Decimal("0")
