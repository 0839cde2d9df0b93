"""Every periodic job, in one place.

Celery beat reads this table; each entry names a task that fans the work out
to small per-row tasks, so a job that runs twice or dies halfway can simply be
run again.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "core-jobs-relay": {
        # Jobs written while the broker was unreachable: sent once it is back (core/jobs.py).
        "task": "core.tasks.jobs_relay",
        "schedule": crontab(),
    },
    "core-jobs-prune": {
        # Jobs sent more than OUTBOX_KEEP_DAYS ago are forgotten; pending ones never are.
        "task": "core.tasks.jobs_prune",
        "schedule": crontab(minute=45, hour=4),
    },
    "casework-participation-review": {
        # After a month ends: compare each client's hours with the requirement (45 CFR 261.31).
        "task": "casework.tasks.participation_enqueue_month",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
    "casework-appointment-reminders": {
        # Clients with an appointment within APPOINTMENT_REMINDER_DAYS: one reminder each, in their language.
        "task": "casework.tasks.appointment_reminders_enqueue",
        "schedule": crontab(minute=0, hour=7),
    },
    "casework-appointments-unmarked": {
        # Appointments past their end still marked scheduled: a task for the worker to mark them, once.
        "task": "casework.tasks.appointments_flag_unmarked_enqueue",
        "schedule": crontab(minute=45, hour=6),
    },
    "referrals-follow-ups": {
        # Referrals with no move for their urgency's days: a follow-up task for the worker, once.
        "task": "referrals.tasks.referrals_enqueue_follow_ups",
        "schedule": crontab(minute=30, hour=6),
    },
    "eligibility-reviews-open": {
        # Reviews falling due within the program's notice days: a review record and a task, once.
        "task": "eligibility.tasks.reviews_enqueue_due",
        "schedule": crontab(minute=0, hour=5),
    },
    "eligibility-reviews-overdue": {
        # Open reviews past due plus the grace days: suspend the enrollment and tell the worker.
        "task": "eligibility.tasks.reviews_enqueue_overdue",
        "schedule": crontab(minute=15, hour=5),
    },
    "eligibility-redetermine": {
        # Households whose facts changed since their last decision: run the rules again.
        "task": "eligibility.tasks.redetermine_enqueue",
        "schedule": crontab(minute=0, hour=1),
    },
    "coverage-special-authorizations": {
        # Approvals ending within 30 days: a renewal task for the worker, once; ended ones expire.
        "task": "health_coverage.tasks.special_authorizations_enqueue_due",
        "schedule": crontab(minute=45, hour=5),
    },
    "assistance-payment-run": {
        # On the 25th: next month's recurring benefits, less recovery deductions, and the payment file.
        "task": "assistance.tasks.payment_run_enqueue",
        "schedule": crontab(minute=0, hour=3, day_of_month=25),
    },
    "assistance-payment-run-resume": {
        # A running run with no new issuance for PAYMENT_RUN_STALLED_MINUTES: its unpaid batches sent again.
        "task": "assistance.tasks.payment_runs_resume_stalled",
        "schedule": crontab(minute="*/2"),
    },
    "assistance-ledger-partitions": {
        # The ledger's monthly partitions, three months ahead (assistance/partitions.py).
        "task": "assistance.tasks.ledger_partitions_create_ahead",
        "schedule": crontab(minute=20, hour=0),
    },
    "assistance-settle-redeterminations": {
        # Decided redeterminations with an earlier effective date: overpayments and arrears, once each.
        "task": "assistance.tasks.settlements_enqueue",
        "schedule": crontab(minute=30, hour=1),
    },
    "audit-events-chain": {
        # The trail's new events placed in its hash chain (audit/chain.py); audit_verify allows
        # CASEWORK_AUDIT_CHAIN_WAIT_SECONDS of delay before it calls a waiting event forged.
        "task": "audit.tasks.events_chain",
        "schedule": 5.0,
    },
    "audit-partitions-ensure": {
        # The trail's monthly partitions, three months ahead (audit/partitions.py).
        "task": "audit.tasks.partitions_ensure",
        "schedule": crontab(minute=15, hour=0),
    },
    "audit-chains-anchor": {
        # The heads of the trail's and the ledger's hash chains, appended to a file outside the database.
        "task": "audit.tasks.chains_anchor",
        "schedule": crontab(minute=5, hour=0),
    },
    "correspondence-retry": {
        # Emails and texts whose pause after a failed try is over: tried again (correspondence/).
        "task": "correspondence.tasks.correspondence_retry_due",
        "schedule": crontab(),
    },
    "correspondence-print-batch": {
        # The letters waiting for the post, in one PDF for whoever prints the mail that morning.
        "task": "correspondence.tasks.print_batch_make",
        "schedule": crontab(minute=30, hour=7),
    },
    "reports-monthly-report": {
        # On the 1st: last month's statistical report (PDF and CSV), kept and shown to managers.
        "task": "reports.tasks.monthly_report_make_previous",
        "schedule": crontab(minute=0, hour=4, day_of_month=1),
    },
}
