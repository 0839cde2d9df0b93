"""The office manager: their office's dashboard, every team of it, the cases behind its figures
within the access rule, nobody else's office; and the monthly report sent to the managers' inboxes
once, in each one's language."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OnCallShift
from assistance.tests.helpers import client_case
from audit.models import AuditEvent
from casework.services.cases import case_set_restricted
from core.models import OutboxJob
from correspondence.models import StaffMessage
from reports.models import MonthlyReport
from reports.tasks import monthly_report_make_previous
from reports.tests.test_dashboards import RANGE, _rows, team_rows
from tests.factories import TeamFactory, UserFactory
from tests.page_queries import assert_page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-11-20 10:00 -05:00", tick=False):
        yield


@pytest.fixture
def second_team_worker(north):
    """A caseworker of another North team, under its own supervisor."""
    other_supervisor = UserFactory(username="north_sup2", office=north, roles=["supervisor"])
    team = TeamFactory(office=north, supervisor=other_supervisor, name="Employment")
    other_supervisor.team = team
    other_supervisor.save(update_fields=["team"])
    return UserFactory(username="north_worker2", office=north, team=team, roles=["caseworker"])


def html(response) -> str:
    return response.content.decode()


# The office dashboard --------------------------------------------------------------------------


def test_an_office_manager_sees_every_team_of_their_office_and_no_other_office(
    client, office_manager, caseworker, second_team_worker, other_caseworker, south
):
    _rows(caseworker, 2)  # two cases each row: four active cases
    _rows(second_team_worker, 1)  # two more, another team
    _rows(other_caseworker, 3)  # South: not counted
    client.force_login(office_manager)

    page = html(client.get(reverse("reports:dashboard", args=["office"]), RANGE))
    assert "Office dashboard · North Office" in page
    assert "6 active cases among 2 workers" in page
    money = html(client.get(reverse("reports:dashboard_page", args=["office", "money"]), RANGE))
    assert "2 requests waiting for a supervisor" in money

    assert client.get(reverse("reports:dashboard", args=["office"]), {**RANGE, "office": south.pk}).status_code == 403
    assert client.get(reverse("reports:drill", args=["office", "caseload"]), {"office": south.pk}).status_code == 403
    assert client.get(reverse("reports:dashboard", args=["office"]), {"office": "987654"}).status_code == 404
    # Their own office named in the query is theirs.
    assert (
        client.get(reverse("reports:dashboard", args=["office"]), {"office": office_manager.office_id}).status_code
        == 200
    )
    # No team of their own, and not the agency.
    assert client.get(reverse("reports:dashboard", args=["team"])).status_code == 403
    assert client.get(reverse("reports:dashboard", args=["agency"])).status_code == 403
    export = client.get(reverse("reports:dashboard_download", args=["office", "casework", "csv"]), RANGE)
    assert export.status_code == 200 and "Caseload per worker against the limit" in export.content.decode()
    assert AuditEvent.objects.filter(actor=office_manager, object_type="reports.dashboard").exists()


def test_the_office_managers_home_page_and_menu_lead_to_the_office_dashboard(client, office_manager):
    client.force_login(office_manager)
    page = html(client.get(reverse("home")))
    office = reverse("reports:dashboard", args=["office"])
    assert f'<a href="{office}" id="office-dashboard">Office dashboard</a>' in page
    assert f'<a class="nav-link" href="{office}">Dashboards</a>' in page
    assert reverse("reports:monthly_reports") in page
    assert reverse("casework:case_list") not in page  # no caseload of their own


def test_a_supervisor_keeps_their_team_and_office_dashboards_and_is_refused_another_office(client, supervisor, south):
    client.force_login(supervisor)
    assert client.get(reverse("reports:dashboard", args=["team"])).status_code == 200
    assert "Office dashboard · North Office" in html(client.get(reverse("reports:dashboard", args=["office"])))
    assert client.get(reverse("reports:dashboard", args=["office"]), {"office": south.pk}).status_code == 403


def test_a_caseworker_is_refused_the_office_dashboard_its_drill_downs_and_the_monthly_reports(client, caseworker):
    client.force_login(caseworker)
    for url in (
        reverse("reports:dashboard", args=["office"]),
        reverse("reports:dashboard_page", args=["office", "money"]),
        reverse("reports:drill", args=["office", "caseload"]),
        reverse("reports:monthly_reports"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_office_managers_drill_down_lists_the_offices_unrestricted_cases_only(
    client, office_manager, caseworker, second_team_worker, other_caseworker, north
):
    """An office manager reads the cases behind their office's figures, even where the office does not
    share cases among its workers; a restricted case stays with its worker and supervisor, and a case
    of another office is not theirs. They read it; they do not work it."""
    north.share_cases_in_office = False
    north.save(update_fields=["share_cases_in_office"])
    _, ours = client_case(caseworker)
    _, colleagues = client_case(second_team_worker)
    _, hidden = client_case(caseworker)
    case_set_restricted(acting_user=caseworker, case=hidden, restricted=True, reason="Safety plan in place")
    _, theirs = client_case(other_caseworker)
    client.force_login(office_manager)

    page = html(client.get(reverse("reports:drill", args=["office", "caseload"]), RANGE))
    assert "2 cases you may open" in page
    assert ours.number in page and colleagues.number in page
    assert hidden.number not in page and theirs.number not in page
    assert AuditEvent.objects.filter(actor=office_manager, object_type="reports.drill").exists()
    # The caseload figure counts the restricted case all the same.
    assert "3 active cases among 2 workers" in html(client.get(reverse("reports:dashboard", args=["office"]), RANGE))

    assert client.get(reverse("casework:case_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("casework:case_detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("casework:case_detail", args=[theirs.pk])).status_code == 404
    # A manager, not a caseworker: no note, no assistance.
    assert client.get(reverse("casework:case_note_add", args=[ours.pk])).status_code == 403
    assert client.get(reverse("assistance:issuance_request", args=[ours.pk])).status_code == 403
    assert not OnCallShift.objects.exists()


# What a page costs ------------------------------------------------------------------------------


@pytest.mark.usefixtures("warm_cache")
@pytest.mark.parametrize("page", ["casework", "money", "services"])
def test_the_office_managers_dashboard_costs_at_most_ten_queries_with_few_and_many_rows(
    client, caseworker, office_manager, page
):
    client.force_login(office_manager)
    url = reverse("reports:dashboard_page", args=["office", page])
    html_ = assert_page_queries(client, f"office manager's dashboard, {page}", url, team_rows(caseworker), RANGE)
    assert 'role="img"' in html_


@pytest.mark.usefixtures("warm_cache")
def test_the_office_managers_drill_down_costs_at_most_ten_queries_with_few_and_many_rows(
    client, caseworker, office_manager
):
    client.force_login(office_manager)
    page = assert_page_queries(
        client, "office drill-down", reverse("reports:drill", args=["office", "caseload"]), team_rows(caseworker), RANGE
    )
    assert page.count('<th scope="row"><a href="/cases/') >= 50


# The monthly report, sent ------------------------------------------------------------------------


def test_the_monthly_report_is_sent_once_to_each_manager_in_their_language(
    client, office_manager, caseworker, supervisor, other_caseworker, admin_user, auditor, south,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    office_manager.language = "es"
    office_manager.save(update_fields=["language"])
    south_manager = UserFactory(username="south_office_manager", office=south, roles=["office_manager"], language="fr")
    UserFactory(username="former_manager", office=south, roles=["office_manager"], is_active=False)
    client_case(caseworker, first_name="Wilhelmina", last_name="Readwell")

    with time_machine.travel("2025-12-01 06:00 -05:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        monthly_report_make_previous()
    report = MonthlyReport.objects.get()
    assert report.month == date(2025, 11, 1)

    sent = {m.recipient: m for m in StaffMessage.objects.all()}
    assert set(sent) == {office_manager, south_manager, admin_user}  # no caseworker, supervisor or auditor
    assert sent[office_manager].subject == "Informe estadístico mensual, noviembre 2025"
    assert sent[south_manager].subject == "Rapport statistique mensuel, novembre 2025"
    assert sent[admin_user].subject == "Monthly statistical report, November 2025"
    assert all(m.link == "/reports/monthly/2025-11/" and m.delivered_at for m in sent.values())
    assert all("Readwell" not in m.subject + m.body and "Wilhelmina" not in m.body for m in sent.values())
    delivered = OutboxJob.objects.filter(task="correspondence.tasks.staff_message_deliver")
    assert delivered.count() == 3 and all(job.sent_at for job in delivered)

    # The beat job run again for the month sends nothing more.
    with time_machine.travel("2025-12-01 07:00 -05:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        monthly_report_make_previous()
    assert MonthlyReport.objects.count() == 1
    assert StaffMessage.objects.count() == 3
    assert delivered.count() == 3

    # The manager finds it in their inbox, and its link opens the report.
    client.force_login(office_manager)
    inbox = html(client.get(reverse("correspondence:inbox")))
    assert '<a href="/reports/monthly/2025-11/">Informe estadístico mensual, noviembre 2025</a>' in inbox
    assert client.get("/reports/monthly/2025-11/").status_code == 200
    client.force_login(supervisor)
    assert "Informe" not in html(client.get(reverse("correspondence:inbox")))
