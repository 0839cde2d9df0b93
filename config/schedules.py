"""Every periodic job, in one place.

Celery beat reads this table; each entry names a task that fans the work out
to small per-row tasks, so a job that runs twice or dies halfway can simply be
run again.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "casework-participation-review": {
        # After a month ends: compare each client's hours with the requirement (45 CFR 261.31).
        "task": "casework.tasks.participation_enqueue_month",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
}
