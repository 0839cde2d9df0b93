"""The account that scheduled jobs act as."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

if TYPE_CHECKING:
    from accounts.models import User

#: The account scheduled jobs act as, so status rows and determinations name who made them.
JOB_USERNAME = "casework-jobs"


def job_user() -> User:
    """The (inactive, password-less) account the periodic jobs act as."""
    user, created = get_user_model().objects.get_or_create(
        username=JOB_USERNAME, defaults={"first_name": "Scheduled", "last_name": "jobs", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
