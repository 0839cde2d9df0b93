"""Casework's demo data for `make run`: one agency, two offices, staff in every role, households
with cases, their finances and documents. Registered with `core.demo` in `CaseworkConfig.ready()`.
"""

import functools
import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Office, Role, Team
from accounts.services import user_create
from casework.models import Case
from casework.services import cases as case_services
from clients import services as client_services
from clients.facts import person_fact_record
from clients.models import Client, Expense, HouseholdMembership, Income
from clients.services import ClientInput, MemberInput
from core.demo import DemoOptions

LOGINS = (
    "  admin             administrator (Django admin at /admin/)",
    "  auditor           auditor (audit trail)",
    "  finance           finance: the agency-wide payment files",
    "  north.office      office manager, North Office: its dashboard and the monthly report",
    "  north.supervisor  supervisor, North Office",
    "  north.worker1..3  caseworkers, North Office",
    "  south.office      office manager, South Office",
    "  south.supervisor  supervisor, South Office",
    "  south.worker1..3  caseworkers, South Office",
)

FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olga",
    "Juan",
    "Fatima",
    "Liam",
    "Priya",
    "Noah",
    "Sofia",
    "Ethan",
    "Amara",
    "Lucas",
    "Hana",
    "Mateo",
    "Zoe",
    "Omar",
    "Grace",
    "Dmitri",
    "Leila",
    "Samuel",
    "Ivy",
    "Kofi",
]
LAST = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Johnson",
    "Okafor",
    "Martinez",
    "Chen",
    "Brown",
    "Patel",
    "Kowalski",
    "Hernandez",
    "Murphy",
    "Ali",
    "Rossi",
    "Dubois",
    "Tremblay",
    "Young",
    "Walker",
    "Santos",
    "Kim",
]
STREETS = ["Elm St", "Water St", "Main St", "Harbour Rd", "Prospect Ave", "Lake Dr", "Cedar Ln"]


def load_demo_casework(options: DemoOptions) -> None:
    """The offices, staff in every role and `options.households` households, each with a case."""
    households = options.households
    password = options.password
    rng = random.Random(2026)
    admin = user_create(
        acting_user=None,
        username="admin",
        password=password,
        roles=[Role.ADMIN],
        first_name="Alex",
        last_name="Admin",
    )
    user_create(
        acting_user=admin,
        username="auditor",
        password=password,
        roles=[Role.AUDITOR],
        first_name="Audrey",
        last_name="Auditor",
    )
    user_create(
        acting_user=admin,
        username="finance",
        password=password,
        roles=[Role.FINANCE],
        first_name="Frances",
        last_name="Finance",
    )
    workers = []
    for code, name in [("north", "North Office"), ("south", "South Office")]:
        office = Office.objects.create(code=code, name=name, address=f"1 {name} Plaza", phone="555-0100")
        user_create(
            acting_user=admin,
            username=f"{code}.office",
            password=password,
            roles=[Role.OFFICE_MANAGER],
            first_name="Olivia",
            last_name=f"{name.split()[0]} Office Manager",
            office=office,
        )
        supervisor = user_create(
            acting_user=admin,
            username=f"{code}.supervisor",
            password=password,
            roles=[Role.SUPERVISOR],
            first_name="Sam",
            last_name=f"{name.split()[0]} Supervisor",
            office=office,
        )
        team = Team.objects.create(office=office, name="Intake and eligibility", supervisor=supervisor)
        supervisor.team = team
        supervisor.save(update_fields=["team"])
        for n in range(1, 4):
            workers.append(
                user_create(
                    acting_user=admin,
                    username=f"{code}.worker{n}",
                    password=password,
                    roles=[Role.CASEWORKER],
                    first_name=f"Casey{n}",
                    last_name=f"{name.split()[0]} Worker",
                    office=office,
                    team=team,
                )
            )
    today = date.today()
    for h in range(households):
        worker = workers[h % len(workers)]
        last = rng.choice(LAST)
        size = rng.choice([1, 1, 2, 3, 3, 4, 5])
        members = []
        for m in range(size):
            relationship = "head" if m == 0 else ("spouse" if m == 1 and size > 2 else "child")
            age = rng.randint(25, 70) if relationship != "child" else rng.randint(0, 17)
            restricted = h % 17 == 5 and m == 0
            has_identifier = relationship != "child" or rng.random() < 0.5
            data = ClientInput(
                first_name=rng.choice(FIRST),
                last_name=last,
                date_of_birth=today - timedelta(days=age * 365 + rng.randint(0, 364)),
                sex=rng.choice(["F", "M"]),
                language=rng.choice(["English"] * 6 + ["Spanish", "French", "Arabic", "Mandarin"]),
                phone=f"555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}" if m == 0 else "",
                address_line1=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                city="Riverton",
                region="WI",
                postal_code=f"53{rng.randint(100, 999)}",
                address_confidential=restricted,
                identifier_kind="ssn" if has_identifier else "",
                identifier=_fake_ssn(rng) if has_identifier else "",
                restricted=restricted,
            )
            data.interpreter_needed = data.language != "English" and rng.random() < 0.6
            members.append(MemberInput(relationship=relationship, new=data))
        household = client_services.household_register(
            acting_user=worker,
            office=worker.office,
            members=members,
            start_date=today - timedelta(days=rng.randint(30, 900)),
        )
        head = HouseholdMembership.objects.get(household=household, relationship="head").client
        opened = today - timedelta(days=rng.randint(0, 25))
        case = case_services.case_open(
            acting_user=worker, household=household, primary_client=head, restricted=h % 17 == 5, opened_on=opened
        )
        if h % 5:
            case_services.case_transition(acting_user=worker, case=case, to=Case.Status.OPEN)
        _finances(rng, worker, head, today, number=h)
        if h == 1:
            _disability(worker, head, today)
    options.stdout.write(f"Loaded {households} households, {Client.objects.count()} clients.\n")


