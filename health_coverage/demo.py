"""Demo data for `make run`: special authorization requests in each state, a restricted coverage,
an out-of-province claim and health-claim limits, so the officer's lists have something to show.
Called by casework's seed_demo command after assistance's demo (enrollments, limits) exists.

    from health_coverage.demo import load_demo_coverage
    load_demo_coverage()
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Office, Role
from assistance.models import AuthorityLimit, Issuance
from assistance.services import enrolled_programs
from casework.models import Case
from core.demo import DemoOptions
from health_coverage import services
from health_coverage.models import CoverageRestriction

DRUGS = [
    ("Adalimumab 40 mg pen", "Dr. M. Kelly, rheumatology", "Rheumatoid arthritis after two DMARDs failed"),
    ("Apixaban 5 mg", "Dr. S. Penney, family medicine", "Atrial fibrillation, warfarin not tolerated"),
    ("Semaglutide 1 mg", "Dr. L. Hynes, endocrinology", "Type 2 diabetes not controlled on metformin"),
    ("Ustekinumab 90 mg", "Dr. R. Walsh, gastroenterology", "Crohn's disease after anti-TNF failure"),
]
#: A caseworker's and a supervisor's authority for out-of-province claims (demo figures).
LIMITS = {Role.CASEWORKER: Decimal("1000.00"), Role.SUPERVISOR: Decimal("10000.00")}


def load_demo(options: DemoOptions) -> None:
    """Special authorization requests, a restricted coverage and an out-of-province claim."""
    load_demo_coverage()


def load_demo_coverage() -> None:
    today = timezone.localdate()
    for role, figure in LIMITS.items():
        AuthorityLimit.objects.get_or_create(
            role=role,
            kind=Issuance.Kind.HEALTH_CLAIM,
            effective_from=date(2020, 1, 1),
            defaults={"per_issuance": figure, "note": "Demo figure"},
        )
    for office in Office.objects.order_by("code"):
        cases = list(
            Case.objects.filter(office=office, status=Case.Status.OPEN, restricted=False)
            .select_related("assigned_worker", "primary_client")
            .order_by("id")[:6]
        )
        for n, case in enumerate(cases):
            worker, client = case.assigned_worker, case.primary_client
            try:
                _one(n, today, worker, case, client)
            except ValidationError:
                continue  # a client with no safe channel for the notice, say: the demo goes on


def _one(n: int, today: date, worker, case: Case, client) -> None:
    drug, prescriber, criteria = DRUGS[n % len(DRUGS)]
    request = services.special_authorization_receive(
        acting_user=worker, case=case, client=client, drug=drug, prescriber=prescriber, criteria_claimed=criteria,
        received_on=today - timedelta(days=3 + 9 * n),
    )  # fmt: skip
    if n % 3 >= 1:
        services.special_authorization_review(acting_user=worker, request=request)
    if n % 3 == 2:
        services.special_authorization_decide(
            acting_user=worker, request=request, approve=True, reasons="Criteria met on the specialist's letter.",
            approved_from=today, approved_until=today + timedelta(days=365),
        )  # fmt: skip
    if n == 1:
        services.coverage_restriction_record(
            acting_user=worker, case=case, client=client, kind=CoverageRestriction.Kind.PHARMACY,
            provider="Water Street Pharmacy", reason="Early refills from several pharmacies",
            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=335),
        )  # fmt: skip
    programs = enrolled_programs(case=case)
    if n == 0 and programs:
        claim = services.claim_receive(
            acting_user=worker, case=case, client=client, program=programs[0], service="Emergency appendectomy",
            province="NS", provider="Halifax Infirmary", service_date=today - timedelta(days=40),
            amount_claimed="2400.00",
        )  # fmt: skip
        services.claim_consult(
            acting_user=worker, claim=claim, professional="Dr. A. Roy, medical consultant",
            organization="Nova Scotia Health", province="NS", consulted_on=today - timedelta(days=10),
            notes="Emergency care; the anaesthesia fee is billed twice.",
        )  # fmt: skip
