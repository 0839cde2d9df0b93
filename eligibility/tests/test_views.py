"""The eligibility pages: who gets what on every URL, the forms as a worker uses them, a fixed
number of queries on the enrollment page, and the decision notice."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from casework.tests.counting import assert_constant
from eligibility.models import Determination, Enrollment, Program
from eligibility.notices import notice_html
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import FY2026, snap_enrollment

pytestmark = pytest.mark.django_db

SEES = {"caseworker", "supervisor"}
PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]


@pytest.fixture
def enrollment(caseworker):
    return snap_enrollment(caseworker)


@pytest.fixture
def decided(caseworker, enrollment):
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    return determination_finalise(acting_user=caseworker, determination=determination, decision="approve")


def urls(enrollment: Enrollment, determination: Determination) -> list[tuple[str, str, dict]]:
    snap = Program.objects.get(code="snap")
    case_pk = enrollment.case_id
    return [
        ("get", reverse("eligibility:case_eligibility", args=[case_pk]), {}),
        (
            "post",
            reverse("eligibility:enrollment_apply", args=[case_pk]),
            {"program": snap.pk, "application_date": "2025-08-01"},
        ),
        ("get", reverse("eligibility:enrollment_detail", args=[enrollment.pk]), {}),
        ("post", reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-10-01"}),
        (
            "post",
            reverse("eligibility:enrollment_whatif", args=[enrollment.pk]),
            {"as_of": "2025-10-01", "income_0": "0"},
        ),
        ("get", reverse("eligibility:determination_detail", args=[determination.pk]), {}),
        ("post", reverse("eligibility:determination_finalise", args=[determination.pk]), {"decision": "approve"}),
        ("get", reverse("eligibility:determination_notice", args=[determination.pk]), {}),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_gives_each_persona_what_the_access_rule_says(client, personas, persona, enrollment, decided):
    client.force_login(personas[persona])
    for method, url, data in urls(enrollment, decided):
        response = getattr(client, method)(url, data)
        if persona in SEES:
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            # 404: the case is not theirs to see; 403: they may not work cases at all.
            assert response.status_code in (403, 404), (url, response.status_code)
    if persona not in SEES:
        assert not AuditEvent.objects.filter(actor=personas[persona], action=AuditEvent.Action.VIEW).exists()


def test_anonymous_is_sent_to_sign_in(client, enrollment, decided):
    for method, url, data in urls(enrollment, decided):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_case_tab_lists_enrollments_and_records_the_read(client, caseworker, enrollment):
    client.force_login(caseworker)
    response = client.get(reverse("eligibility:case_eligibility", args=[enrollment.case_id]))
    html = response.content.decode()
    assert "SNAP" in html and "Applied" in html and "Eligibility</a>" in html
    assert AuditEvent.objects.filter(actor=caseworker, action="view", changes__page="eligibility").exists()


def test_apply_run_explain_and_approve_as_a_worker_does(client, caseworker):
    enrollment = snap_enrollment(caseworker)
    Enrollment.objects.filter(pk=enrollment.pk).update(status="terminated")  # so the case can apply again
    client.force_login(caseworker)
    snap = Program.objects.get(code="snap")
    response = client.post(
        reverse("eligibility:enrollment_apply", args=[enrollment.case_id]),
        {"program": snap.pk, "application_date": "2025-08-01"},
    )
    new = Enrollment.objects.exclude(pk=enrollment.pk).get()
    assert response["Location"] == reverse("eligibility:enrollment_detail", args=[new.pk])

    response = client.post(reverse("eligibility:determination_run", args=[new.pk]), {"as_of": "2025-10-01"})
    determination = new.determinations.get()
    assert response["Location"] == reverse("eligibility:determination_detail", args=[determination.pk])

    html = client.get(response["Location"]).content.decode()
    for name in ("Gross monthly income", "Net monthly income", "Monthly benefit"):
        assert name in html
    assert "same result" in html

    client.post(reverse("eligibility:determination_finalise", args=[determination.pk]), {"decision": "approve"})
    new.refresh_from_db()
    assert new.status == "active" and new.monthly_amount == Decimal("144.00")


def test_a_bad_date_shows_the_services_error_on_the_page(client, caseworker, enrollment):
    client.force_login(caseworker)
    response = client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-07-01"})
    assert response.status_code == 200
    assert "before the application date 2025-08-01" in response.content.decode()
    assert not Determination.objects.exists()


def test_whatif_shows_both_results_and_saves_nothing(client, caseworker, enrollment):
    client.force_login(caseworker)
    response = client.post(
        reverse("eligibility:enrollment_whatif", args=[enrollment.pk]),
        {"as_of": "2025-10-01", "income_0": "0"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "As recorded: eligible, $144.00" in html
    assert "With your changes: eligible, $298.00" in html
    assert not Determination.objects.exists()


def test_enrollment_page_costs_the_same_for_5_and_50_determinations(
    client, caseworker, enrollment, django_assert_max_num_queries
):
    first = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    client.force_login(caseworker)

    def add_rows(n: int) -> None:
        fields = {
            f.name: getattr(first, f.name)
            for f in Determination._meta.concrete_fields
            if f.name not in ("id", "enrollment")
        }
        Determination.objects.bulk_create(
            Determination(enrollment=enrollment, **{**fields, "as_of": date(2025, 10, 1 + i % 28)}) for i in range(n)
        )

    html = assert_constant(
        client,
        "enrollment page",
        reverse("eligibility:enrollment_detail", args=[enrollment.pk]),
        add_rows,
        40,
        django_assert_max_num_queries,
    )
    assert html.count(reverse("eligibility:determination_detail", args=[first.pk])) == 1


def test_the_notice_is_a_pdf_with_reasons_rules_and_appeal_date(client, caseworker, enrollment, decided):
    client.force_login(caseworker)
    response = client.get(reverse("eligibility:determination_notice", args=[decided.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    html = notice_html(determination=decided)
    assert "$144.00 a month" in html
    assert "7 CFR 273.15(g)" in html
    assert "within 90 days" in html
    assert "fns.usda.gov" in html
    assert enrollment.case.primary_client.address_line1 in html  # not restricted: the address is printed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, object_id=str(decided.pk)).exists()


def test_the_notice_never_prints_a_restricted_clients_address(client, caseworker):
    enrollment = snap_enrollment(caseworker, case_restricted=True, restricted=True)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    client.force_login(caseworker)
    response = client.get(reverse("eligibility:determination_notice", args=[determination.pk]))
    assert response.content.startswith(b"%PDF")
    address = enrollment.case.primary_client.address_line1
    assert address
    assert address not in notice_html(determination=determination)


def test_the_notice_never_prints_a_confidential_address(caseworker):
    enrollment = snap_enrollment(caseworker, address_confidential=True)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    assert enrollment.case.primary_client.address_line1 not in notice_html(determination=determination)


@pytest.mark.parametrize("typed", ["7,5", "1e-2", "NaN", "-5.00"])
def test_whatif_refuses_a_misread_amount_beside_its_field(client, caseworker, enrollment, typed):
    client.force_login(caseworker)
    response = client.post(
        reverse("eligibility:enrollment_whatif", args=[enrollment.pk]),
        {"as_of": "2025-10-01", "income_0": typed},
        HTTP_HX_REQUEST="true",
    )
    assert list(response.context["form"].errors) == ["income_0"]
    assert response.context["result"] is None
    assert not Determination.objects.exists()
