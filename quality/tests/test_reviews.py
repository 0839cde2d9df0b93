"""Quality reviews: the sample is the seed's, a reviewer never reviews their own case, the error
amount is the re-run's, and the payment error rate is exact."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from eligibility.models import Enrollment, Program
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from quality import selectors, services
from quality.models import Checklist, Review, ReviewElement, Sample, SampledCase
from quality.sampling import draw
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-11-10 10:00 -05:00", tick=False):
        yield


MONTH = date(2025, 10, 1)


@pytest.fixture
def reviewer(north):
    return UserFactory(username="qa", office=north, roles=["reviewer"])


def decided_snap(worker, earnings: str = "900") -> Enrollment:
    enrollment = snap_enrollment(worker, earnings=earnings)
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=worker, determination=determination, decision="approve")
    return enrollment


def test_the_same_seed_draws_the_same_sample():
    population = list(range(1, 400))
    first = draw(population, size=20, seed=424242)
    assert draw(list(reversed(population)), size=20, seed=424242) == first
    assert draw(population, size=20, seed=424243) != first
    assert len(set(first)) == 20


def test_a_stratum_is_drawn_once_from_its_recorded_seed_and_never_redrawn(caseworker, reviewer, north):
    for _ in range(6):
        decided_snap(caseworker)
    snap = Program.objects.get(code="snap")
    sample = services.sample_draw(acting_user=reviewer, month=MONTH, program=snap, office=north, size=3, seed=77)
    picked = list(sample.cases.values_list("case_id", flat=True))
    assert sample.population == 6 and len(picked) == 3
    population = services.sample_population(program=snap, office=north, month=MONTH)
    assert picked == draw(list(population), size=3, seed=77)

    with pytest.raises(ValidationError, match="already drawn"):
        services.sample_draw(acting_user=reviewer, month=MONTH, program=snap, office=north, size=3, seed=78)
    assert AuditEvent.objects.filter(object_type__endswith="sample", changes__seed=77).exists()


def test_only_a_reviewer_draws_a_sample(caseworker, north):
    with pytest.raises(PermissionDenied):
        services.sample_draw(
            acting_user=caseworker, month=MONTH, program=Program.objects.get(code="snap"), office=north, size=1
        )


def test_a_reviewer_is_refused_a_case_they_worked(caseworker, north):
    worker_reviewer = UserFactory(username="former_worker", office=north, roles=["caseworker", "reviewer"])
    enrollment = decided_snap(worker_reviewer)
    sample = services.sample_draw(
        acting_user=worker_reviewer, month=MONTH, program=enrollment.program, office=north, size=5, seed=1
    )
    sampled = sample.cases.get()
    with pytest.raises(PermissionDenied, match="another reviewer must review it"):
        services.review_start(acting_user=worker_reviewer, sampled=sampled)
    assert not Review.objects.exists()


def test_the_refusal_is_said_on_the_page(client, north):
    worker_reviewer = UserFactory(username="former_worker", office=north, roles=["caseworker", "reviewer"])
    enrollment = decided_snap(worker_reviewer)
    sample = services.sample_draw(
        acting_user=worker_reviewer, month=MONTH, program=enrollment.program, office=north, size=5, seed=1
    )
    client.force_login(worker_reviewer)
    response = client.post(reverse("quality:review_start", args=[sample.cases.get().pk]), follow=True)
    assert "another reviewer must review it" in response.content.decode()


def test_the_error_is_the_issued_amount_less_the_re_run_on_the_verified_facts(caseworker, reviewer, north):
    enrollment = decided_snap(caseworker, earnings="900")
    sample = services.sample_draw(
        acting_user=reviewer, month=MONTH, program=enrollment.program, office=north, size=1, seed=5
    )
    review = services.review_start(acting_user=reviewer, sampled=sample.cases.get())
    assert review.checklist.code == "snap"
    assert review.issued_amount == Decimal("144.00")  # $900 earned, one person, FY 2026

    # Verified: $700 a month, not $900. $700 - 20% - $209 = $351 net; 30% = $105.30 -> $106;
    # $298 - $106 = $192 (7 CFR 273.10(e)), so the household was underpaid $48.
    review = services.review_recompute(
        acting_user=reviewer, review=review, income_amounts={0: Decimal("700.00")}, expense_amounts={}
    )
    assert review.verified_amount == Decimal("192.00")
    assert review.error_amount == Decimal("-48.00")
    assert review.finding == "Underpaid"

    with pytest.raises(ValidationError, match="Every element needs a result"):
        services.review_complete(acting_user=reviewer, review=review, cause="", responsibility="", summary="")
    services.review_elements_record(
        acting_user=reviewer,
        review=review,
        results={e.code: ("na", "", "") for e in review.elements.all()}
        | {"earned_income": ("incorrect", "$700 a month (pay stubs)", "")},
    )
    with pytest.raises(ValidationError, match="needs its cause"):
        services.review_complete(acting_user=reviewer, review=review, cause="", responsibility="", summary="")
    services.review_complete(
        acting_user=reviewer, review=review, cause="Income misread", responsibility="agency", summary="Pay stubs"
    )
    review.refresh_from_db()
    assert review.status == Review.Status.COMPLETED


def test_the_worker_sees_the_finding_on_the_case(client, caseworker, reviewer, north):
    enrollment = decided_snap(caseworker)
    sample = services.sample_draw(
        acting_user=reviewer, month=MONTH, program=enrollment.program, office=north, size=1, seed=5
    )
    review = services.review_start(acting_user=reviewer, sampled=sample.cases.get())
    services.review_recompute(
        acting_user=reviewer, review=review, income_amounts={0: Decimal("700")}, expense_amounts={}
    )
    services.review_elements_record(
        acting_user=reviewer,
        review=review,
        results={e.code: ("correct", "", "") for e in review.elements.all()}
        | {"earned_income": ("incorrect", "$700", "")},
    )
    services.review_complete(
        acting_user=reviewer, review=review, cause="Income misread", responsibility="agency", summary=""
    )
    services.corrective_action_add(
        acting_user=reviewer, review=review, description="Pay the $48 owed", owner=caseworker, due_on=date(2025, 11, 30)
    )
    client.force_login(caseworker)
    page = client.get(reverse("quality:case_findings", args=[enrollment.case_id])).content.decode()
    assert "Underpaid" in page and "48.00" in page and "Income misread" in page and "Pay the $48 owed" in page


def _reviewed(case_enrollment, sample, position: int, *, issued: str, error: str, incorrect: bool = False) -> Review:
    sampled = SampledCase.objects.create(
        sample=sample, case_id=case_enrollment.case_id, enrollment=case_enrollment, position=position
    )
    review = Review.objects.create(
        sampled=sampled,
        reviewer=sample.drawn_by,
        checklist=Checklist.objects.get(code="snap"),
        status=Review.Status.COMPLETED,
        completed_at="2025-11-05T10:00:00-05:00",
        issued_amount=Decimal(issued),
        error_amount=Decimal(error),
        cause="Income" if error != "0.00" or incorrect else "",
    )
    ReviewElement.objects.create(
        review=review, code="notice", label="Notice", position=1, result="incorrect" if incorrect else "correct"
    )
    return review


def test_the_payment_error_rate_of_a_known_sample_is_exact(caseworker, reviewer, north):
    enrollments = [decided_snap(caseworker) for _ in range(4)]
    sample = Sample.objects.create(
        month=MONTH, program=enrollments[0].program, office=north, size=4, seed=1, population=4, drawn_by=reviewer
    )
    _reviewed(enrollments[0], sample, 1, issued="200.00", error="50.00")  # overpaid $50
    _reviewed(enrollments[1], sample, 2, issued="300.00", error="-30.00")  # underpaid $30
    _reviewed(enrollments[2], sample, 3, issued="500.00", error="0.00")
    _reviewed(enrollments[3], sample, 4, issued="333.33", error="0.00", incorrect=True)  # an error of procedure
    total, groups = selectors.error_rates(by="office", start=MONTH, end=MONTH)
    # ($50 + $30) / ($200 + $300 + $500 + $333.33) = 80 / 1333.33 = 6.000015...% -> 6.00%
    assert total.overpaid == Decimal("50.00") and total.underpaid == Decimal("30.00")
    assert total.issued == Decimal("1333.33")
    assert total.payment_error_rate == Decimal("6.00")
    assert total.case_error_rate == Decimal("75.00")  # 3 of 4 cases had an error
    assert [(g.label, g.payment_error_rate) for g in groups] == [("North Office", Decimal("6.00"))]


def test_the_error_rates_page_has_a_chart_with_its_table_and_text(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("quality:error_rates"), {"by": "program"}).content.decode()
    assert 'role="img"' in page and "<title" in page and "<desc" in page
    assert 'id="error-rates"' in page and 'id="error-summary"' in page


def test_the_checklists_ship_for_the_programs_and_child_support():
    codes = dict(Checklist.objects.values_list("code", "rules_module"))
    assert codes == {
        "snap": "snap",
        "income-support": "income_support",
        "drug-assistance": "drug_assistance",
        "child-support": "",
    }
    child = Checklist.objects.get(code="child-support")
    assert {"case_closure", "establishment", "enforcement", "distribution"} <= {e["code"] for e in child.elements}
