"""The monthly payment run: a benefit month's recurring issuances, less recovery deductions, and its payment file.

A run is one `PaymentRun` per benefit month (the period is unique). `payment_run_start` makes
it (or finds it); `payment_run_batch` pays a batch of enrollments in one transaction; and
`payment_run_complete` closes the run with its report once no payable enrollment is left
unpaid. The Celery tasks fan the batches out; `payment_run_inline` (the management command
and the benchmark) runs them in this process, one after another or on a few threads.

Why it can run twice, or die halfway and run again, and give the result of one clean run:

- at most one recurring issuance per enrollment and month (a unique constraint), and each
  batch pays only the enrollments of its list still unpaid. A second copy of a batch running
  at the same time waits on the first's new rows in that constraint's index (or on the
  overpayments it locks), fails on the constraint once the first commits, and is tried
  again: then it finds them paid. Enrollments are not locked: a suspension committed while
  a batch runs counts as after it (locking them cost a fifth of the run's time);
- a batch is one transaction: its issuances, their status rows, their ledger postings, the
  overpayment balances and statuses they lower and the batch's audit event commit together
  or not at all, so a crash leaves whole batches behind it and the re-run pays the rest;
- references, idempotency keys and the payment file are derived from the enrollment and the
  month, never from the order or timing of the work, so the file is the same bytes however
  the run was interrupted;
- a batch holds the run's row in share mode and completion takes it exclusively, so a run
  cannot be completed while a batch is still writing, and a completed run takes no more.

A unique-constraint error (another writer paid an enrollment between the batch's read and its
insert) rolls the batch back, and it is tried again.
"""

from assistance.services.runs.batches import BatchResult, display_name, payment_run_batch
from assistance.services.runs.common import (
    file_name,
    idempotency_key,
    next_period,
    period_parse,
    reference,
    run_reason,
)
from assistance.services.runs.lifecycle import (
    DEFAULT_BATCH_SIZE,
    Progress,
    payment_run_complete,
    payment_run_inline,
    payment_run_resume,
    payment_run_start,
)
from assistance.services.runs.report import (
    FILE_COLUMNS,
    payment_file,
    payment_file_issue,
    payment_file_store,
    payment_run_report,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FILE_COLUMNS",
    "BatchResult",
    "Progress",
    "display_name",
    "file_name",
    "idempotency_key",
    "next_period",
    "payment_file",
    "payment_file_issue",
    "payment_file_store",
    "payment_run_batch",
    "payment_run_complete",
    "payment_run_inline",
    "payment_run_report",
    "payment_run_resume",
    "payment_run_start",
    "period_parse",
    "reference",
    "run_reason",
]
