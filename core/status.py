"""Moving a row along its `TRANSITIONS`: the one way a status that carries rules changes.

A model whose status carries rules declares its allowed moves beside its fields,
`TRANSITIONS = {from: {to, ...}}` (django-oscar's order pipeline does the same), and, if it
keeps a history, a model inheriting `core.models.StatusChange` whose foreign key to it has
`related_name="status_changes"`. Its services call `status_move` inside their transaction:
it locks the row, refuses a move the table does not allow (naming both statuses), saves the
status and whatever else the move sets with `update_fields`, and writes the history row and
the audit event.

The audit trail is `audit`'s, an app above `core`: `audit` hands its recorder over when it
starts (`status_audit_with`, called from `audit.apps`), so imports keep pointing down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models, router, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

if TYPE_CHECKING:
    from core.models import StatusChange

_recorder: Callable[..., object] | None = None


class StatusRefused(ValidationError):
    """A move its model's `TRANSITIONS` does not allow. Forms show it with `add_service_errors`."""


def status_audit_with(recorder: Callable[..., object]) -> None:
    """Take the audit trail's recorder (`audit.services.audit_record`); `audit` calls this at start-up."""
    global _recorder
    _recorder = recorder


def status_label(model: type[models.Model], value: str) -> str:
    """A status as a person reads it, in lower case; an unknown value as it is."""
    choices = dict(model._meta.get_field("status").flatchoices)
    return str(choices.get(value, value)).lower()


def _noun(model: type[models.Model]) -> str:
    noun = str(getattr(model, "STATUS_NOUN", "") or model._meta.verbose_name)
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def status_allowed(model: type[models.Model], from_status: str, to: str) -> bool:
    return to in model.TRANSITIONS.get(from_status, set())


def status_check(obj: models.Model, to: str) -> None:
    """Refuse, with both statuses in the message, a move `TRANSITIONS` does not allow from where `obj` stands."""
    _check(type(obj), obj.status, to)


def _check(model: type[models.Model], from_status: str, to: str) -> None:
    if not status_allowed(model, from_status, to):
        raise StatusRefused(
            f"{_noun(model).capitalize()} that is {status_label(model, from_status)} "
            f"cannot become {status_label(model, to)}.",
            code="status_refused",
        )


def history_model(model: type[models.Model]) -> type[StatusChange] | None:
    """The model that keeps `model`'s moves, or None if it keeps none."""
    try:
        relation = model._meta.get_field("status_changes")
    except FieldDoesNotExist:
        return None
    return relation.related_model


def status_move(
    obj: models.Model,
    *,
    to: str,
    acting_user,
    client_ids: Iterable[int],
    reason: str = "",
    history_reason: str | None = None,
    also: Mapping[str, Any] | None = None,
    history: Mapping[str, Any] | None = None,
    changes: Mapping[str, list[Any]] | None = None,
    at: datetime | None = None,
) -> StatusChange | None:
    """Move `obj` to `to`, in the caller's transaction: lock, check, save, history row, audit event.

    The row is locked and its stored status decides (a stale instance cannot slip a move
    past). `also` holds the other fields the move sets (a closing date, the deciding
    supervisor): they are saved with the status and those that change are in the audit event
    beside it; `changes` adds what the caller changed on the row before (`{field: [old, new]}`).
    `history` holds the history model's own extra columns (a referral's outcome).
    The history row's reason is `history_reason` when given, else `reason`; the audit event's
    is `reason`. Returns the history row (None for a model that keeps no history).
    """
    if _recorder is None:
        raise ImproperlyConfigured("No audit recorder: the audit app must be installed.")
    # No atomic block of its own (a refusal must not spoil a caller's transaction that catches
    # it): the lock below holds until the caller's transaction ends, so there must be one.
    if not transaction.get_connection(router.db_for_write(type(obj))).in_atomic_block:
        raise TransactionManagementError("status_move runs inside the caller's transaction.")
    model = type(obj)
    obj.status = model._default_manager.select_for_update().filter(pk=obj.pk).values_list("status", flat=True).get()
    status_check(obj, to)
    from_status = obj.status
    changes = {"status": [from_status, to], **(changes or {})}
    obj.status = to
    for name, value in (also or {}).items():
        attname = model._meta.get_field(name).attname
        before = getattr(obj, attname)
        setattr(obj, name, value)
        if getattr(obj, attname) != before:
            changes[attname] = [before, getattr(obj, attname)]
    obj.save(update_fields=["status", *(also or {})])
    change = None
    keeper = history_model(model)
    if keeper is not None:
        change = keeper.objects.create(
            **{keeper.subject_field().name: obj},
            from_status=from_status,
            to_status=to,
            reason=reason if history_reason is None else history_reason,
            changed_by=acting_user,
            changed_at=at or timezone.now(),
            **(history or {}),
        )
    _recorder(actor=acting_user, action="update", target=obj, client_ids=client_ids, changes=changes, reason=reason)
    return change


def status_begin(
    obj: models.Model,
    *,
    acting_user,
    reason: str = "",
    at: datetime | None = None,
    history: Mapping[str, Any] | None = None,
) -> StatusChange:
    """The first row of a new `obj`'s history: from nothing to the status it was created in.

    In the caller's transaction, beside the creation's own audit event (which names the status).
    `history` holds the history model's own extra columns, as for `status_move`.
    """
    keeper = history_model(type(obj))
    if keeper is None:
        raise ImproperlyConfigured(f"{type(obj).__name__} keeps no status history.")
    return keeper.objects.create(
        **{keeper.subject_field().name: obj},
        from_status="",
        to_status=obj.status,
        reason=reason,
        changed_by=acting_user,
        changed_at=at or timezone.now(),
        **(history or {}),
    )


def status_begin_many(
    objs: Sequence[models.Model],
    *,
    acting_user,
    reason: str = "",
    through: Sequence[str] = (),
    at: datetime | None = None,
) -> list[StatusChange]:
    """`status_begin` for many new objects of one model, in one bulk insert however many they are.

    Each history starts from nothing; with `through`, it passes those statuses on the way to the
    one the object was created in (an arrears payment requested, approved and issued at once),
    each step a move `TRANSITIONS` allows. In the caller's transaction, beside the creations' own
    audit event, which names the status (the payment run's names every client of its batch).
    """
    if not objs:
        return []
    model = type(objs[0])
    keeper = history_model(model)
    if keeper is None:
        raise ImproperlyConfigured(f"{model.__name__} keeps no status history.")
    subject = keeper.subject_field().name
    moment = at or timezone.now()
    rows = []
    for obj in objs:
        path = ["", *through, obj.status]
        for before, after in pairwise(path):
            if before:
                _check(model, before, after)
            rows.append(
                keeper(
                    **{subject: obj},
                    from_status=before,
                    to_status=after,
                    reason=reason,
                    changed_by=acting_user,
                    changed_at=moment,
                )
            )
    return keeper.objects.bulk_create(rows)
