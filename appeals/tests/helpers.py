"""Set-up for the appeal tests: a SNAP household whose benefit is cut when its earnings rise (real services)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from eligibility.models import AdverseAction, Enrollment
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from tests.factories import IncomeFactory

APPROVED_ON = date(2025, 10, 6)
REDUCED_ON = date(2026, 1, 20)  # notice period ends 30 January: the cut takes effect in February


def at(day: date, hour: int = 15):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def approved_snap(worker) -> Enrollment:
    with at(APPROVED_ON):
        enrollment = snap_enrollment(worker, earnings="900")
        determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=APPROVED_ON)
        determination_finalise(acting_user=worker, determination=determination, decision="approve")
    enrollment.refresh_from_db()
    return enrollment


def reduce(enrollment: Enrollment, worker, *, on: date = REDUCED_ON, earnings: str = "400") -> AdverseAction:
    """The household reports more earnings; the worker decides the lower benefit."""
    with at(on):
        IncomeFactory(
            client=enrollment.case.primary_client, kind="earned", amount=Decimal(earnings), start_date=on.replace(day=1)
        )
        determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=on)
        determination_finalise(acting_user=worker, determination=determination, decision="approve")
    return AdverseAction.objects.filter(enrollment=enrollment).latest("id")
