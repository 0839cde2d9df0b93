"""Appointment events for whoever listens above this app (the API's webhooks), without importing them.

An app higher in the chain registers a listener once (its AppConfig.ready); the appointment
services call `appointment_event` inside their transaction, so a listener may write its own rows
(an outbox job) that commit or roll back with the booking.
"""

from collections.abc import Callable

from casework.models import Appointment

Listener = Callable[..., None]
_listeners: list[Listener] = []

BOOKED = "appointment.booked"
RESCHEDULED = "appointment.rescheduled"
CANCELLED = "appointment.cancelled"
EVENTS = (BOOKED, RESCHEDULED, CANCELLED)


def appointment_listeners_register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def appointment_event(*, appointment: Appointment, event: str) -> None:
    """`event`: one of `EVENTS`. A rescheduled appointment's event names the new appointment."""
    for listener in _listeners:
        listener(appointment=appointment, event=event)
