"""The payment run pages: who may see them, what they show, the audited file download, fixed query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import PaymentRun
from assistance.services.runs import payment_file, payment_run_inline
from assistance.tests.test_payment_run import active
from audit.models import AuditEvent
from core.users import job_user

pytestmark = pytest.mark.django_db

PERIOD = date(2026, 3, 1)


@pytest.fixture
def run(caseworker):
    active(caseworker, amount="120.00", restricted=True, address_line1="12 Hidden Lane")
    active(caseworker, amount="80.00")
    return payment_run_inline(period=PERIOD)


def more_runs(count: int, *, start: int = 2000) -> None:
    """Older runs: completed ones with a report, and every third one still running with issuances counted live."""
    user = job_user()
    for year in range(start, start + count):
        completed = year % 3
        PaymentRun.objects.create(
            period=date(year, 1, 1),
            started_by=user,
            status=PaymentRun.Status.COMPLETED if completed else PaymentRun.Status.RUNNING,
            report={"issued": 3, "gross": "30.00", "recovered": "0.00", "net": "30.00"} if completed else {},
        )


@pytest.mark.parametrize(
    ("persona", "pages", "file"),
    [
        ("caseworker", 403, 403),
        ("other_caseworker", 403, 403),
        ("auditor", 403, 403),
        ("supervisor", 200, 200),
        ("admin", 200, 403),
    ],
)
def test_supervisors_and_administrators_see_the_runs_and_no_one_else(client, personas, run, persona, pages, file):
    client.force_login(personas[persona])
    assert client.get(reverse("assistance:run_list")).status_code == pages
    assert client.get(reverse("assistance:run_detail", args=[run.pk])).status_code == pages
    assert client.get(reverse("assistance:run_file", args=[run.pk])).status_code == file


def test_signed_out_visitors_are_sent_to_sign_in(client, run):
    response = client.get(reverse("assistance:run_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_shows_each_month_with_its_figures(client, supervisor, run):
    client.force_login(supervisor)
    page = client.get(reverse("assistance:run_list")).content.decode()
    assert "March 2026" in page and "Completed" in page
    assert "$200.00" in page


def test_the_report_page_shows_the_totals_and_the_skipped_with_reasons(client, supervisor, caseworker, run):
    late = payment_run_inline(period=date(2026, 10, 1))
    client.force_login(supervisor)
    page = client.get(reverse("assistance:run_detail", args=[run.pk])).content.decode()
    assert "Payment run for March 2026" in page and "$200.00" in page
    assert "Every payable enrollment was paid." in page
    page = client.get(reverse("assistance:run_detail", args=[late.pk])).content.decode()
    assert "certification ended 2026-09-30; the review was not completed" in page


def test_a_running_run_shows_its_progress_and_offers_no_file_yet(client, supervisor, caseworker):
    active(caseworker, amount="80.00")
    running = PaymentRun.objects.create(period=PERIOD, started_by=job_user())
    client.force_login(supervisor)
    page = client.get(reverse("assistance:run_detail", args=[running.pk])).content.decode()
    assert "Still running: 0 issued so far" in page and "1 enrollment still to pay" in page
    response = client.get(reverse("assistance:run_file", args=[running.pk]), follow=True)
    assert "ready once the run is complete" in response.content.decode()


def test_the_file_download_is_the_payment_file_and_is_audited_with_every_payee(client, supervisor, run):
    client.force_login(supervisor)
    response = client.get(reverse("assistance:run_file", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="payments-2026-03.csv"' in response["Content-Disposition"]
    assert response.content == payment_file(run=run)
    assert b"Hidden Lane" not in response.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, object_id=str(run.pk))
    assert event.actor == supervisor
    assert set(event.subjects.values_list("client_id", flat=True)) == set(
        run.issuances.values_list("client_id", flat=True)
    )


def test_the_list_runs_a_fixed_number_of_queries(client, supervisor, run, django_assert_max_num_queries):
    more_runs(1, start=1998)  # one running
    client.force_login(supervisor)
    url = reverse("assistance:run_list")
    client.get(url)  # the signed-in user and their roles are cached from the first page on
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    more_runs(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Running") == 8


def test_the_report_and_the_file_run_a_fixed_number_of_queries(
    client, supervisor, caseworker, run, django_assert_max_num_queries
):
    client.force_login(supervisor)
    detail, file = reverse("assistance:run_detail", args=[run.pk]), reverse("assistance:run_file", args=[run.pk])
    client.get(detail)  # the signed-in user and their roles are cached from the first page on
    with django_assert_max_num_queries(10) as few_detail:
        client.get(detail)
    with django_assert_max_num_queries(16) as few_file:  # the reader's office, for their scope
        client.get(file)
    for _ in range(4):
        active(caseworker, amount="60.00")
    bigger = payment_run_inline(period=date(2026, 4, 1))
    assert bigger.report["issued"] == 6
    detail, file = reverse("assistance:run_detail", args=[bigger.pk]), reverse("assistance:run_file", args=[bigger.pk])
    with django_assert_max_num_queries(len(few_detail.captured_queries)):
        client.get(detail)
    with django_assert_max_num_queries(len(few_file.captured_queries)):
        assert Decimal(client.get(file).content.decode().count("\n") - 1) == 6
