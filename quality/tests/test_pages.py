"""What each quality page costs, as production serves it (tests/page_queries.py): at most ten
queries in all, the same with 5 rows as with 50."""

from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse

from eligibility.models import Program
from eligibility.tests.helpers import snap_enrollment
from quality.models import Checklist, CorrectiveAction, Review, Sample, SampledCase
from tests.factories import OfficeFactory, UserFactory
from tests.page_queries import assert_page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_cache")]
MONTH = date(2025, 10, 1)
_serial = count(1)


def sample_of(reviewer, office, month: date = MONTH) -> Sample:
    return Sample.objects.create(
        month=month, program=Program.objects.get(code="snap"), office=office, size=50, seed=1, population=50,
        drawn_by=reviewer,
    )  # fmt: skip


def reviewed(sample: Sample, enrollment, *, error: str = "0.00", completed: bool = True) -> Review:
    sampled = SampledCase.objects.create(
        sample=sample, case_id=enrollment.case_id, enrollment=enrollment, position=next(_serial)
    )
    return Review.objects.create(
        sampled=sampled, reviewer=sample.drawn_by, checklist=Checklist.objects.get(code="snap"),
        status=Review.Status.COMPLETED if completed else Review.Status.OPEN,
        completed_at="2025-11-05T10:00:00-05:00" if completed else None,
        issued_amount=Decimal("200.00"), error_amount=Decimal(error), cause="Income" if error != "0.00" else "",
    )  # fmt: skip


def test_the_samples_of_a_month(client, reviewer):
    def add_rows(n):
        for _ in range(n):
            sample_of(reviewer, OfficeFactory())

    client.force_login(reviewer)
    html = assert_page_queries(
        client, "quality samples", reverse("quality:sample_list"), add_rows, {"month": "2025-10"}
    )
    assert html.count("/quality/samples/") >= 50


def test_a_samples_cases(client, caseworker, reviewer, north):
    sample = sample_of(reviewer, north)

    def add_rows(n):
        for i in range(n):
            enrollment = snap_enrollment(caseworker)
            if i % 2:
                reviewed(sample, enrollment, completed=False)
            else:
                SampledCase.objects.create(
                    sample=sample, case_id=enrollment.case_id, enrollment=enrollment, position=next(_serial)
                )

    client.force_login(reviewer)
    html = assert_page_queries(client, "quality sample", reverse("quality:sample_detail", args=[sample.pk]), add_rows)
    assert html.count('<th scope="row">') == 50


def test_a_review_with_its_corrective_actions(client, caseworker, reviewer, north):
    review = reviewed(sample_of(reviewer, north), snap_enrollment(caseworker))

    def add_rows(n):
        for _ in range(n):
            owner = UserFactory(username=f"owner{next(_serial)}", office=north, roles=["caseworker"])
            CorrectiveAction.objects.create(
                review=review, description="Check the pay stubs", owner=owner, due_on=date(2025, 11, 30),
                created_by=reviewer,
            )  # fmt: skip

    client.force_login(reviewer)
    html = assert_page_queries(client, "quality review", reverse("quality:review_detail", args=[review.pk]), add_rows)
    assert html.count("Check the pay stubs") == 50


def test_a_cases_findings(client, caseworker, reviewer, north):
    enrollment = snap_enrollment(caseworker)

    def add_rows(n):
        for _ in range(n):
            month = date(2020 + next(_serial) // 12, next(_serial) % 12 + 1, 1)
            review = reviewed(sample_of(reviewer, north, month), enrollment, error="12.00")
            CorrectiveAction.objects.create(
                review=review, description="Pay back", owner=caseworker, due_on=date(2025, 11, 30), created_by=reviewer
            )

    client.force_login(caseworker)
    html = assert_page_queries(
        client, "case quality findings", reverse("quality:case_findings", args=[enrollment.case_id]), add_rows
    )
    assert html.count('class="mb-3 finding"') == 50


def test_the_error_rates(client, caseworker, reviewer):
    def add_rows(n):
        for _ in range(n):
            reviewed(sample_of(reviewer, OfficeFactory()), snap_enrollment(caseworker), error="10.00")

    client.force_login(reviewer)
    html = assert_page_queries(
        client, "error rates", reverse("quality:error_rates"), add_rows, {"start": "2025-01", "end": "2025-12"}
    )
    assert "50 completed reviews" in html


def test_a_completed_review_s_finding_reads_as_one_sentence_in_the_reader_s_language(
    client, caseworker, reviewer, north
):
    review = reviewed(sample_of(reviewer, north), snap_enrollment(caseworker), error="12.00")
    Review.objects.filter(pk=review.pk).update(responsibility=Review.Responsibility.AGENCY)
    client.force_login(reviewer)
    path = reverse("quality:review_detail", args=[review.pk])

    assert '<p id="finding">Overpaid by 12.00; cause: Income (Agency error). </p>' in client.get(path).content.decode()

    reviewer.language = "es"
    reviewer.save(update_fields=["language"])
    page = client.get(path).content.decode()
    assert '<p id="finding">Pagado de más por 12,00; causa: Income (Error de la agencia). </p>' in page
