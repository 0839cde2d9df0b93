"""The verbs of health coverage work. Each is one transaction that locks what it changes, moves
statuses through `core.status`, writes its audit event, and tells the client through
`correspondence`. Money goes out only through assistance's request and approval path, so an
amount past the officer's authority waits for a supervisor like any other request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from assistance.models import Issuance
from assistance.services import IssuanceRequest, issuance_request, positive_amount
from audit.models import AuditEvent
from audit.services import audit_record
from casework.models import Case, Task
from casework.services.cases import case_client_ids, case_for_work
from casework.services.plans import check_client_of_case
from casework.services.tasks import task_create
from clients.models import Client, Document
from core.money import format_money
from core.status import status_begin, status_move
from core.users import job_user
from correspondence.services import correspondence_send
from eligibility.models import Program
from eligibility.rules import senior_drug_coverage
from health_coverage import letters
from health_coverage.models import (
    ClaimConsultation,
    CoverageDecision,
    CoverageRestriction,
    MedicalTravel,
    OutOfProvinceClaim,
    SpecialAuthorization,
)

Action = AuditEvent.Action
SA = SpecialAuthorization.Status
Claim = OutOfProvinceClaim.Status

#: How long before an approval ends its renewal task is made, and how long before the end it is due.
RENEWAL_NOTICE_DAYS = 30
RENEWAL_DUE_DAYS_BEFORE_END = 14


def _check_worker(acting_user: User, case: Case, client: Client) -> None:
    """The officer works cases and may see this one; the client is its primary client or a current
    member of its household (casework's rule, `check_client_of_case`)."""
    if not access.may_work_cases(acting_user):
        raise ValidationError(_("Only caseworkers and supervisors do health coverage work."))
    try:
        case_for_work(user=acting_user, case=case)
    except PermissionDenied:
        # Shown on the form that asked, as this app's other refusals are.
        raise ValidationError(_("You may not work on this case.")) from None
    check_client_of_case(case=case, client=client)


def _required(**texts: str) -> None:
    missing = {name: _("This is needed.") for name, text in texts.items() if not (text or "").strip()}
    if missing:
        raise ValidationError(missing)


# Special authorization requests ------------------------------------------------------------------


def special_authorization_receive(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    drug: str,
    prescriber: str,
    criteria_claimed: str,
    received_on: date,
    din: str = "",
    evidence: Sequence[Document] = (),
) -> SpecialAuthorization:
    """Record a special authorization request as received, with the documents that support it."""
    _check_worker(acting_user, case, client)
    _required(drug=drug, prescriber=prescriber, criteria_claimed=criteria_claimed)
    if din.strip() and not (din.strip().isdigit() and len(din.strip()) == 8):
        raise ValidationError({"din": _("A DIN is eight digits.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A request cannot be received in the future.")})
    if any(document.client_id != client.pk for document in evidence):
        raise ValidationError({"evidence": _("Evidence must be the client's own documents.")})
    with transaction.atomic():
        request = SpecialAuthorization.objects.create(
            case=case,
            client=client,
            drug=drug.strip(),
            din=din.strip(),
            prescriber=prescriber.strip(),
            criteria_claimed=criteria_claimed.strip(),
            received_on=received_on,
            created_by=acting_user,
        )
        request.evidence.set(evidence)
        status_begin(request, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=request,
            client_ids=case_client_ids(case.pk),
            changes={
                "drug": [None, request.drug],
                "prescriber": [None, request.prescriber],
                "evidence": [None, sorted(d.pk for d in evidence)],
            },
        )
    return request


def special_authorization_request_information(
    *, acting_user: User, request: SpecialAuthorization, needed: str
) -> SpecialAuthorization:
    """Ask for what is missing; the client is told what, in their language."""
    _required(needed=needed)
    with transaction.atomic():
        request = SpecialAuthorization.objects.select_related("case", "client").get(pk=request.pk)
        _check_worker(acting_user, request.case, request.client)
        status_move(
            request,
            to=SA.MORE_INFORMATION,
            acting_user=acting_user,
            client_ids=case_client_ids(request.case_id),
            reason=needed.strip(),
        )
        correspondence_send(
            client=request.client,
            case=request.case,
            template=letters.SA_MORE_INFORMATION,
            context={"drug": request.drug, "reasons": needed.strip()},
            sent_by=acting_user,
        )
    return request


def special_authorization_review(
    *, acting_user: User, request: SpecialAuthorization, note: str = ""
) -> SpecialAuthorization:
    """Start reviewing the request (from receipt, or once the information asked for has come)."""
    with transaction.atomic():
        request = SpecialAuthorization.objects.select_related("case", "client").get(pk=request.pk)
        _check_worker(acting_user, request.case, request.client)
        status_move(
            request,
            to=SA.UNDER_REVIEW,
            acting_user=acting_user,
            client_ids=case_client_ids(request.case_id),
            reason=note.strip(),
        )
    return request


def special_authorization_decide(
    *,
    acting_user: User,
    request: SpecialAuthorization,
    approve: bool,
    reasons: str,
    approved_from: date | None = None,
    approved_until: date | None = None,
) -> SpecialAuthorization:
    """Approve for a period, or deny, saying why; the client gets the decision as a notice.

    A denial's notice says why and how to ask for a review (no adverse action without notice).
    """
    _required(reasons=reasons)
    also: dict = {"decision_reasons": reasons.strip(), "decided_by": acting_user, "decided_at": timezone.now()}
    if approve:
        if approved_from is None or approved_until is None:
            raise ValidationError({"approved_until": _("An approval needs the first and last day it covers.")})
        if approved_until < approved_from:
            raise ValidationError({"approved_until": _("The last day comes after the first.")})
        also |= {"approved_from": approved_from, "approved_until": approved_until}
    with transaction.atomic():
        request = SpecialAuthorization.objects.select_related("case", "client").get(pk=request.pk)
        _check_worker(acting_user, request.case, request.client)
        status_move(
            request,
            to=SA.APPROVED if approve else SA.DENIED,
            acting_user=acting_user,
            client_ids=case_client_ids(request.case_id),
            reason=reasons.strip(),
            also=also,
        )
        context = {"drug": request.drug, "reasons": reasons.strip()}
        if approve:
            context |= {"approved_from": approved_from, "approved_until": approved_until}
        correspondence_send(
            client=request.client,
            case=request.case,
            template=letters.SA_APPROVED if approve else letters.SA_DENIED,
            context=context,
            sent_by=acting_user,
        )
    return request


def special_authorization_renewal_task(*, request_id: int, today: date) -> Task | None:
    """A task for the case's worker to see the approval renewed before it ends; once per approval period."""
    request = SpecialAuthorization.objects.select_related("case").filter(pk=request_id, status=SA.APPROVED).first()
    if request is None or request.approved_until is None or request.approved_until < today:
        return None
    due = max(today, request.approved_until - timedelta(days=RENEWAL_DUE_DAYS_BEFORE_END))
    return task_create(
        case=request.case,
        kind=Task.Kind.REVIEW,
        title=f"Renew the special authorization for {request.drug}"[:200],
        details=f"Approved until {request.approved_until:%Y-%m-%d}; prescribed by {request.prescriber}. "
        "Ask the prescriber for a renewal request if the client still needs it.",
        due_on=due,
        created_by=job_user(),
        dedupe_key=f"sa-renewal:{request.pk}:{request.approved_until:%Y-%m-%d}",
    )


def special_authorization_expire(*, request_id: int, today: date) -> SpecialAuthorization | None:
    """An approval whose last day has passed becomes expired (once: a second run finds it moved)."""
    with transaction.atomic():
        request = (
            SpecialAuthorization.objects.select_for_update()
            .filter(pk=request_id, status=SA.APPROVED, approved_until__lt=today)
            .first()
        )
        if request is None:
            return None
        status_move(
            request,
            to=SA.EXPIRED,
            acting_user=job_user(),
            client_ids=case_client_ids(request.case_id),
            reason=f"The approval ended on {request.approved_until:%Y-%m-%d}",
        )
    return request


# Restricted coverage --------------------------------------------------------------------------------


def coverage_restriction_record(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    kind: str,
    provider: str,
    reason: str,
    starts_on: date,
    ends_on: date,
) -> CoverageRestriction:
    """Limit a client's drug coverage to one pharmacy or one prescriber for a period, saying why."""
    _check_worker(acting_user, case, client)
    if kind not in CoverageRestriction.Kind.values:
        raise ValidationError({"kind": _("Choose a pharmacy or a prescriber.")})
    _required(provider=provider, reason=reason)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The restriction ends after it starts.")})
    with transaction.atomic():
        restriction = CoverageRestriction.objects.create(
            case=case,
            client=client,
            kind=kind,
            provider=provider.strip(),
            reason=reason.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=restriction,
            client_ids=case_client_ids(case.pk),
            changes={
                "kind": [None, kind],
                "provider": [None, restriction.provider],
                "period": [None, f"{starts_on:%Y-%m-%d} to {ends_on:%Y-%m-%d}"],
            },
            reason=restriction.reason,
        )
    return restriction


# Out-of-province claims ----------------------------------------------------------------------------


def claim_receive(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    service: str,
    province: str,
    provider: str,
    service_date: date,
    amount_claimed: Decimal | str,
    provider_address: str = "",
) -> OutOfProvinceClaim:
    """Record a claim for care received outside the province."""
    _check_worker(acting_user, case, client)
    _required(service=service, provider=provider)
    if province not in OutOfProvinceClaim.Province.values:
        raise ValidationError({"province": _("Choose the province where the care was given.")})
    amount = positive_amount(amount_claimed, field="amount_claimed")
    with transaction.atomic():
        claim = OutOfProvinceClaim.objects.create(
            case=case,
            client=client,
            program=program,
            service=service.strip(),
            province=province,
            provider=provider.strip(),
            provider_address=provider_address.strip(),
            service_date=service_date,
            amount_claimed=amount,
            created_by=acting_user,
        )
        status_begin(claim, acting_user=acting_user)
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=claim,
            client_ids=case_client_ids(case.pk),
            changes={"service": [None, claim.service], "province": [None, province], "amount": [None, str(amount)]},
        )
    return claim


