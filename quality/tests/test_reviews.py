"""Quality reviews: the sample is the seed's, a reviewer never reviews their own case, the error
amount is the re-run's, and the payment error rate is exact."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.access_cache import access_cache_clear
from audit.models import AuditEvent
from casework.services.cases import case_transfer
from eligibility.models import Enrollment, Program
from eligibility.services import WhatIf, determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from quality import selectors, services
from quality.models import Checklist, Review, ReviewElement, Sample, SampledCase
from quality.sampling import draw
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


MONTH = date(2025, 10, 1)


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


def test_a_former_worker_of_the_case_is_refused_its_review_and_told_so_on_the_page(
    client, caseworker, supervisor, reviewer, north
):
    former = UserFactory(username="former_worker", office=north, team=supervisor.team, roles=["caseworker"])
    enrollment = decided_snap(former)
    case = enrollment.case
    case_transfer(acting_user=supervisor, cases=[case], to_worker=caseworker, reason="Moved to the review unit")
    former.groups.set(Group.objects.filter(name="reviewer"))  # no longer a caseworker: a reviewer now
    access_cache_clear()
    sample = services.sample_draw(
        acting_user=reviewer, month=MONTH, program=enrollment.program, office=north, size=1, seed=1
    )
    sampled = sample.cases.get()

    client.force_login(former)
    page = client.post(reverse("quality:review_start", args=[sampled.pk]), follow=True).content.decode()
    assert f"You worked case {case.number}, so another reviewer must review it." in page
    assert f"Review case {case.number}</button>" in page  # still waiting for a reviewer who did not work it
    assert not Review.objects.exists()

    client.force_login(reviewer)
    response = client.post(reverse("quality:review_start", args=[sampled.pk]))
    review = Review.objects.get()
    assert response.url == reverse("quality:review_detail", args=[review.pk]) and review.reviewer == reviewer


def _completed_review(caseworker, reviewer, north) -> Review:
    enrollment = decided_snap(caseworker)
    sample = services.sample_draw(
        acting_user=reviewer, month=MONTH, program=enrollment.program, office=north, size=1, seed=5
    )
    review = services.review_start(acting_user=reviewer, sampled=sample.cases.get())
    services.review_elements_record(
        acting_user=reviewer, review=review, results={e.code: ("correct", "", "") for e in review.elements.all()}
    )
    return review


def test_a_corrective_action_waits_for_the_review_to_be_completed(client, caseworker, reviewer, north):
    review = _completed_review(caseworker, reviewer, north)
    client.force_login(reviewer)
    page = client.get(reverse("quality:review_detail", args=[review.pk])).content.decode()
    assert 'id="action"' not in page and "Corrective actions are added once the review is completed." in page
    response = client.post(
        reverse("quality:review_update", args=[review.pk, "action"]),
        {"description": "Check the pay stubs", "owner": caseworker.pk, "due_on": "2025-11-30"},
    )
    assert response.status_code == 400
    assert "Complete the review first" in response.content.decode()
    assert not review.actions.exists()

    services.review_complete(acting_user=reviewer, review=review, cause="", responsibility="", summary="")
    page = client.get(reverse("quality:review_detail", args=[review.pk])).content.decode()
    assert 'id="action"' in page
    client.post(
        reverse("quality:review_update", args=[review.pk, "action"]),
        {"description": "Check the pay stubs", "owner": caseworker.pk, "due_on": "2025-11-30"},
    )
    assert list(review.actions.values_list("description", flat=True)) == ["Check the pay stubs"]


def test_only_the_cases_reviewer_adds_its_corrective_actions(caseworker, reviewer, north):
    review = _completed_review(caseworker, reviewer, north)
    services.review_complete(acting_user=reviewer, review=review, cause="", responsibility="", summary="")
    colleague = UserFactory(username="qa2", office=north, roles=["reviewer"])
    with pytest.raises(PermissionDenied, match="Only the case's reviewer"):
        services.corrective_action_add(
            acting_user=colleague, review=review, description="Redo it", owner=caseworker, due_on=date(2025, 11, 30)
        )
    assert not review.actions.exists()


@pytest.mark.postgres
def test_adding_a_corrective_action_locks_the_review_row(caseworker, reviewer, north):
    """As every step of a review does, so an action is never added beside a change to the review."""
    review = _completed_review(caseworker, reviewer, north)
    services.review_complete(acting_user=reviewer, review=review, cause="", responsibility="", summary="")
    with CaptureQueriesContext(connection) as captured:
        services.corrective_action_add(
            acting_user=reviewer, review=review, description="Redo it", owner=caseworker, due_on=date(2025, 11, 30)
        )
    assert any(
        'FROM "quality_review"' in q["sql"] and 'FOR UPDATE OF "quality_review"' in q["sql"]
        for q in captured.captured_queries
    )


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
        acting_user=reviewer, review=review, change=WhatIf(income_amounts={0: Decimal("700.00")})
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
    services.review_recompute(acting_user=reviewer, review=review, change=WhatIf(income_amounts={0: Decimal("700")}))
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