def _finances(rng, worker, client, today, *, number: int) -> None:
    start = today - timedelta(days=rng.randint(60, 700))
    if rng.random() < 0.7:
        client_services.finance_record_save(
            acting_user=worker,
            record=Income(client=client),
            values={
                "kind": "earned",
                "amount": Decimal(rng.randint(200, 900)),
                "frequency": rng.choice(["weekly", "biweekly"]),
                "start_date": start,
                "verification": "verified",
                "description": "Part-time work",
            },
        )
    if rng.random() < 0.3:
        client_services.finance_record_save(
            acting_user=worker,
            record=Income(client=client),
            values={
                "kind": "child_support",
                "amount": Decimal(rng.randint(100, 400)),
                "frequency": "monthly",
                "start_date": start,
                "verification": "unverified",
            },
        )
    client_services.finance_record_save(
        acting_user=worker,
        record=Expense(client=client),
        values={
            "kind": "rent",
            "amount": Decimal(rng.randint(500, 1400)),
            "frequency": "monthly",
            "start_date": start,
            "verification": "verified",
            "description": "Monthly rent",
        },
    )
    # Utilities by kind, in turn so every SNAP utility standard shows (and the random sequence of
    # the rest of the demo stays the same): heating (the SUA), two utilities (the LUA), a
    # telephone only, or none paid separately.
    utilities = (
        {"heating_cooling": 145, "electricity": 60},
        {"water": 40, "trash": 25},
        {"telephone": 50},
        {},
    )[number % 4]
    for kind, amount in utilities.items():
        client_services.finance_record_save(
            acting_user=worker,
            record=Expense(client=client),
            values={
                "kind": kind,
                "amount": Decimal(amount),
                "frequency": "monthly",
                "start_date": start,
                "verification": "verified",
                "description": "",
            },
        )
    client_services.document_upload(
        acting_user=worker,
        client=client,
        kind="lease",
        upload=SimpleUploadedFile("lease.pdf", _demo_lease(), content_type="application/pdf"),
        description="Current lease",
    )


def _disability(worker, client, today) -> None:
    """One client lives on Social Security disability, verified: SNAP treats the household as
    one with a disabled member (7 CFR 271.2)."""
    person_fact_record(
        acting_user=worker,
        client=client,
        kind="disability",
        basis="social_security",
        start_date=today - timedelta(days=400),
        verification="verified",
        note="SSDI award letter seen",
    )


@functools.cache
def _demo_lease() -> bytes:
    """A real one-page PDF: uploads are kept only when their content is what their name says."""
    from weasyprint import HTML

    return HTML(string="<h1>Residential lease</h1><p>Demo document.</p>").write_pdf()


def _fake_ssn(rng: random.Random) -> str:
    # Area numbers 001-665 and 667-899 are valid; demo numbers avoid 000, 666 and 9xx.
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
