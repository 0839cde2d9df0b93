"""Health coverage work through its services: special authorizations from receipt to renewal,
an out-of-province claim paid through the approval queue and the ledger, and coverage decisions."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import Role
from assistance.models import AuthorityLimit, Issuance, LedgerTransaction
from assistance.services import issuance_approve, issuance_issue
from assistance.tests.helpers import client_case, enrol, income_support
from casework.models import Task
from correspondence.models import Correspondence
from correspondence.tests.helpers import prefer
from health_coverage import letters, services
from health_coverage.models import CoverageDecision, OutOfProvinceClaim, SpecialAuthorization
from health_coverage.tasks import special_authorizations_enqueue_due
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
SA = SpecialAuthorization.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


def received(worker, case, **fields) -> SpecialAuthorization:
    fields.setdefault("drug", "Adalimumab 40 mg pen")
    fields.setdefault("prescriber", "Dr. M. Kelly, rheumatology")
    fields.setdefault("criteria_claimed", "Moderate to severe rheumatoid arthritis after two DMARDs failed")
    return services.special_authorization_receive(
        acting_user=worker, case=case, client=case.primary_client, received_on=date(2026, 2, 20), **fields
    )


def test_a_special_authorization_from_receipt_to_approval_notifies_the_client_and_makes_a_renewal_task(
    caseworker, django_capture_on_commit_callbacks
):
    client, case = client_case(caseworker)
    prefer(client, caseworker, language="fr")
    request = received(caseworker, case)
    services.special_authorization_request_information(
        acting_user=caseworker, request=request, needed="The methotrexate trial's dates and response"
    )
    services.special_authorization_review(acting_user=caseworker, request=request, note="Prescriber's letter came")
    services.special_authorization_decide(
        acting_user=caseworker,
        request=request,
        approve=True,
        reasons="Criteria 1 and 2 met on the rheumatologist's letter.",
        approved_from=date(2026, 3, 2),
        approved_until=date(2027, 3, 1),
    )

    request.refresh_from_db()
    assert request.status == SA.APPROVED
    assert [c.to_status for c in request.status_changes.all()] == [
        SA.RECEIVED, SA.MORE_INFORMATION, SA.UNDER_REVIEW, SA.APPROVED,
    ]  # fmt: skip
    letter = Correspondence.objects.filter(client=client, template_code=letters.SA_APPROVED).get()
    assert letter.language == "fr"
    assert "Adalimumab 40 mg pen" in letter.body and "est approuvée" in letter.subject
    assert Correspondence.objects.filter(client=client, template_code=letters.SA_MORE_INFORMATION).exists()

    # Thirty days before the end, the daily job puts the renewal on the worker's list, once.
    with django_capture_on_commit_callbacks(execute=True):
        special_authorizations_enqueue_due("2027-02-01")
    with django_capture_on_commit_callbacks(execute=True):
        special_authorizations_enqueue_due("2027-02-02")
    task = Task.objects.get(case=case, kind=Task.Kind.REVIEW)
    assert task.assignee == caseworker
    assert task.title == "Renew the special authorization for Adalimumab 40 mg pen"
    assert task.due_on == date(2027, 2, 15)

    # Once the approval has ended it expires.
    with django_capture_on_commit_callbacks(execute=True):
        special_authorizations_enqueue_due("2027-03-02")
    request.refresh_from_db()
    assert request.status == SA.EXPIRED


def test_a_denied_request_tells_the_client_why_and_how_to_ask_for_a_review(caseworker):
    client, case = client_case(caseworker)
    request = received(caseworker, case)
    services.special_authorization_review(acting_user=caseworker, request=request)
    services.special_authorization_decide(
        acting_user=caseworker, request=request, approve=False, reasons="Only one DMARD was tried."
    )
    letter = Correspondence.objects.get(client=client, template_code=letters.SA_DENIED)
    assert "Only one DMARD was tried." in letter.body
    assert "ask for a review" in letter.body


def test_a_request_cannot_be_approved_before_it_is_reviewed(caseworker):
    _, case = client_case(caseworker)
    request = received(caseworker, case)
    with pytest.raises(ValidationError, match="received cannot become approved"):
        services.special_authorization_decide(
            acting_user=caseworker, request=request, approve=True, reasons="ok",
            approved_from=date(2026, 3, 2), approved_until=date(2027, 3, 1),
        )  # fmt: skip


def test_a_worker_of_another_office_cannot_record_a_request_on_the_case(caseworker, other_caseworker):
    _, case = client_case(caseworker)
    with pytest.raises(ValidationError, match="may not work on this case"):
        received(other_caseworker, case)


@pytest.fixture
def health_claim_limits(caseworker, supervisor):
    AuthorityLimit.objects.create(
        role=Role.CASEWORKER, kind=Issuance.Kind.HEALTH_CLAIM, effective_from=date(2025, 1, 1),
        per_issuance=Decimal("500.00"),
    )  # fmt: skip
    AuthorityLimit.objects.create(
        role=Role.SUPERVISOR, kind=Issuance.Kind.HEALTH_CLAIM, effective_from=date(2025, 1, 1),
        per_issuance=Decimal("5000.00"),
    )  # fmt: skip


def test_a_claim_over_the_workers_limit_waits_for_a_supervisor_then_is_paid_through_the_ledger(
    caseworker, supervisor, health_claim_limits
):
    client, case = client_case(caseworker)
    program = income_support()
    enrol(case, program)
    claim = services.claim_receive(
        acting_user=caseworker, case=case, client=client, program=program, service="Emergency appendectomy",
        province="NS", provider="Halifax Infirmary", service_date=date(2026, 1, 14), amount_claimed="2400.00",
    )  # fmt: skip
    services.claim_consult(
        acting_user=caseworker, claim=claim, professional="Dr. A. Roy, medical consultant",
        organization="Nova Scotia Health", province="NS", consulted_on=date(2026, 2, 3),
        notes="Emergency care; the anaesthesia fee is billed twice.",
    )  # fmt: skip
    services.claim_decide(
        acting_user=caseworker, claim=claim, amount_approved="1800.00",
        reasons="The duplicate anaesthesia fee ($600.00) is not payable.",
    )  # fmt: skip
    claim.refresh_from_db()
    assert claim.status == OutOfProvinceClaim.Status.PARTLY_APPROVED
    notice = Correspondence.objects.get(client=client, template_code=letters.CLAIM_DECIDED)
    assert "$1,800.00" in notice.body and "approved in part" in notice.subject

    issuance = services.claim_pay(
        acting_user=caseworker, claim=claim, payee_name=client.full_name, method=Issuance.Method.DIRECT_DEPOSIT
    )
    assert issuance.status == Issuance.Status.PENDING
    assert issuance.kind == Issuance.Kind.HEALTH_CLAIM and issuance.amount == Decimal("1800.00")
    assert not LedgerTransaction.objects.filter(issuance=issuance).exists()
    # Asking again (a double click) gives back the same payment.
    assert (
        services.claim_pay(
            acting_user=caseworker, claim=claim, payee_name=client.full_name, method=Issuance.Method.DIRECT_DEPOSIT
        )
        == issuance
    )

    issuance_approve(acting_user=supervisor, issuance=issuance, reason="Consultant's advice followed")
    issuance_issue(acting_user=caseworker, issuance=issuance)
    issuance.refresh_from_db()
    assert issuance.status == Issuance.Status.ISSUED
    posted = LedgerTransaction.objects.get(issuance=issuance, kind=LedgerTransaction.Kind.ISSUE)
    assert sum(e.amount for e in posted.entries.all() if e.amount > 0) == Decimal("1800.00")
    claim.refresh_from_db()
    assert claim.issuance == issuance


def test_a_denied_claim_is_not_paid(caseworker, health_claim_limits):
    client, case = client_case(caseworker, enrolled=True)
    claim = services.claim_receive(
        acting_user=caseworker, case=case, client=client, program=income_support(), service="Physiotherapy",
        province="ON", provider="Clinic", service_date=date(2026, 1, 14), amount_claimed="300",
    )  # fmt: skip
    services.claim_decide(acting_user=caseworker, claim=claim, amount_approved="0", reasons="Not an insured service.")
    with pytest.raises(ValidationError, match="only an approved one is paid"):
        services.claim_pay(acting_user=caseworker, claim=claim, payee_name="x", method=Issuance.Method.CHEQUE)


def test_65_plus_drug_coverage_for_a_landed_immigrant_is_decided_by_the_rule_with_its_explanation(caseworker):
    client = ClientFactory(office=caseworker.office, date_of_birth=date(1958, 6, 1))
    case = case_for(client, caseworker)
    decision = services.coverage_decision_senior_drug(
        acting_user=caseworker, case=case, client=client, permanent_resident=True, landed_on=date(2021, 9, 1),
        provincial_coverage=True, annual_income="14200.00",
    )  # fmt: skip
    decision = CoverageDecision.objects.get(pk=decision.pk)
    assert decision.eligible
    assert decision.rule_version == 1
    lines = {c["name"]: c for c in decision.outcome["criteria"]}
    assert lines["Age"]["explanation"] == "You are 67; the plan covers people 65 and older."
    assert "fewer than the 10 Old Age Security needs" in lines["Old Age Security"]["explanation"]
    assert "senior_drug_coverage.income_ceilings" in decision.outcome["parameters_used"]


def test_medical_travel_within_the_limit_is_issued_as_travel(caseworker):
    AuthorityLimit.objects.create(
        role=Role.CASEWORKER, kind=Issuance.Kind.TRAVEL, effective_from=date(2025, 1, 1), per_issuance=Decimal("3000")
    )
    client, case = client_case(caseworker, enrolled=True)
    travel = services.medical_travel_arrange(
        acting_user=caseworker, case=case, client=client, program=income_support(),
        care_needed="Paediatric cardiac surgery", not_available_because="Not performed in the province",
        destination="IWK Health Centre, Halifax", itinerary="Flight YYT-YHZ 9 March, return 20 March",
        departs_on=date(2026, 3, 9), returns_on=date(2026, 3, 20), transport_cost="1200.00",
        lodging_cost="900.00", meals_cost="300.00", escort_name="Parent", escort_reason="The patient is a child",
        escort_cost="400.00", payee_name=client.full_name, method=Issuance.Method.DIRECT_DEPOSIT,
    )  # fmt: skip
    assert travel.issuance.kind == Issuance.Kind.TRAVEL
    assert travel.issuance.amount == Decimal("2800.00")
    assert travel.issuance.status == Issuance.Status.ISSUED


def test_coverage_work_is_for_a_current_member_of_the_cases_household(caseworker, north):
    _client, case = client_case(caseworker)
    with pytest.raises(ValidationError, match="not a current member of this case's household"):
        services.special_authorization_receive(
            acting_user=caseworker, case=case, client=ClientFactory(office=north), received_on=date(2026, 2, 20),
            drug="Adalimumab 40 mg pen", prescriber="Dr. M. Kelly", criteria_claimed="Rheumatoid arthritis",
        )  # fmt: skip


def test_medical_travel_sent_twice_is_one_travel_and_one_payment(caseworker):
    AuthorityLimit.objects.create(
        role=Role.CASEWORKER, kind=Issuance.Kind.TRAVEL, effective_from=date(2025, 1, 1), per_issuance=Decimal("3000")
    )
    client, case = client_case(caseworker, enrolled=True)
    trip = dict(
        acting_user=caseworker, case=case, client=client, program=income_support(),
        care_needed="Paediatric cardiac surgery", not_available_because="Not performed in the province",
        destination="IWK Health Centre, Halifax", itinerary="Flight YYT-YHZ 9 March, return 20 March",
        departs_on=date(2026, 3, 9), returns_on=date(2026, 3, 20), transport_cost="1200.00",
        payee_name=client.full_name, method=Issuance.Method.DIRECT_DEPOSIT,
    )  # fmt: skip
    first = services.medical_travel_arrange(**trip)
    again = services.medical_travel_arrange(**trip)
    assert again.pk == first.pk
    assert Issuance.objects.filter(case=case, kind=Issuance.Kind.TRAVEL).count() == 1
    assert LedgerTransaction.objects.filter(issuance__case=case).count() == 1
    later = services.medical_travel_arrange(**{**trip, "departs_on": date(2026, 4, 9), "returns_on": date(2026, 4, 20)})
    assert later.pk != first.pk