def claim_consult(
    *,
    acting_user: User,
    claim: OutOfProvinceClaim,
    professional: str,
    consulted_on: date,
    notes: str,
    organization: str = "",
    province: str = "",
) -> ClaimConsultation:
    """Keep what a health professional consulted on the claim said."""
    _required(professional=professional, notes=notes)
    with transaction.atomic():
        claim = (
            OutOfProvinceClaim.objects.select_for_update(of=("self",)).select_related("case", "client").get(pk=claim.pk)
        )
        _check_worker(acting_user, claim.case, claim.client)
        consultation = ClaimConsultation.objects.create(
            claim=claim,
            professional=professional.strip(),
            organization=organization.strip(),
            province=province,
            consulted_on=consulted_on,
            notes=notes.strip(),
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=consultation,
            client_ids=case_client_ids(claim.case_id),
            changes={"claim": [None, claim.pk], "professional": [None, consultation.professional]},
        )
    return consultation


def claim_decide(
    *,
    acting_user: User,
    claim: OutOfProvinceClaim,
    amount_approved: Decimal | str,
    reasons: str,
) -> OutOfProvinceClaim:
    """Approve in full, in part or deny (an approved amount of zero), saying why; the client is told.

    The decision follows from the amount: the whole claim is approval in full, less is approval in part.
    """
    _required(reasons=reasons)
    amount = positive_amount(amount_approved, field="amount_approved", allow_zero=True)
    with transaction.atomic():
        claim = OutOfProvinceClaim.objects.select_related("case", "client").get(pk=claim.pk)
        _check_worker(acting_user, claim.case, claim.client)
        if amount > claim.amount_claimed:
            raise ValidationError({"amount_approved": _("No more than the amount claimed can be approved.")})
        to = (
            Claim.DENIED if amount == 0 else Claim.APPROVED if amount == claim.amount_claimed else Claim.PARTLY_APPROVED
        )
        status_move(
            claim,
            to=to,
            acting_user=acting_user,
            client_ids=case_client_ids(claim.case_id),
            reason=reasons.strip(),
            also={
                "amount_approved": amount,
                "decision_reasons": reasons.strip(),
                "decided_by": acting_user,
                "decided_at": timezone.now(),
            },
        )
        correspondence_send(
            client=claim.client,
            case=claim.case,
            template=letters.CLAIM_DECIDED,
            context={
                "service": claim.service,
                "amount_claimed": claim.amount_claimed,
                "amount_approved": amount,
                "decision": str(OutOfProvinceClaim.Status(to).label).lower(),
                "reasons": reasons.strip(),
            },
            sent_by=acting_user,
        )
    return claim


