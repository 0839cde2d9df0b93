"""Set-up for assistance tests: a case with a client, and requests made through the real services."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from assistance.models import AuthorityLimit, Issuance
from assistance.services import IssuanceRequest, issuance_request
from assistance.services.limits import limits_exceeded
from eligibility.models import Enrollment, Program
from tests.factories import ClientFactory, case_for


def client_case(worker, *, enrolled: bool = False, **client_fields):
    """A client and an open case worked by `worker`, enrolled in Income Support if asked."""
    client = ClientFactory(office=worker.office, **client_fields)
    case = case_for(client, worker)
    if enrolled:
        enrol(case, income_support())
    return client, case


def enrol(case, program: Program, *, application_date: date = date(2026, 1, 5)) -> Enrollment:
    """An active enrollment of the case in `program` (the determination behind it is not the point here)."""
    enrollment = Enrollment.objects.filter(case=case, program=program, status__in=Enrollment.LIVE).first()
    return enrollment or Enrollment.objects.create(
        case=case,
        program=program,
        status=Enrollment.Status.ACTIVE,
        application_date=application_date,
        created_by=case.assigned_worker,
    )


def income_support() -> Program:
    return Program.objects.get(code="income_support")


def request(
    worker,
    case,
    *,
    kind: str = Issuance.Kind.EMERGENCY,
    amount: str | Decimal | None = "100.00",
    key: str | None = None,
    client=None,
    program: Program | None = None,
    **fields,
) -> Issuance:
    """Ask for assistance as `worker`; paid by direct deposit to the client unless told otherwise."""
    fields.setdefault("payee_name", "The client")
    fields.setdefault("method", Issuance.Method.DIRECT_DEPOSIT)
    program = program or income_support()
    if not fields.get("unenrolled_reason"):
        enrol(case, program)
    return issuance_request(
        acting_user=worker,
        case=case,
        client=client or case.primary_client,
        program=program,
        request=IssuanceRequest(kind=kind, amount=Decimal(amount) if amount is not None else None, **fields),
        idempotency_key=key or uuid.uuid4().hex,
    )


def shelter(worker, case, *, nights: int, rate: str = "60.00", **fields) -> Issuance:
    fields.setdefault("payee_kind", Issuance.PayeeKind.SHELTER)
    fields.setdefault("payee_name", "Harbour Light Shelter")
    return request(
        worker, case, kind=Issuance.Kind.SHELTER, amount=None, units=nights, unit_rate=Decimal(rate), **fields
    )


#: Days around a supervisor's limit being raised (see `own_request_within_limit`).
LOWER_LIMIT_FROM = date(2026, 3, 1)
RAISED_LIMIT_FROM = date(2026, 3, 10)
#: When tests decide the request: the raised limit is in force.
DECIDED_AT = datetime(2026, 3, 12, 15, tzinfo=UTC)
DECIDED_ON = DECIDED_AT.date()


def own_request_within_limit(supervisor, *, amount: str = "1500.00") -> Issuance:
    """A supervisor's own request, still waiting, for an amount now within their own authority.

    They asked under a personal limit of $1,000 (so it waited), and their limit has since
    been raised to $5,000: only the rule that nobody decides their own request stands in the
    way. The request is made on 5 March 2026; decide it at `DECIDED_AT`.
    """
    for effective_from, per_issuance in ((LOWER_LIMIT_FROM, "1000.00"), (RAISED_LIMIT_FROM, "5000.00")):
        AuthorityLimit.objects.create(
            user=supervisor,
            kind=Issuance.Kind.EMERGENCY,
            effective_from=effective_from,
            per_issuance=Decimal(per_issuance),
            note="A temporary lower limit, then the usual one",
        )
    _client, case = client_case(supervisor)
    with time_machine.travel(datetime(2026, 3, 5, 15, tzinfo=UTC), tick=False):
        own = request(supervisor, case, amount=amount)
    assert own.status == Issuance.Status.PENDING
    within = limits_exceeded(user=supervisor, kind=own.kind, client_id=own.client_id, amount=own.amount, on=DECIDED_ON)
    assert within == [], within
    return own
