"""The jobs account: scheduled work names it as the one who acted, and nobody can sign in as it."""

import pytest

from core.users import JOB_USERNAME, job_user

pytestmark = pytest.mark.django_db


def test_every_job_acts_as_the_same_account():
    first = job_user()
    assert job_user().pk == first.pk
    assert first.username == JOB_USERNAME == "casework-jobs"
    assert first.get_full_name() == "Scheduled jobs"


def test_nobody_signs_in_as_the_jobs_account():
    user = job_user()
    assert not user.is_active
    assert not user.has_usable_password()
