"""SNAP expedited service (7 CFR 273.2(i)(1)): the screening at application, and the worker's page."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from eligibility.rules.snap_expedited import decision_days, expedited_screening
from eligibility.services import snap_expedited_screen
from eligibility.tests.helpers import snap_enrollment


def screen(income="0", resources="0", rent="0", utilities="0", migrant=False) -> bool:
    return expedited_screening(
        gross_monthly_income=Decimal(income),
        liquid_resources=Decimal(resources),
        shelter_costs=Decimal(rent),
        utility_costs=Decimal(utilities),
        destitute_migrant=migrant,
    ).expedited


def test_income_under_150_with_resources_of_at_most_100_is_expedited():
    assert screen(income="149.99", resources="100.00")
    assert not screen(income="150.00", resources="0.00")
    assert not screen(income="0.00", resources="100.01")


def test_housing_costs_above_income_and_resources_are_expedited():
    assert screen(income="500.00", resources="50.00", rent="450.00", utilities="100.01")
    assert not screen(income="500.00", resources="50.00", rent="450.00", utilities="100.00")  # equal is not less


def test_a_destitute_migrant_household_with_resources_of_at_most_100_is_expedited():
    assert screen(income="900.00", resources="100.00", migrant=True)
    assert not screen(income="900.00", resources="100.01", migrant=True)
    assert not screen(income="900.00", resources="100.00", migrant=False)


def test_an_expedited_application_is_decided_within_7_days_any_other_within_30():
    assert (decision_days(expedited=True), decision_days(expedited=False), decision_days(expedited=None)) == (7, 30, 30)


@pytest.mark.django_db
@time_machine.travel("2025-08-05 10:00 -04:00", tick=False)
def test_the_screening_is_recorded_and_shown_to_the_worker(client, caseworker):
    enrollment = snap_enrollment(caseworker)
    client.force_login(caseworker)
    url = reverse("eligibility:enrollment_detail", args=[enrollment.pk])
    assert "Not screened yet" in client.get(url).content.decode()

    snap_expedited_screen(
        acting_user=caseworker, enrollment=enrollment, gross_monthly_income=Decimal("120.00"),
        liquid_resources=Decimal("40.00"), shelter_costs=Decimal("600.00"), utility_costs=Decimal("80.00"),
    )  # fmt: skip
    enrollment.refresh_from_db()
    assert enrollment.expedited is True
    page = client.get(url).content.decode()
    assert "Yes: benefits within 7 days of the application" in page
    assert "Gross monthly income $120.00 is under $150.00" in page
    with pytest.raises(ValidationError):
        snap_expedited_screen(
            acting_user=caseworker, enrollment=enrollment, gross_monthly_income=Decimal("-1"),
            liquid_resources=Decimal("0"), shelter_costs=Decimal("0"), utility_costs=Decimal("0"),
        )  # fmt: skip
    assert date(2025, 8, 1) == enrollment.application_date


@pytest.mark.django_db
@time_machine.travel("2025-08-05 10:00 -04:00", tick=False)
def test_the_worker_records_the_screening_on_the_application_page(client, caseworker, other_caseworker):
    from audit.models import AuditEvent

    enrollment = snap_enrollment(caseworker)
    page = reverse("eligibility:enrollment_detail", args=[enrollment.pk])
    url = reverse("eligibility:snap_expedited_screen", args=[enrollment.pk])
    client.force_login(caseworker)
    assert 'id="expedited-form"' in client.get(page).content.decode()

    typed = {"gross_monthly_income": "12O.00", "liquid_resources": "40", "shelter_costs": "$600.00",
             "utility_costs": "80", "destitute_migrant": "on"}  # fmt: skip
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="12O.00"' in html and 'value="$600.00"' in html  # what was typed stays
    assert 'id="expedited_gross_monthly_income"' in html and "is-invalid" in html
    enrollment.refresh_from_db()
    assert enrollment.expedited is None

    response = client.post(url, {**typed, "gross_monthly_income": "120.00"}, follow=True)
    assert response.redirect_chain[-1][0] == page
    html = response.content.decode()
    assert "Expedited-service screening recorded." in html
    assert "Yes: benefits within 7 days of the application" in html
    enrollment.refresh_from_db()
    assert enrollment.expedited is True
    assert enrollment.expedited_screening["shelter_costs"] == "600.00"
    assert enrollment.expedited_screening["destitute_migrant"] is True
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, object_type="eligibility.enrollment", object_id=str(enrollment.pk)
    )
    assert event.actor == caseworker and event.changes == {"expedited": [None, True]}

    client.force_login(other_caseworker)
    assert client.post(url, typed).status_code == 404
