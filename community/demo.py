"""Demo data for `make run`: a recommended sponsor project, a volunteer half-way through
screening, an outreach event. Registered with `core.demo` in `CommunityConfig.ready()`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from community import services
from community.models import SponsorProject
from core.demo import DemoOptions
from eligibility.models import Program
from referrals.models import Organization


def load_demo(options: DemoOptions) -> None:
    worker = User.objects.filter(username="north.worker1").first()
    sponsor = Organization.objects.order_by("id").first()
    program = Program.objects.filter(code="income_support").first()
    if worker is None or sponsor is None or program is None:
        return
    if SponsorProject.objects.filter(office_id=worker.office_id).exists():
        return
    today = timezone.localdate()
    project = services.project_propose(
        acting_user=worker,
        sponsor=sponsor,
        program=program,
        title="Community garden",
        proposal="Participants build and tend raised beds; the sponsor supervises and trains.",
        project_budget=Decimal("30000.00"),
        participants_planned=6,
        funding_per_participant=Decimal("1500.00"),
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=210),
    )
    services.project_recommend(acting_user=worker, project=project, recommendation="Trusted sponsor; fair budget.")
    volunteer = services.volunteer_recruit(
        acting_user=worker, name="Ada Byrne", recruited_on=today - timedelta(days=14), availability="weekday mornings"
    )
    services.volunteer_screening_record(
        acting_user=worker, volunteer=volunteer, background_check="cleared", checked_on=today - timedelta(days=3)
    )
    services.outreach_event_record(
        acting_user=worker,
        held_on=today - timedelta(days=7),
        topic="Help with heating costs",
        audience="Seniors' club",
        place="Parish hall",
        materials="Brochures in English and French",
        attendance=28,
    )
