"""A run's life: starting it, completing it with its report, and the whole run in this process."""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import PaymentRun
from assistance.selectors.runs import last_moved, pending_enrollment_ids, pending_exists, stalled
from assistance.services.runs.batches import BatchResult, payment_run_batch
from assistance.services.runs.common import Action
from assistance.services.runs.report import payment_file, payment_file_store, payment_run_report
from audit.services import audit_record
from core.users import JOB_USERNAME, job_user

DEFAULT_BATCH_SIZE = 1000


def payment_run_start(*, acting_user: User, period: date) -> PaymentRun:
    """The run for benefit month `period`, made if it does not exist yet (one per month: a unique period)."""
    if acting_user.get_username() != JOB_USERNAME and not access.may_start_payment_runs(acting_user):
        raise ValidationError(_("Only supervisors and administrators start a payment run."))
    if period.day != 1:
        raise ValidationError({"period": _("A benefit month starts on the first: give the first of the month.")})
    with transaction.atomic():
        run, created = PaymentRun.objects.get_or_create(period=period, defaults={"started_by": acting_user})
        if created:
            audit_record(
                actor=acting_user,
                action=Action.CREATE,
                target=run,
                changes={"period": [None, f"{period:%Y-%m}"], "status": [None, run.status]},
            )
    return run


def payment_run_complete(
    *, run: PaymentRun | int, acting_user: User | None = None, quick_check: bool = True
) -> PaymentRun | None:
    """Close the run with its report and the payment file's digest once nothing payable is left unpaid.

    Returns the completed run, or None while enrollments remain to be paid. The run's row is
    locked: batches still writing finish first, and two callers complete it once.
    `quick_check`: first ask whether anything is left unpaid, which stops at the first one
    found (a Celery batch, while others still run); the report finds it too, more slowly.
    """
    run_id = run.pk if isinstance(run, PaymentRun) else int(run)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run_id)
        if run.status == PaymentRun.Status.COMPLETED:
            return run
        if quick_check and pending_exists(period=run.period):
            return None
        report = payment_run_report(run=run)
        if report is None:
            return None
        content = payment_file(run=run)
        run.report = report
        run.file_sha256 = hashlib.sha256(content).hexdigest()
        run.status = PaymentRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save(update_fields=["report", "file_sha256", "status", "finished_at"])
        audit_record(
            actor=acting_user or job_user(),
            action=Action.UPDATE,
            target=run,
            changes={
                "status": [PaymentRun.Status.RUNNING, PaymentRun.Status.COMPLETED],
                "issued": [None, report["issued"]],
                "net": [None, report["net"]],
                "file_sha256": [None, run.file_sha256],
            },
        )
        transaction.on_commit(lambda: payment_file_store(run=run, content=content))
    return run


def payment_run_resume(*, run: PaymentRun | int, since: datetime, acting_user: User | None = None) -> list[int] | None:
    """Take up a run that stopped moving: the enrollments it still has to pay, to be sent as batches again.

    Returns None, changing nothing, if the run is completed or has moved (paid, started or been
    resumed) since `since`: another worker is on it. Otherwise it notes the resume on the run, in
    the trail, and returns the unpaid enrollment ids (an empty list: only the completion is left).
    Paying them twice is harmless: a batch pays only what is still unpaid (see `payment_run_batch`).
    """
    run_id = run.pk if isinstance(run, PaymentRun) else int(run)
    with transaction.atomic():
        # Waits for batches still writing (they hold the row in share mode): their issuances count as moves.
        run = (
            PaymentRun.objects.select_for_update()
            .annotate(moved=last_moved(run_id))
            .annotate(is_stalled=ExpressionWrapper(stalled(since), output_field=BooleanField()))
            .get(pk=run_id)
        )
        if not run.is_stalled:
            return None
        ids = pending_enrollment_ids(period=run.period)
        before = run.resumed_at
        run.resumed_at = timezone.now()
        run.save(update_fields=["resumed_at"])
        audit_record(
            actor=acting_user or job_user(),
            action=Action.UPDATE,
            target=run,
            changes={"resumed_at": [before.isoformat() if before else None, run.resumed_at.isoformat()]},
            reason=f"No progress since {since:%Y-%m-%d %H:%M}: {len(ids)} enrollments still to pay sent again",
        )
    return ids


Progress = Callable[[int, int, BatchResult], None]


def payment_run_inline(
    *,
    period: date,
    batch_size: int = DEFAULT_BATCH_SIZE,
    acting_user: User | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> PaymentRun:
    """The whole run in this process, batch after batch (the management command; safe to run again).

    `workers` > 1 (PostgreSQL only) pays that many batches at once, each on its own database
    connection, as that many Celery workers would. Returns the run: completed, unless
    enrollments kept becoming payable while it ran.
    """
    acting_user = acting_user or job_user()
    run = payment_run_start(acting_user=acting_user, period=period)
    for _round in range(3):
        if run.status == PaymentRun.Status.COMPLETED:
            return run
        ids = pending_enrollment_ids(period=period)
        batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
        if workers > 1 and connection.vendor == "postgresql":
            _pay_in_threads(run, batches, acting_user, progress, workers)
        else:
            for number, batch in enumerate(batches, 1):
                result = payment_run_batch(run=run, enrollment_ids=batch, acting_user=acting_user)
                if progress is not None:
                    progress(number, len(batches), result)
        run = payment_run_complete(run=run, acting_user=acting_user, quick_check=False) or run
    return run


def _pay_in_threads(
    run: PaymentRun, batches: list[list[int]], acting_user: User, progress: Progress | None, workers: int
) -> None:
    """Pay the batches on `workers` threads; the first error stops the others taking more, and is raised."""
    todo: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
    for batch in batches:
        todo.put(batch)
    lock = threading.Lock()
    done = {"count": 0}
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not errors:
                try:
                    batch = todo.get_nowait()
                except queue.Empty:
                    return
                result = payment_run_batch(run=run, enrollment_ids=batch, acting_user=acting_user)
                with lock:
                    done["count"] += 1
                    if progress is not None:
                        progress(done["count"], len(batches), result)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, name=f"payment-run-{n}") for n in range(min(workers, len(batches)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
