"""Read-only pages read from a PostgreSQL read replica, when there is one (DATABASE_REPLICA_URL).

Nothing reads from the replica unless a page asks for it: a view decorated with
`@replica_reads` (the reports, the figures pages, the audit trail) runs inside a read-only
context, and only there does `ReplicaRouter` send reads to the `replica` alias. Everything
else, and every write, goes to the primary. Routing every read to the replica would break
read-after-write: a replica runs a little behind, and a person who has just saved a note must
see it on the next page.

Inside a read-only page the primary still serves:
- every read after the request's first write (a page that records who looked at it reads the
  primary from then on, so it never reads older data than it wrote);
- every read inside a transaction the page opens on the primary (a `select_for_update`, a
  service's checks); the request's own transaction (RequestTransactionMiddleware), opened
  before the page, does not count;
- the tables a sign-in rests on (sessions, second-factor devices, lockouts), which a replica
  that lags a second behind would lose just after someone signs in.

Raw SQL through `django.db.connection` is the primary's, always.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

#: Apps whose rows are read back in the next request (signing in): always the primary's.
PRIMARY_ONLY_APPS = frozenset({"sessions", "otp_totp", "otp_static", "axes"})


@dataclass
class _Reading:
    wrote: bool = False
    #: How many atomic blocks were open on the primary when the page began.
    depth: int = 0


_reading: ContextVar[_Reading | None] = ContextVar("casework_replica_reading", default=None)


def replica_enabled() -> bool:
    """Whether a replica is configured and turned on (`CASEWORK_READ_REPLICA`)."""
    return bool(getattr(settings, "CASEWORK_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_context() -> Iterator[None]:
    """Reads in this block may go to the replica, until the first write."""
    token = _reading.set(_Reading(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view: Callable) -> Callable:
    """Mark a read-only page: its reads go to the replica when there is one (see the module)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_context():
            response = view(request, *args, **kwargs)
            # A TemplateResponse renders later; render it while the context holds.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    wrapped.reads_from_replica = True
    return wrapped


class ReplicaRouter:
    """Reads of a `@replica_reads` page to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        reading = _reading.get()
        if reading is None or reading.wrote or not replica_enabled():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > reading.depth:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        reading = _reading.get()
        if reading is not None:
            reading.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: a row read from one may point at a row of the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        # The replica copies the primary's schema; nothing migrates it directly.
        return False if db == REPLICA else None
