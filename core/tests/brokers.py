"""Pointing the Celery app at a broker for one test: a real one, one that refuses, or none (in-process)."""

from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app
from core import jobs

#: Nothing listens here: a broker that is down.
CLOSED_BROKER = "redis://127.0.0.1:6390/0"


def _forget_connections() -> None:
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    jobs._broker_down_until["at"] = 0.0


@contextmanager
def broker(url: str | None) -> Iterator[None]:
    """Celery sends to `url`; with None, tasks run in this process (as in the rest of the suite)."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    _forget_connections()
    app.conf.update(
        broker_url=url or "memory://",
        task_always_eager=url is None,
        # Kombu gives up connecting after a timeout measured on the clock, which the tests freeze:
        # a number of tries ends it instead.
        broker_transport_options={**saved["broker_transport_options"], "max_retries": 1},
    )
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()
