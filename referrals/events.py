"""Referral events for whoever listens above this app (the API's webhooks), without importing them.

An app higher in the chain registers a listener once (its AppConfig.ready); the referral
services call `referral_event` inside their transaction, so a listener may write its own rows
(an outbox job) that commit or roll back with the move.
"""

from collections.abc import Callable

from referrals.models import Referral

Listener = Callable[..., None]
_listeners: list[Listener] = []


def referral_listeners_register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def referral_event(*, referral: Referral, event: str) -> None:
    """`event`: "referral.sent", "referral.accepted", "referral.declined", "referral.completed",
    "referral.not_completed", "referral.withdrawn" or "referral.appointment_proposed"."""
    for listener in _listeners:
        listener(referral=referral, event=event)
