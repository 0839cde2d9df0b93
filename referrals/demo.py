"""Demo data for `make run`: the resource directory, the agency's own programs, and a few
referrals on the demo cases. Registered with `core.demo` in `ReferralsConfig.ready()`; each
step is safe to run again (the import updates by HSDS id, programs are keyed by id, referrals
are made once).
"""

import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Office
from casework.models import Case
from core.demo import DemoOptions
from referrals import services
from referrals.hsds import ImportReport
from referrals.models import Category, Organization, Referral, Service

DEMO_PACKAGE = Path(__file__).parent / "demo_data" / "riverton"
PROGRAMS = [
    ("employment", "Employment readiness workshop", "Four mornings on CVs, interviews and the local job market."),
    (
        "budgeting",
        "Household budgeting class",
        "Two evenings on budgets, debts and saving, with a one-to-one follow-up.",
    ),
]


def load_demo(options: DemoOptions) -> None:
    """The resource directory (an Open Referral HSDS package) and a few referrals from open cases."""
    load_demo_directory()
    load_demo_referrals()


def load_demo_directory() -> ImportReport:
    """Import the demo HSDS package (four organizations in fictional Riverton County) and
    give each office the agency's own programs, to which referrals make intake tasks."""
    with transaction.atomic():
        report = services.directory_import(acting_user=None, source=DEMO_PACKAGE, name="demo directory")
        agency, _ = Organization.objects.update_or_create(
            hsds_id="agency", defaults={"name": settings.AGENCY_NAME, "description": "Our own programs."}
        )
        category, _ = Category.objects.get_or_create(hsds_id="agency-programs", defaults={"name": "Agency programs"})
        for office in Office.objects.order_by("code"):
            for key, name, description in PROGRAMS:
                program, _ = Service.objects.update_or_create(
                    hsds_id=f"agency-{key}-{office.code}",
                    defaults={
                        "organization": agency,
                        "name": f"{name} ({office.name})",
                        "description": description,
                        "internal_office": office,
                        "fees_description": "Free",
                    },
                )
                program.categories.add(category)
    return report


def load_demo_referrals(*, per_office: int = 6, seed: int = 2026) -> int:
    """A few referrals from the demo cases, in every state, sharing nothing (so no consent is
    needed). Made once: does nothing if any referral exists. Returns how many were made."""
    if Referral.objects.exists():
        return 0
    rng = random.Random(seed)
    external = list(Service.objects.filter(internal_office__isnull=True, status=Service.Status.ACTIVE))
    paths = [[], ["accepted"], ["accepted", "completed"], ["declined"], ["accepted", "not_completed"], ["withdrawn"]]
    made = 0
    for office in Office.objects.order_by("code"):
        cases = list(
            Case.objects.filter(office=office, status=Case.Status.OPEN).select_related("assigned_worker")[:per_office]
        )
        for i, case in enumerate(cases):
            worker = case.assigned_worker
            service = rng.choice(external)
            referral = services.referral_create(
                acting_user=worker,
                case=case,
                client=case.primary_client,
                service=service,
                reason=f"Referred to {service.name} at the last visit.",
                urgency=rng.choice(Referral.Urgency.values),
                shared=[],
            )
            for to in paths[i % len(paths)]:
                referral = services.referral_move(
                    acting_user=worker,
                    referral=referral,
                    to=to,
                    reason="Recorded for the demo" if to in ("declined", "withdrawn") else "",
                    outcome=Referral.Outcome.COULD_NOT_CONTACT if to == "not_completed" else "",
                )
            made += 1
    return made
