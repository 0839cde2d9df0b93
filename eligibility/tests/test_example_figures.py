"""A determination that used a value marked example says so on its page and its notice; one that did not, doesn't."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from eligibility.models import Determination, Program
from eligibility.notices import notice_html
from eligibility.services import determination_finalise, determination_run, enrollment_apply
from eligibility.tests.helpers import APPLIED, FY2026, single_earner, snap_enrollment
from tests.factories import case_for

pytestmark = pytest.mark.django_db

MOMENT = datetime(2025, 10, 6, 14, 0, tzinfo=UTC)
BANNER = "This determination used example figures, not official rates:"


def drug_assistance_determination(worker) -> Determination:
    case = case_for(single_earner(worker.office, earnings="900"), worker)
    enrollment = enrollment_apply(
        acting_user=worker, case=case, program=Program.objects.get(code="drug_assistance"), application_date=APPLIED
    )
    return determination_run(acting_user=worker, enrollment=enrollment, as_of=FY2026)


def page(client, user, determination) -> str:
    client.force_login(user)
    response = client.get(reverse("eligibility:determination_detail", args=[determination.pk]))
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(MOMENT, tick=False)
def test_a_determination_on_example_values_shows_the_banner_naming_them_on_page_and_notice(client, caseworker):
    determination = drug_assistance_determination(caseworker)
    assert determination.parameters_used["drug_assistance.copay_bands"].get("example") is True

    html = page(client, caseworker, determination)
    assert BANNER in html
    assert "Co-pay by income (NLPDP Access Plan)" in html.split(BANNER)[1].split("</div>")[0]

    decided = determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    notice = notice_html(determination=decided)
    assert BANNER in notice and "Co-pay by income (NLPDP Access Plan)" in notice


@time_machine.travel(MOMENT, tick=False)
def test_a_determination_on_official_values_only_has_no_banner(client, caseworker):
    determination = determination_run(acting_user=caseworker, enrollment=snap_enrollment(caseworker), as_of=FY2026)
    assert not any(record.get("example") for record in determination.parameters_used.values())
    assert BANNER not in page(client, caseworker, determination)
    decided = determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    assert BANNER not in notice_html(determination=decided)


@time_machine.travel(MOMENT, tick=False)
def test_the_banner_follows_the_values_recorded_not_todays_table(client, caseworker):
    determination = drug_assistance_determination(caseworker)
    Program.objects.get(code="drug_assistance").parameters.update(example=False)
    assert BANNER in page(client, caseworker, determination)


@time_machine.travel(MOMENT, tick=False)
def test_income_support_uses_the_published_rates_and_names_only_the_example_values(client, caseworker):
    case = case_for(single_earner(caseworker.office, earnings="0.01"), caseworker)
    enrollment = enrollment_apply(
        acting_user=caseworker, case=case, program=Program.objects.get(code="income_support"), application_date=APPLIED
    )
    client.force_login(caseworker)
    response = client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-10-01"})
    determination = enrollment.determinations.get()
    assert response["Location"] == reverse("eligibility:determination_detail", args=[determination.pk])

    html = page(client, caseworker, determination)
    assert "The basic monthly rate for one adult is $561.00." in html
    banner = html.split(BANNER)[1].split("</div>")[0]
    assert "Limit on cash, bank accounts and investments" in banner
    assert "Added for each adult with a disability" in banner
    assert "Monthly basic benefit" not in banner
    assert "Most paid towards rent or mortgage" not in banner
