"""Demo data for `make run`: one agency, two offices, staff in every role, ~50 households with cases.

Running it again changes nothing: it stops if the demo offices exist.
"""

import functools
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Office, Role, Team
from accounts.services import user_create
from casework.models import Case
from casework.services import cases as case_services
from clients import services as client_services
from clients.facts import person_fact_record
from clients.models import Client, Expense, HouseholdMembership, Income
from clients.services import ClientInput, MemberInput

DEMO_PASSWORD = "casework-demo-2026"

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


class Command(BaseCommand):
    help = "Load demo offices, staff and households (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=50)
        parser.add_argument("--host", default="127.0.0.1", help="Where the site will listen, for the address printed.")
        parser.add_argument("--port", default="8000", help="The port the site will listen on, likewise.")

    def handle(self, *args, households: int, host: str, port: str, **options):
        if Office.objects.filter(code="north").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with _quiet_background(), transaction.atomic():
                self._load(households)
        self._print_logins(host=host, port=port)

    def _load(self, households: int) -> None:
        rng = random.Random(2026)
        # SNAP's state figures (utility allowances, broad-based categorical eligibility): the demo
        # agency uses Connecticut's, so a household paying for utilities can be assessed.
        call_command("eligibility_load_parameters", state=["ct"], stdout=self.stdout)
        admin = user_create(
            acting_user=None,
            username="admin",
            password=DEMO_PASSWORD,
            roles=[Role.ADMIN],
            first_name="Alex",
            last_name="Admin",
        )
        user_create(
            acting_user=admin,
            username="auditor",
            password=DEMO_PASSWORD,
            roles=[Role.AUDITOR],
            first_name="Audrey",
            last_name="Auditor",
        )
        user_create(
            acting_user=admin,
            username="finance",
            password=DEMO_PASSWORD,
            roles=[Role.FINANCE],
            first_name="Frances",
            last_name="Finance",
        )
        workers = []
        for code, name in [("north", "North Office"), ("south", "South Office")]:
            office = Office.objects.create(code=code, name=name, address=f"1 {name} Plaza", phone="555-0100")
            supervisor = user_create(
                acting_user=admin,
                username=f"{code}.supervisor",
                password=DEMO_PASSWORD,
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
                        password=DEMO_PASSWORD,
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
            self._finances(rng, worker, head, today, number=h)
            if h == 1:
                self._disability(worker, head, today)
        # The resource directory (an Open Referral HSDS package) and a few referrals from open cases.
        from referrals.demo import load_demo_directory, load_demo_referrals

        load_demo_directory()
        load_demo_referrals()
        # Income Support enrollments, a budget, an office manager and issuances in every state.
        from assistance.demo import load_demo_assistance

        load_demo_assistance(password=DEMO_PASSWORD)
        # Special authorization requests, a restricted coverage and an out-of-province claim.
        from coverage.demo import load_demo_coverage

        load_demo_coverage()
        self.stdout.write(self.style.SUCCESS(f"Loaded {households} households, {Client.objects.count()} clients."))

    def _finances(self, rng, worker, client, today, *, number: int) -> None:
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

    def _disability(self, worker, client, today) -> None:
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

    def _print_logins(self, *, host: str, port: str) -> None:
        # Last, so it is the one thing on screen when the server starts.
        address = f"[{host}]" if ":" in host else host
        self.stdout.write(
            "\n"
            + (
                "Admins, auditors, finance and supervisors also give a code from an authenticator app.\n"
                if settings.SECOND_FACTOR_ENFORCED
                else "Passwords only in this demo (CASEWORK_SECOND_FACTOR=1 asks for a code, as production does).\n"
            )
            + f"Casework: http://{address}:{port}/\n"
            f"Sign in as one of these (password for all: {DEMO_PASSWORD})\n"
            "  admin             administrator (Django admin at /admin/)\n"
            "  auditor           auditor (audit trail)\n"
            "  finance           finance: the agency-wide payment files\n"
            "  north.supervisor  supervisor, North Office\n"
            "  north.manager     office manager: approves beyond a supervisor's limit\n"
            "  north.worker1..3  caseworkers, North Office\n"
            "  south.supervisor  supervisor, South Office\n"
            "  south.worker1..3  caseworkers, South Office\n"
        )


@functools.cache
def _demo_lease() -> bytes:
    """A real one-page PDF: uploads are kept only when their content is what their name says."""
    from weasyprint import HTML

    return HTML(string="<h1>Residential lease</h1><p>Demo document.</p>").write_pdf()


@contextmanager
def _quiet_background() -> Iterator[None]:
    """Without a broker Celery runs the demo's tasks in-process and logs a line for each, and kombu
    warns that its in-memory transport has no hostname: noise over the sign-ins. Errors still show."""
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _fake_ssn(rng: random.Random) -> str:
    # Area numbers 001-665 and 667-899 are valid; demo numbers avoid 000, 666 and 9xx.
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