def claim_pay(
    *, acting_user: User, claim: OutOfProvinceClaim, payee_name: str, method: str, payee_address: str = ""
) -> Issuance:
    """Pay an approved claim's amount through assistance: issued at once within the officer's authority,
    waiting in the supervisors' approval queue past it. Asking twice gives back the first payment."""
    claim = OutOfProvinceClaim.objects.select_related("case", "client", "program").get(pk=claim.pk)
    _check_worker(acting_user, claim.case, claim.client)
    if claim.issuance_id:
        return claim.issuance
    if claim.status not in (Claim.APPROVED, Claim.PARTLY_APPROVED):
        raise ValidationError(
            _("This claim is %(status)s: only an approved one is paid.")
            % {"status": claim.get_status_display().lower()}
        )
    with transaction.atomic():
        issuance = issuance_request(
            acting_user=acting_user,
            case=claim.case,
            client=claim.client,
            program=claim.program,
            request=IssuanceRequest(
                kind=Issuance.Kind.HEALTH_CLAIM,
                amount=claim.amount_approved,
                payee_name=payee_name,
                payee_kind=Issuance.PayeeKind.CLIENT
                if payee_name == claim.client.full_name
                else Issuance.PayeeKind.OTHER,
                payee_address=payee_address,
                method=method,
                purpose=f"Out-of-province claim OOP-{claim.pk}: {claim.service} ({claim.province}), "
                f"{format_money(claim.amount_approved)} of {format_money(claim.amount_claimed)} approved",
            ),
            idempotency_key=f"oop-claim:{claim.pk}",
        )
        locked = OutOfProvinceClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.issuance_id is None:
            locked.issuance = issuance
            locked.save(update_fields=["issuance"])
            audit_record(
                actor=acting_user,
                action=Action.UPDATE,
                target=locked,
                client_ids=case_client_ids(claim.case_id),
                changes={"issuance": [None, issuance.reference]},
            )
    return issuance


