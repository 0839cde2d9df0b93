"""Set-up for the Django-layer tests: records made through the real services."""

from datetime import date
from decimal import Decimal

from clients.models import Client
from eligibility.models import Enrollment, Program
from eligibility.services import enrollment_apply
from tests.factories import ClientFactory, IncomeFactory, case_for

APPLIED = date(2025, 8, 1)
BEFORE_FY2026 = date(2025, 9, 30)
FY2026 = date(2025, 10, 1)


def single_earner(office, *, earnings: str = "900", **client_fields) -> Client:
    client = ClientFactory(office=office, date_of_birth=date(1990, 1, 1), **client_fields)
    IncomeFactory(client=client, kind="earned", amount=Decimal(earnings), start_date=date(2025, 1, 1))
    return client


def snap_enrollment(worker, *, earnings: str = "900", case_restricted: bool = False, **client_fields) -> Enrollment:
    client = single_earner(worker.office, earnings=earnings, **client_fields)
    case = case_for(client, worker, restricted=case_restricted)
    return enrollment_apply(
        acting_user=worker, case=case, program=Program.objects.get(code="snap"), application_date=APPLIED
    )
