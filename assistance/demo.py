"""Demo data for `make run`: a senior supervisor with a higher limit, a budget, enrollments paid
monthly, and issuances in every state, so the approval queue and the ledger have something to show.
Registered with `core.demo` in `AssistanceConfig.ready()`, to run after the cases exist.
"""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Office, Role, User
from accounts.services import user_create
from assistance.models import AuthorityLimit, Budget, Issuance
from assistance.services import IssuanceRequest, enrolled_programs, issuance_approve, issuance_request
from casework.models import Case
from core.demo import DemoOptions
from eligibility import rules
from eligibility.models import Program
from eligibility.services import determination_finalise, determination_run, enrollment_apply

MANAGER_LIMIT = Decimal("25000.00")
AMOUNTS = {
    Issuance.Kind.EMERGENCY: ["250.00", "480.00", "1350.00"],
    Issuance.Kind.FOOD_VOUCHER: ["75.00", "150.00"],
    Issuance.Kind.DRUG_CARD: ["60.00", "220.00"],
}

LOGINS = ("  north.manager     senior supervisor: approves beyond a supervisor's limit",)


def load_demo(options: DemoOptions) -> None:
    """Income Support enrollments, a budget, a senior supervisor and issuances in every state."""
    load_demo_assistance(password=options.password)


def load_demo_assistance(*, password: str, seed: int = 2026) -> None:
    rng = random.Random(seed)
    with transaction.atomic():
        north = Office.objects.get(code="north")
        admin = User.objects.get(username="admin")
        manager = user_create(
            acting_user=admin,
            username="north.manager",
            password=password,
            roles=[Role.SUPERVISOR],
            first_name="Morgan",
            last_name="North Manager",
            office=north,
        )
        for kind in Issuance.REQUESTABLE:
            AuthorityLimit.objects.create(
                user=manager,
                kind=kind,
                effective_from=date(2020, 1, 1),
                per_issuance=None if kind == Issuance.Kind.SHELTER else MANAGER_LIMIT,
                max_units=90 if kind == Issuance.Kind.SHELTER else None,
                note="Office manager: approves what is beyond a supervisor's limit",
            )
        income_support = Program.objects.get(code="income_support")
        today = timezone.localdate()
        starts = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
        Budget.objects.create(
            program=income_support,
            fiscal_year=f"{starts.year}-{(starts.year + 1) % 100:02d}",
            starts_on=starts,
            ends_on=date(starts.year + 1, 3, 31),
            amount=Decimal("250000.00"),
        )
    _enrollments(income_support, today)
    _issuances(rng, income_support)


def _enrollments(program: Program, today: date) -> None:
    """Income Support for a few open cases in each office, decided, so the payment run pays them."""
    for office in Office.objects.order_by("code"):
        cases = Case.objects.filter(office=office, status=Case.Status.OPEN, restricted=False).select_related(
            "assigned_worker"
        )[:6]
        for case in cases:
            worker = case.assigned_worker
            try:
                with transaction.atomic():
                    enrollment = enrollment_apply(
                        acting_user=worker, case=case, program=program, application_date=today.replace(day=1)
                    )
                    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=today)
                    if determination.eligible and determination.monthly_amount > 0:
                        determination_finalise(acting_user=worker, determination=determination, decision="approve")
                    else:
                        raise ValidationError(_("not eligible"))
            except (ValidationError, rules.RulesError):
                continue  # a household the rules turn down: no enrollment in the demo


def _issuances(rng: random.Random, program: Program) -> None:
    """Issued help within the workers' limits, and requests waiting for the supervisors."""
    for office in Office.objects.order_by("code"):
        supervisor = User.objects.filter(office=office, supervised_teams__isnull=False).first()
        cases = list(
            Case.objects.filter(office=office, status=Case.Status.OPEN)
            .select_related("assigned_worker", "primary_client")
            .order_by("pk")[:8]
        )
        approved = False
        for number, case in enumerate(cases):
            worker = case.assigned_worker
            client = case.primary_client
            if number % 4 == 3:
                kind, amount, extra = Issuance.Kind.SHELTER, None, {"units": 6, "unit_rate": Decimal("65.00")}
                payee = {"payee_kind": Issuance.PayeeKind.SHELTER, "payee_name": "Harbour Light Shelter"}
            else:
                kind = rng.choice([Issuance.Kind.EMERGENCY, Issuance.Kind.FOOD_VOUCHER, Issuance.Kind.DRUG_CARD])
                amount = Decimal(rng.choice(AMOUNTS[kind]))
                if number < 2:
                    kind, amount = Issuance.Kind.EMERGENCY, Decimal("1350.00")  # over a caseworker's $1,000
                extra = {}
                payee = {"payee_name": client.display_name}
            enrolled = enrolled_programs(case=case)
            reason = "" if enrolled else "Utility shut-off before the application is decided"
            if reason and kind != Issuance.Kind.SHELTER:
                kind = Issuance.Kind.EMERGENCY  # the one kind that may go out before enrolment
            method = Issuance.Method.VOUCHER if kind == Issuance.Kind.FOOD_VOUCHER else Issuance.Method.CARD
            if kind == Issuance.Kind.EMERGENCY:
                method = Issuance.Method.DIRECT_DEPOSIT
            try:
                issuance = issuance_request(
                    acting_user=worker,
                    case=case,
                    client=client,
                    program=enrolled[0] if enrolled else program,
                    request=IssuanceRequest(
                        kind=kind,
                        amount=amount,
                        method=method,
                        purpose="Demo",
                        unenrolled_reason=reason,
                        **payee,
                        **extra,
                    ),
                    idempotency_key=f"demo-{uuid.UUID(int=rng.getrandbits(128))}",
                )
            except ValidationError:
                continue
            if issuance.status == Issuance.Status.PENDING and supervisor is not None and not approved:
                # One decision for the worker to see on their home page, with "Issue now".
                issuance_approve(acting_user=supervisor, issuance=issuance, reason="Eviction notice seen")
                approved = True
