"""The job outbox: a task that must follow a write is written with it, and relayed to Celery after commit.

`job_enqueue` stores the task's name and arguments in the caller's transaction and, once that
commits, tries to send it at once. If the broker is unreachable the user's action has still
succeeded: the row stays pending, with the error, and `jobs_relay` (beat, every minute) sends
it when the broker is back. Each row is sent under its own row lock and marked sent in the
same transaction, so two relays never both send it; a process that dies between the send and
the commit leaves it pending and it is sent again, which is why every task must be safe to run
twice.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.models import OutboxJob

logger = logging.getLogger(__name__)

#: After a failed send, the attempts made right after a commit wait this long before trying the
#: broker again, so a burst of writes during an outage does not each pay a connection timeout.
BROKER_PAUSE_SECONDS = 30
_broker_down_until = {"at": 0.0}

RELAY_CHUNK = 500


def job_enqueue(task: Any, /, *args: Any, **kwargs: Any) -> OutboxJob:
    """Store `task(*args, **kwargs)` in the current transaction; it is sent to Celery after the commit.

    `task` is a Celery task or its registered name; the arguments must be JSON (ids, ISO dates).
    """
    name = task if isinstance(task, str) else task.name
    job = OutboxJob.objects.create(task=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(jobs_send, ids=[job.pk], after_commit=True))
    return job


def jobs_send(*, ids: list[int] | None = None, after_commit: bool = False, limit: int = RELAY_CHUNK) -> int:
    """Send pending jobs (these `ids`, or the oldest `limit`) to the broker; returns how many were sent.

    Stops at the first job the broker refuses, leaving it and the rest pending with the error.
    `after_commit`: the quick try made as the writing transaction commits, which gives up at
    once (no publish retries) and skips the broker for a short pause after a failure.
    """
    if after_commit and time.monotonic() < _broker_down_until["at"]:
        return 0
    pending = OutboxJob.objects.filter(sent_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = 0
    for pk in pending.order_by("pk").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            # skip_locked: a job another relay is sending right now is theirs.
            job = OutboxJob.objects.select_for_update(skip_locked=True).filter(pk=pk, sent_at__isnull=True).first()
            if job is None:
                continue
            try:
                _publish(job, retry=not after_commit)
            except (BrokerError, ConnectionError) as error:
                _broker_down_until["at"] = time.monotonic() + BROKER_PAUSE_SECONDS
                job.attempts += 1
                job.last_error = f"{type(error).__name__}: {error}"[:2000]
                job.save(update_fields=["attempts", "last_error"])
                logger.warning("Job %s left pending: the broker refused it (%s)", job, error)
                return sent
            _broker_down_until["at"] = 0.0
            job.sent_at = timezone.now()
            job.attempts += 1
            job.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent


def _publish(job: OutboxJob, *, retry: bool) -> None:
    if job.task not in current_app.tasks:
        # A web process has not imported the apps' tasks modules yet: Celery's autodiscovery does.
        current_app.loader.import_default_modules()
    task = current_app.tasks.get(job.task)
    if task is None:  # defined only where the workers run: they know it by name
        current_app.send_task(job.task, args=job.args, kwargs=job.kwargs, retry=retry)
    else:  # through the task, so that tasks run in this process where Celery is set to (no broker)
        task.apply_async(args=job.args, kwargs=job.kwargs, retry=retry)


def jobs_relay() -> int:
    """Send every pending job, oldest first, until none is left or the broker refuses one; returns how many."""
    total = 0
    while True:
        sent = jobs_send(limit=RELAY_CHUNK)
        total += sent
        if sent < RELAY_CHUNK:
            return total


def jobs_prune(*, now=None) -> int:
    """Delete jobs sent more than `OUTBOX_KEEP_DAYS` ago (pending ones are never deleted); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxJob.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
