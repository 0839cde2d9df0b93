"""Every periodic job, in one place.

Celery beat reads this table; each entry names a task that fans the work out
to small per-row tasks. Admins can pause or reschedule an entry in the admin
once django-celery-beat is installed; this file holds the shipped defaults.
"""

BEAT_SCHEDULE: dict[str, dict] = {}