# Coverage decisions --------------------------------------------------------------------------------


def coverage_decision_senior_drug(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    permanent_resident: bool,
    landed_on: date | None,
    provincial_coverage: bool,
    annual_income: Decimal | str,
    household: str = "single",
    as_of: date | None = None,
) -> CoverageDecision:
    """Decide 65+ drug coverage for a landed immigrant by `eligibility.rules.senior_drug_coverage`,
    keeping the facts, each criterion's explanation and the parameters used, to replay it later."""
    _check_worker(acting_user, case, client)
    day = as_of or timezone.localdate()
    applicant = senior_drug_coverage.SeniorApplicant(
        date_of_birth=client.date_of_birth,
        permanent_resident=permanent_resident,
        landed_on=landed_on,
        provincial_coverage=provincial_coverage,
        annual_income=positive_amount(annual_income, field="annual_income", allow_zero=True),
        household=household,
    )
    try:
        outcome = senior_drug_coverage.determine(applicant, day)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    with transaction.atomic():
        decision = CoverageDecision.objects.create(
            case=case,
            client=client,
            kind=CoverageDecision.Kind.SENIOR_DRUG,
            determination_date=day,
            eligible=outcome.eligible,
            facts=applicant.to_dict(),
            outcome=outcome.to_dict(),
            rule_version=senior_drug_coverage.RULE_VERSION,
            decided_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=decision,
            client_ids=case_client_ids(case.pk),
            changes={"eligible": [None, outcome.eligible], "rule_version": [None, decision.rule_version]},
        )
    return decision


