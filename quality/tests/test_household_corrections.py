"""A review corrects household members and resources: the re-run changes them in memory only,
through the program's own rule, records what was corrected, and only the review's reviewer may."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clients.models import Asset, Client, HouseholdMembership
from eligibility.models import Determination, Enrollment
from eligibility.services import WhatIf, determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from quality import services
from quality.models import Review
from tests.factories import ClientFactory, MembershipFactory, UserFactory
from tests.page_queries import assert_page_queries

pytestmark = pytest.mark.django_db
MONTH = date(2025, 10, 1)


def _decided(worker, *, extra_member: bool = False) -> Enrollment:
    """A SNAP case of one earner ($900 a month), and when asked a second adult with no income."""
    enrollment = snap_enrollment(worker, earnings="900")
    if extra_member:
        lodger = ClientFactory(office=worker.office, date_of_birth=date(1990, 1, 1))
        MembershipFactory(household=enrollment.case.household, client=lodger, relationship="unrelated")
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=worker, determination=determination, decision="approve")
    return enrollment


def _review(enrollment, reviewer, north) -> Review:
    sample = services.sample_draw(
        acting_user=reviewer, month=MONTH, program=enrollment.program, office=north, size=1, seed=5
    )
    return services.review_start(acting_user=reviewer, sampled=sample.cases.get())


def _household_state(enrollment) -> tuple:
    household_id = enrollment.case.household_id
    return (
        sorted(HouseholdMembership.objects.filter(household_id=household_id).values_list("client_id", "end_date")),
        sorted(Client.objects.filter(memberships__household_id=household_id).values_list("pk", "date_of_birth")),
        sorted(Asset.objects.filter(client__memberships__household_id=household_id).values_list("pk", "value")),
        Determination.objects.get(enrollment=enrollment).snapshot,
    )


def test_taking_out_a_member_who_was_not_in_the_household_gives_the_one_person_allotment(caseworker, reviewer, north):
    enrollment = _decided(caseworker, extra_member=True)
    review = _review(enrollment, reviewer, north)
    # Two people, $900 earned (FY 2026, 7 CFR 273.9 and 273.10(e)): $900 - 20% = $720; - $209
    # standard deduction = $511 net; 30% = $153.30, rounded up to $154; $546 - $154 = $392.
    assert review.issued_amount == Decimal("392.00")
    lodger = str(
        HouseholdMembership.objects.get(household_id=enrollment.case.household_id, relationship="unrelated").client_id
    )
    before = _household_state(enrollment)

    change = WhatIf(leave_out=frozenset({lodger}))
    review = services.review_recompute(acting_user=reviewer, review=review, change=change)

    # One person: the same $154 from the maximum allotment of $298 (7 CFR 273.10(e)(4)) = $144;
    # the household was overpaid $392 - $144 = $248.
    assert review.verified_amount == Decimal("144.00")
    assert review.error_amount == Decimal("248.00")
    assert review.finding == "Overpaid"
    assert review.verified_facts["members_removed"] == [lodger]
    assert _household_state(enrollment) == before


def test_adding_a_missed_member_gives_the_two_person_allotment(caseworker, reviewer, north):
    enrollment = _decided(caseworker)
    review = _review(enrollment, reviewer, north)
    assert review.issued_amount == Decimal("144.00")
    before = _household_state(enrollment)

    review = services.review_recompute(
        acting_user=reviewer, review=review, change=WhatIf(add_members=({"date_of_birth": date(2015, 3, 1)},))
    )

    # Two people, same $154 (7 CFR 273.10(e)): $546 - $154 = $392, underpaid $248.
    assert review.verified_amount == Decimal("392.00")
    assert review.error_amount == Decimal("-248.00")
    assert review.verified_facts["members_added"] == [{"date_of_birth": "2015-03-01"}]
    assert _household_state(enrollment) == before


def test_countable_resources_over_the_limit_make_the_verified_benefit_nothing(caseworker, reviewer, north):
    enrollment = _decided(caseworker)
    review = _review(enrollment, reviewer, north)
    before = _household_state(enrollment)

    # $3,500 in cash is over the $3,000 resource limit (7 CFR 273.8(b)): not eligible, so the whole
    # $144 issued is the error.
    review = services.review_recompute(
        acting_user=reviewer,
        review=review,
        change=WhatIf(add_assets=({"kind": "cash", "value": Decimal("3500.00"), "member_id": None},)),
    )

    assert review.verified_amount == Decimal("0.00")
    assert review.error_amount == review.issued_amount == Decimal("144.00")
    assert review.verified_facts["assets_added"] == [{"kind": "cash", "value": "3500.00", "member_id": None}]
    assert _household_state(enrollment) == before


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda member: WhatIf(leave_out=frozenset({"999999"})), "The recorded household has no member 999999."),
        (
            lambda member: WhatIf(leave_out=frozenset({member}), member_facts={member: {"student": True}}),
            "A member taken out of the household cannot also be corrected.",
        ),
        (lambda member: WhatIf(income_amounts={3: Decimal("1")}), "The recorded household has no such income."),
        (lambda member: WhatIf(asset_values={0: Decimal("1")}), "The recorded household has no such resource."),
        (
            lambda member: WhatIf(
                leave_out=frozenset({member}),
                add_members=({"date_of_birth": date(1990, 1, 1)},),
                add_assets=({"kind": "cash", "value": Decimal("10"), "member_id": member},),
            ),
            "A resource added to the household belongs to one of its members, or to none.",
        ),
    ],
    ids=["unknown member", "removed and corrected", "no such income", "no such resource", "owner taken out"],
)
def test_a_correction_naming_what_the_household_does_not_hold_is_refused(caseworker, reviewer, north, change, refusal):
    enrollment = _decided(caseworker)
    review = _review(enrollment, reviewer, north)
    member = str(enrollment.case.primary_client_id)

    with pytest.raises(ValidationError, match=re.escape(refusal)):
        services.review_recompute(acting_user=reviewer, review=review, change=change(member))

    review.refresh_from_db()
    assert review.verified_amount is None and review.verified_facts == {}


def test_another_reviewer_may_not_correct_the_household(client, caseworker, reviewer, north):
    enrollment = _decided(caseworker, extra_member=True)
    review = _review(enrollment, reviewer, north)
    other = UserFactory(username="qa2", office=north, roles=["reviewer"])
    member = str(enrollment.case.primary_client_id)

    with pytest.raises(PermissionDenied):
        services.review_recompute(acting_user=other, review=review, change=WhatIf(leave_out=frozenset({member})))
    client.force_login(other)
    response = client.post(
        reverse("quality:review_update", args=[review.pk, "recompute"]), {f"member-{member}-remove": "1"}
    )

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.verified_amount is None and review.verified_facts == {}


def test_the_page_corrects_a_member_and_shows_what_changed(client, caseworker, reviewer, north):
    enrollment = _decided(caseworker, extra_member=True)
    review = _review(enrollment, reviewer, north)
    lodger = HouseholdMembership.objects.get(household_id=enrollment.case.household_id, relationship="unrelated")
    client.force_login(reviewer)

    response = client.post(
        reverse("quality:review_update", args=[review.pk, "recompute"]), {f"member-{lodger.client_id}-remove": "1"}
    )
    assert response.status_code == 302
    html = client.get(reverse("quality:review_detail", args=[review.pk])).content.decode()

    assert f"Member {lodger.client_id}: not in the household" in html
    assert 'id="verified-amount">144.00<' in html


def test_a_wrong_correction_is_shown_on_the_page_and_keeps_what_was_typed(client, caseworker, reviewer, north):
    enrollment = _decided(caseworker)
    review = _review(enrollment, reviewer, north)
    member = enrollment.case.primary_client_id
    client.force_login(reviewer)

    response = client.post(
        reverse("quality:review_update", args=[review.pk, "recompute"]),
        {
            "income-0": "700.00",
            f"member-{member}-date_of_birth": "2030-01-01",
            "add-asset-1-kind": "cash",
            "add-asset-1-value": "3500.00",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f"Member {member}, disabled" not in html
    assert "the date of birth is a past date" in html
    assert 'value="700.00"' in html and 'value="2030-01-01"' in html and 'value="3500.00"' in html
    review.refresh_from_db()
    assert review.verified_amount is None


@pytest.mark.usefixtures("warm_cache")
def test_the_review_page_costs_the_same_with_few_and_many_corrected_members(client, caseworker, reviewer, north):
    # A household of 51 recorded members (a finalised determination cannot change afterwards), of
    # whom the reviewer corrects 5, then 50: every member row is on the page both times.
    enrollment = snap_enrollment(caseworker, earnings="900")
    for _ in range(50):
        person = ClientFactory(office=north, first_name="Corrected", date_of_birth=date(2001, 1, 1))
        MembershipFactory(household=enrollment.case.household, client=person, relationship="unrelated")
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    review = _review(enrollment, reviewer, north)
    corrected = iter(
        sorted(
            HouseholdMembership.objects.filter(
                household_id=enrollment.case.household_id, relationship="unrelated"
            ).values_list("client_id", flat=True)
        )
    )

    def add_rows(n):
        facts = Review.objects.get(pk=review.pk).verified_facts or {"members": {}, "members_removed": []}
        facts.setdefault("members", {})
        for _ in range(n):
            facts["members"][str(next(corrected))] = {"date_of_birth": "2000-01-01"}
        Review.objects.filter(pk=review.pk).update(verified_facts=facts)

    client.force_login(reviewer)
    html = assert_page_queries(client, "quality review", reverse("quality:review_detail", args=[review.pk]), add_rows)
    assert html.count("date_of_birth 2000-01-01") == 50
    assert html.count("Corrected ") >= 50
