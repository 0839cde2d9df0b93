"""Reads of what was sent to clients, scoped by the access rule (accounts/access.py).

Each returns a queryset shaped for its page: the sender and case come with each row, so a
page costs the same few queries whatever its number of rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.access import client_scope, print_batch_scope
from correspondence.models import Channel, Correspondence, PrintBatch, StaffMessage

if TYPE_CHECKING:
    from accounts.models import User
    from casework.models import Case
    from clients.models import Client


def correspondence_visible(user: User) -> QuerySet[Correspondence]:
    return Correspondence.objects.filter(client_scope(user, prefix="client__")).select_related(
        "sent_by", "case", "client"
    )


def correspondence_for_client(user: User, client: Client) -> QuerySet[Correspondence]:
    """Everything sent to `client` that `user` may see, newest first."""
    return correspondence_visible(user).filter(client_id=client.pk).order_by("-created_at", "-id")


def correspondence_for_case(user: User, case: Case) -> QuerySet[Correspondence]:
    """Everything sent about `case` to the clients `user` may see, newest first."""
    return correspondence_visible(user).filter(case_id=case.pk).order_by("-created_at", "-id")


def correspondence_get(*, user: User, pk: int) -> Correspondence:
    item = correspondence_visible(user).filter(pk=pk).first()
    if item is None:
        raise Http404("No such message, or not yours to see.")
    return item


def correspondence_history(*, item: Correspondence):
    return item.status_changes.select_related("changed_by").order_by("changed_at", "id")


def correspondence_ids_due_retry(*, now=None) -> list[int]:
    """Emails and texts waiting for another try whose pause is over."""
    now = now or timezone.now()
    return list(
        Correspondence.objects.filter(
            status=Correspondence.Status.QUEUED, next_attempt_at__lte=now, channel__in=[Channel.EMAIL, Channel.TEXT]
        ).values_list("pk", flat=True)[:1000]
    )


def print_batches(user: User) -> QuerySet[PrintBatch]:
    """The print batches of the user's office, if they print its mail; newest first."""
    return (
        PrintBatch.objects.filter(print_batch_scope(user)).select_related("printed_by").order_by("-created_at", "-id")
    )


def print_batch_get(*, user: User, pk: int) -> PrintBatch:
    batch = print_batches(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("No such print batch, or not yours to print.")
    return batch


def mail_waiting_count(user: User) -> int:
    """Letters of the user's office waiting for its next print batch."""
    if not user.office_id:
        return 0
    return Correspondence.objects.filter(
        status=Correspondence.Status.QUEUED, channel=Channel.MAIL, client__office_id=user.office_id
    ).count()


def staff_inbox(user: User) -> QuerySet[StaffMessage]:
    """The messages delivered to `user`, newest first: their own, and nobody else's."""
    return StaffMessage.objects.filter(recipient_id=user.pk, delivered_at__isnull=False).order_by("-created_at", "-id")