# Medical travel ----------------------------------------------------------------------------------


def medical_travel_arrange(
    *,
    acting_user: User,
    case: Case,
    client: Client,
    program: Program,
    care_needed: str,
    not_available_because: str,
    destination: str,
    itinerary: str,
    departs_on: date,
    returns_on: date,
    payee_name: str,
    method: str,
    transport_cost: Decimal | str = "0",
    lodging_cost: Decimal | str = "0",
    meals_cost: Decimal | str = "0",
    escort_cost: Decimal | str = "0",
    escort_name: str = "",
    escort_reason: str = "",
    payee_address: str = "",
    idempotency_key: str | None = None,
) -> MedicalTravel:
    """Arrange travel out of the province for care not available in it, paid as travel assistance
    within the officer's authority (past it, the travel waits for a supervisor's approval).

    Without an `idempotency_key` the request's own details make one: the same trip for the same
    client, sent twice, is arranged and paid once."""
    _check_worker(acting_user, case, client)
    _required(
        care_needed=care_needed, not_available_because=not_available_because, destination=destination,
        itinerary=itinerary,
    )  # fmt: skip
    if returns_on < departs_on:
        raise ValidationError({"returns_on": _("The return comes after the departure.")})
    if escort_name.strip() and not escort_reason.strip():
        raise ValidationError({"escort_reason": _("Say why the client needs an escort.")})
    costs = {
        name: positive_amount(value, field=name, allow_zero=True)
        for name, value in {
            "transport_cost": transport_cost, "lodging_cost": lodging_cost, "meals_cost": meals_cost,
            "escort_cost": escort_cost,
        }.items()
    }  # fmt: skip
    if escort_name.strip() == "" and costs["escort_cost"]:
        raise ValidationError({"escort_cost": _("An escort's costs need the escort's name.")})
    total = sum(costs.values(), Decimal("0"))
    if total <= 0:
        raise ValidationError({"transport_cost": _("Give the travel's costs.")})
    # The same trip sent again (a double submit, a retry) is the same request: one travel, one payment.
    trip = [case.pk, client.pk, program.pk, destination.strip(), departs_on, returns_on, payee_name, method]
    trip += [str(costs[name]) for name in sorted(costs)]
    key = idempotency_key or "medical-travel:" + hashlib.sha256(repr(trip).encode()).hexdigest()
    with transaction.atomic():
        issuance = issuance_request(
            acting_user=acting_user,
            case=case,
            client=client,
            program=program,
            request=IssuanceRequest(
                kind=Issuance.Kind.TRAVEL,
                amount=total,
                payee_name=payee_name,
                method=method,
                payee_kind=Issuance.PayeeKind.CLIENT if payee_name == client.full_name else Issuance.PayeeKind.OTHER,
                payee_address=payee_address,
                purpose=f"Medical travel to {destination.strip()} for {care_needed.strip()}, "
                f"{departs_on:%Y-%m-%d} to {returns_on:%Y-%m-%d}"
                + (f", escorted by {escort_name.strip()}" if escort_name.strip() else ""),
            ),
            idempotency_key=key,
        )
        existing = MedicalTravel.objects.filter(issuance=issuance).first()
        if existing is not None:
            return existing
        travel = MedicalTravel.objects.create(
            case=case,
            client=client,
            program=program,
            care_needed=care_needed.strip(),
            not_available_because=not_available_because.strip(),
            destination=destination.strip(),
            itinerary=itinerary.strip(),
            departs_on=departs_on,
            returns_on=returns_on,
            escort_name=escort_name.strip(),
            escort_reason=escort_reason.strip(),
            issuance=issuance,
            created_by=acting_user,
            **costs,
        )
        audit_record(
            actor=acting_user,
            action=Action.CREATE,
            target=travel,
            client_ids=case_client_ids(case.pk),
            changes={
                "destination": [None, travel.destination],
                "total": [None, str(total)],
                "issuance": [None, issuance.reference],
            },
        )
    return travel
