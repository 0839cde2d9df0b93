"""Who is acting, and from where, for the duration of one request.

Services read it when they write an audit event, so their signatures carry
only what the domain needs. Celery tasks and commands run with no request:
their events name the acting user passed to the service and no address.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None
    # Read events of this request waiting to be written, with the clients each names: they go in
    # at the end of the request, in its transaction (audit.middleware).
    reads: list | None = field(default=None, compare=False)


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def bind(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)


# Why the acting user may read what they read, when it is not their everyday access (an on-call
# shift, say): a function of the clients an event names, asked only when it names some, so other
# pages pay nothing.
_access_note: ContextVar[Callable[[list[int]], str] | None] = ContextVar("audit_access_note", default=None)


def access_note(client_ids: list[int]) -> str:
    note = _access_note.get()
    return note(client_ids) if note is not None else ""


def bind_access_note(note: Callable[[list[int]], str]):
    return _access_note.set(note)


def reset_access_note(token) -> None:
    _access_note.reset(token)
