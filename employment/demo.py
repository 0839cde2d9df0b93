"""Demo data for `make run`: an employer with an opening, a job club session with a roster.
Registered with `core.demo` in `EmploymentConfig.ready()`, to run after the cases exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from casework.models import Case
from core.demo import DemoOptions
from employment import services
from employment.models import Employer


def load_demo(options: DemoOptions) -> None:
    worker = User.objects.filter(username="north.worker1").first()
    if worker is None or Employer.objects.filter(office_id=worker.office_id).exists():
        return
    employer = services.employer_create(acting_user=worker, name="Harbour Grocers", industry="Retail")
    services.employer_contact_add(acting_user=worker, employer=employer, name="Dana Hynes", title="Store manager")
    services.opening_create(
        acting_user=worker,
        employer=employer,
        title="Cashier",
        hourly_wage=Decimal("16.50"),
        weekly_hours=Decimal("30"),
        skills="customer service, cash handling",
        location="Water Street",
        closes_on=timezone.localdate() + timedelta(days=21),
        positions=2,
    )
    session = services.group_session_create(
        acting_user=worker,
        kind="job_club",
        title="Job club: résumés",
        held_on=timezone.localdate() - timedelta(days=1),
        hours=Decimal("3"),
        place="North Office, room 2",
    )
    cases = Case.objects.filter(assigned_worker=worker, status=Case.Status.OPEN).select_related("primary_client")[:4]
    for case in cases:
        services.client_skills_add(acting_user=worker, client=case.primary_client, skills="customer service")
        services.roster_add(acting_user=worker, session=session, case=case, client=case.primary_client)
