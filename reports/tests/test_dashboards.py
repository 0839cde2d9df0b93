"""The dashboards: the right page for the right person, a fixed query count, charts with their
tables and text, exports audited, drill-downs within the access rule, the monthly report."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from assistance.services.issuances import issuance_approve, issuance_issue
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from eligibility.models import Program
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from reports.models import MonthlyReport
from reports.services import monthly_report_make
from tests.factories import UserFactory
from tests.page_queries import assert_page_queries

pytestmark = pytest.mark.django_db

RANGE = {"start": "2025-08-01", "end": "2025-11-30"}
PAGES = [(kind, page) for kind in ("team", "office") for page in ("casework", "money", "services")]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-11-20 10:00 -05:00", tick=False):
        yield


def _rows(caseworker, n: int) -> None:
    """`n` SNAP applications (one decided), and `n` emergency payments over the worker's limit,
    every other one approved by the supervisor and issued."""
    supervisor = caseworker.team.supervisor
    for i in range(n):
        enrollment = snap_enrollment(caseworker)
        if i == 0:
            determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 8, 20))
            determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
        _client, case = client_case(caseworker)
        waiting = request(caseworker, case, amount="1100.00")
        if i % 2:
            issuance_issue(acting_user=caseworker, issuance=issuance_approve(acting_user=supervisor, issuance=waiting))


def team_rows(caseworker):
    """`_rows` spread over the caseworker's team, a new colleague every ten rows, within the caseload limit."""
    made = count()

    def add_rows(n: int) -> None:
        for _ in range(n):
            i = next(made)
            worker = caseworker
            if i // 10:
                worker = UserFactory(
                    username=f"colleague{i // 10}", office=caseworker.office, team=caseworker.team, roles=["caseworker"]
                )
            _rows(worker, 1)

    return add_rows


@pytest.mark.usefixtures("warm_cache")
@pytest.mark.parametrize(("kind", "page"), PAGES)
def test_every_dashboard_costs_at_most_ten_queries_with_few_and_many_rows(client, caseworker, supervisor, kind, page):
    client.force_login(supervisor)
    url = reverse("reports:dashboard_page", args=[kind, page])
    html = assert_page_queries(client, f"{kind} dashboard, {page}", url, team_rows(caseworker), RANGE)
    assert 'role="img"' in html


@pytest.mark.usefixtures("warm_cache")
@pytest.mark.parametrize("page", ["casework", "money", "services"])
def test_the_agency_dashboard_costs_at_most_ten_queries_with_few_and_many_rows(client, caseworker, auditor, page):
    client.force_login(auditor)
    url = reverse("reports:dashboard_page", args=["agency", page])
    assert_page_queries(client, f"agency dashboard, {page}", url, team_rows(caseworker), RANGE)


@pytest.mark.usefixtures("warm_cache")
def test_a_drill_down_and_the_monthly_reports_cost_at_most_ten_queries(client, caseworker, supervisor):
    client.force_login(supervisor)
    html = assert_page_queries(
        client, "drill-down", reverse("reports:drill", args=["team", "caseload"]), team_rows(caseworker), RANGE
    )
    assert html.count('<th scope="row"><a href="/cases/') >= 50

    def reports(n):
        made = MonthlyReport.objects.count()
        MonthlyReport.objects.bulk_create(
            MonthlyReport(month=date(2000 + (made + i) // 12, (made + i) % 12 + 1, 1), figures=[], csv="", pdf=b"")
            for i in range(n)
        )

    assert_page_queries(client, "monthly reports", reverse("reports:monthly_reports"), reports)


@pytest.mark.parametrize("page", ["casework", "money", "services"])
def test_every_chart_has_its_table_and_a_text_alternative(client, caseworker, supervisor, page):
    _rows(caseworker, 3)
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard_page", args=["team", page]), RANGE).content.decode()
    charts = html.count('role="img"')
    assert charts >= 2
    assert html.count("<title id=") == charts and html.count("<desc id=") == charts
    assert html.count('class="figure-summary"') == charts
    assert html.count('<table class="table table-sm" id="table-') == charts


def test_snap_applications_are_listed_nearly_late_on_days_29_and_30_and_late_from_day_31(
    client, caseworker, supervisor
):
    """Decided within 30 days (7 CFR 273.2(g)(1)): on the 30th day an undecided application is still in time."""
    from eligibility.services import enrollment_apply
    from eligibility.tests.helpers import single_earner
    from tests.factories import case_for

    snap = Program.objects.get(code="snap")
    numbers = {}
    for applied in (date(2025, 10, 22), date(2025, 10, 21), date(2025, 10, 20), date(2025, 11, 10)):
        case = case_for(single_earner(caseworker.office), caseworker)
        enrollment_apply(acting_user=caseworker, case=case, program=snap, application_date=applied)
        numbers[applied] = case.number
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()  # today: 20 November
    listing = html[html.index('id="late-applications"') : html.index("</table>", html.index('id="late-applications"'))]
    assert [
        row.split("</th>")[0].split(">")[-2].split("<")[0] for row in listing.split('<tr><th scope="row">')[1:]
    ] == [
        numbers[date(2025, 10, 20)],
        numbers[date(2025, 10, 21)],
        numbers[date(2025, 10, 22)],
    ]
    assert "<td>2025-10-20</td><td>2025-11-19</td><td>late</td>" in listing  # day 31
    assert "<td>2025-10-21</td><td>2025-11-20</td><td>nearly late</td>" in listing  # day 30: due today
    assert "<td>2025-10-22</td><td>2025-11-21</td><td>nearly late</td>" in listing  # day 29
    assert numbers[date(2025, 11, 10)] not in listing
    assert "4 SNAP applications made in the range; decided in time: no decision yet; 1 late, 2 nearly late;" in html


def test_an_expedited_snap_application_is_late_after_7_days(client, caseworker, supervisor):
    """Expedited service: benefits by the 7th day after the application (7 CFR 273.2(i)(3)(i))."""
    from eligibility.services import enrollment_apply, snap_expedited_screen
    from eligibility.tests.helpers import single_earner
    from tests.factories import case_for

    snap = Program.objects.get(code="snap")
    numbers = {}
    for applied, expedited in ((date(2025, 11, 12), True), (date(2025, 11, 14), True), (date(2025, 11, 12), False)):
        case = case_for(single_earner(caseworker.office), caseworker)
        enrollment = enrollment_apply(acting_user=caseworker, case=case, program=snap, application_date=applied)
        snap_expedited_screen(
            acting_user=caseworker, enrollment=enrollment, gross_monthly_income=Decimal("100" if expedited else "900"),
            liquid_resources=Decimal("20"), shelter_costs=Decimal("0"), utility_costs=Decimal("0"),
        )  # fmt: skip
        numbers[(applied, expedited)] = case.number
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()  # today: 20 November
    listing = html[html.index('id="late-applications"') : html.index("</table>", html.index('id="late-applications"'))]
    assert "<td>2025-11-12</td><td>2025-11-19</td><td>late (expedited)</td>" in listing  # day 8
    assert "<td>2025-11-14</td><td>2025-11-21</td><td>nearly late (expedited)</td>" in listing  # day 6
    assert numbers[(date(2025, 11, 12), False)] not in listing  # due 12 December
    assert "1 late, 1 nearly late; 2 screened for expedited service (7 days)." in html


def test_the_team_dashboard_shows_the_caseload_and_the_waiting_approvals(client, caseworker, supervisor):
    _rows(caseworker, 4)
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()
    assert "8 active cases among 1 worker" in html
    html = client.get(reverse("reports:dashboard_page", args=["team", "money"]), RANGE).content.decode()
    assert "2 requests waiting for a supervisor" in html
    assert "$2,200.00 issued in the range" in html


def test_a_caseworker_gets_no_dashboard_and_an_auditor_no_team(client, caseworker, auditor):
    client.force_login(caseworker)
    assert client.get(reverse("reports:dashboard", args=["team"])).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("reports:dashboard", args=["team"])).status_code == 403
    assert client.get(reverse("reports:dashboard", args=["agency"])).status_code == 200


def test_a_bad_date_range_is_said_on_the_page(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), {"start": "2025-12-01", "end": "2025-11-01"})
    assert "The range starts after it ends" in html.content.decode()


def test_an_export_is_audited_and_holds_the_tables(client, caseworker, supervisor):
    _rows(caseworker, 2)
    client.force_login(supervisor)
    response = client.get(reverse("reports:dashboard_download", args=["team", "casework", "csv"]), RANGE)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Caseload per worker against the limit"] in rows
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD, object_type="reports.dashboard")
    assert event.actor == supervisor and event.changes["format"] == "csv"

    response = client.get(reverse("reports:dashboard_download", args=["team", "casework", "xlsx"]), RANGE)
    book = load_workbook(io.BytesIO(response.content))
    assert "caseload" in book.sheetnames
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, changes__format="xlsx").count() == 1


def test_a_drill_down_lists_only_the_cases_the_viewer_may_open(client, caseworker, other_caseworker, auditor):
    _rows(caseworker, 1)
    _rows(other_caseworker, 1)
    south_supervisor = other_caseworker.team.supervisor
    client.force_login(south_supervisor)
    html = client.get(reverse("reports:drill", args=["team", "caseload"]), RANGE).content.decode()
    assert "2 cases you may open" in html
    assert caseworker.cases.first().number not in html
    assert AuditEvent.objects.filter(object_type="reports.drill", actor=south_supervisor).exists()

    client.force_login(auditor)
    html = client.get(reverse("reports:drill", args=["agency", "caseload"]), RANGE).content.decode()
    assert "0 cases you may open" in html


def test_the_monthly_report_is_made_once_and_shown_to_managers(client, caseworker, supervisor):
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    report = monthly_report_make(month=date(2025, 11, 1))
    assert monthly_report_make(month=date(2025, 11, 1)).pk == report.pk
    assert MonthlyReport.objects.count() == 1
    assert bytes(report.pdf).startswith(b"%PDF")
    assert "Cases opened and closed" in report.csv
    assert report.figures[0] == {"key": "cases", "data": {"opened": 1, "closed": 0}}  # numbers, no words

    client.force_login(supervisor)
    assert "November 2025" in client.get(reverse("reports:monthly_reports")).content.decode()
    assert (
        client.get(reverse("reports:monthly_report_file", args=["2025-11", "pdf"]))["Content-Type"] == "application/pdf"
    )
    client.force_login(caseworker)
    assert client.get(reverse("reports:monthly_reports")).status_code == 403


def test_the_monthly_report_is_scheduled_on_the_first():
    from config.schedules import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["reports-monthly-report"]
    assert entry["task"] == "reports.tasks.monthly_report_make_previous"
    assert entry["schedule"].day_of_month == {1}


def test_the_services_page_shows_appeals_by_outcome_and_deadline(client, caseworker, supervisor):
    from appeals.tests.helpers import at
    from appeals.tests.test_views import appeal_on

    with at(date(2026, 1, 20)):
        first = appeal_on(caseworker, requested_on=date(2026, 1, 20))
    with at(date(2026, 2, 1)):
        second = appeal_on(caseworker, requested_on=date(2026, 2, 1))
    looked_on = first.decision_due + timedelta(days=1)
    assert 0 <= (second.decision_due - looked_on).days <= 14

    with at(looked_on):
        client.force_login(supervisor)
        html = client.get(
            reverse("reports:dashboard_page", args=["team", "services"]), {"start": "2026-01-01", "end": "2026-01-31"}
        ).content.decode()
    assert "1 appeal requested in the range; of the open ones, 1 past the decision date and 1 due within 14 days." in (
        html
    )
    assert '<table class="table table-sm" id="table-appeals">' in html
    assert '<th scope="row">Open</th><td>1</td><td>1</td><td>1</td>' in html


def test_the_inquiries_are_counted_as_the_daily_call_statistics_count_them(client, caseworker, other_caseworker):
    from casework.selectors.inquiries import inquiry_statistics
    from casework.services.inquiries import inquiry_record

    def received(worker, channel: str, day: str) -> None:
        inquiry_record(
            acting_user=worker, kind="inquiry", channel=channel, source="client", subject="payment",
            description="When is my payment?", received_at=datetime.fromisoformat(f"{day} 10:00-05:00"),
        )  # fmt: skip

    received(caseworker, "phone", "2025-11-03")
    received(caseworker, "phone", "2025-11-04")
    received(caseworker, "walk_in", "2025-11-04")
    received(other_caseworker, "phone", "2025-11-04")  # another office
    client.force_login(caseworker.team.supervisor)
    html = client.get(reverse("reports:dashboard_page", args=["team", "services"]), RANGE).content.decode()
    assert "3 inquiries on 2 days with any; Phone: 2, Walk-in: 1" in html
    statistics = inquiry_statistics(office=caseworker.office, start=date(2025, 8, 1), end=date(2025, 11, 30))
    assert statistics.by_day.total == 3


def test_a_written_off_claim_is_not_counted_as_recovered(client, caseworker, supervisor, north):
    """Recovered is what came back (repayments, deductions), never what the agency gave up."""
    from assistance.services.overpayments import (
        overpayment_write_off_decide,
        overpayment_write_off_request,
        repayment_record,
    )
    from assistance.tests.test_overpayments import investigated

    second = UserFactory(username="sup2", office=north, roles=["supervisor"])
    with time_machine.travel("2026-03-12 10:00 -05:00", tick=False):
        given_up = investigated(caseworker)  # $70 owed
        repayment_record(acting_user=caseworker, overpayment=given_up, amount="15.00", received_on=date(2026, 3, 12))
        overpayment_write_off_request(acting_user=caseworker, overpayment=given_up, reason="No income, no assets.")
        overpayment_write_off_decide(acting_user=second, overpayment=given_up, approve=True)  # $55 written off
        still_owed = investigated(caseworker)  # $70 owed
        repayment_record(acting_user=caseworker, overpayment=still_owed, amount="20.00", received_on=date(2026, 3, 12))

        client.force_login(supervisor)
        html = client.get(
            reverse("reports:dashboard_page", args=["team", "money"]), {"start": "2026-03-01", "end": "2026-03-31"}
        ).content.decode()
    assert "2 overpayments established in the range for $140.00" in html
    assert "$35.00 recovered and $50.00 outstanding" in html


def test_a_supervisor_of_another_office_sees_no_office_figures_of_ours(client, other_caseworker, caseworker):
    _rows(caseworker, 2)
    client.force_login(other_caseworker.team.supervisor)
    html = client.get(reverse("reports:dashboard", args=["office"]), RANGE).content.decode()
    assert "South Office" in html and "0 active cases" in html


def test_an_auditor_sees_the_late_applications_without_the_case_numbers(client, caseworker, supervisor, auditor):
    """The auditor may not open the cases: the list keeps its dates and states, the numbers stay hidden."""
    from eligibility.services import enrollment_apply
    from eligibility.tests.helpers import single_earner
    from tests.factories import case_for

    snap = Program.objects.get(code="snap")
    case = case_for(single_earner(caseworker.office), caseworker)
    enrollment_apply(acting_user=caseworker, case=case, program=snap, application_date=date(2025, 10, 20))

    client.force_login(auditor)
    html = client.get(reverse("reports:dashboard", args=["agency"]), RANGE).content.decode()
    listing = html[html.index('id="late-applications"') : html.index("</table>", html.index('id="late-applications"'))]
    assert "<td>2025-10-20</td><td>2025-11-19</td><td>late</td>" in listing
    assert case.number not in html
    assert reverse("casework:case_detail", args=[case.pk]) not in html
    assert "A case you may not open" in listing
    assert "1 late, 0 nearly late;" in html

    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()
    assert f'<a href="{reverse("casework:case_detail", args=[case.pk])}">{case.number}</a>' in html


def _family(worker, *, adults: list[str], children: list[date] = (), hours: list[str], enrolled: bool = True):
    """A household worked by `worker`: its head (then a spouse) born in 1990, its children born on the
    dates given, each adult attending the hours given in November 2025 (8 hours a day)."""
    from assistance.tests.helpers import enrol, income_support
    from casework.models import AttendanceEntry, ScheduledActivity
    from tests.factories import ClientFactory, MembershipFactory, case_for

    head = ClientFactory(office=worker.office, date_of_birth=date(1990, 1, 1))
    case = case_for(head, worker)
    people = [head]
    for relationship in adults[1:]:
        people.append(ClientFactory(office=worker.office, date_of_birth=date(1991, 1, 1)))
        MembershipFactory(client=people[-1], household=case.household, relationship=relationship)
    for born in children:
        MembershipFactory(
            client=ClientFactory(office=worker.office, date_of_birth=born),
            household=case.household,
            relationship="child",
        )
    if enrolled:
        enrol(case, income_support())
    for person, total in zip(people, hours, strict=True):
        activity = ScheduledActivity.objects.create(
            case=case, client=person, name="Job search", weekly_hours=Decimal("30"), starts_on=date(2025, 11, 1)
        )
        left, day = Decimal(total), date(2025, 11, 1)
        while left > 0:
            AttendanceEntry.objects.create(
                activity=activity, day=day, hours_scheduled=min(left, 8), hours_attended=min(left, 8),
                entered_by=worker,
            )  # fmt: skip
            left -= 8
            day += timedelta(days=1)
    return case


def test_the_work_participation_rate_of_a_known_population_is_exact(client, caseworker, supervisor, other_caseworker):
    """November 2025 has 30 days: 30 hours a week is 128.57 in the month, 20 is 85.71, 35 is 150.00."""
    from casework.models import AttendanceEntry

    _family(caseworker, adults=["head"], hours=["130"])  # 30 hours: met
    young = _family(caseworker, adults=["head"], children=[date(2022, 5, 1)], hours=["80"])  # under 6: 20 hours
    AttendanceEntry.objects.create(  # an excused absence counts: 86 hours, met
        activity=young.scheduled_activities.get(), day=date(2025, 11, 28), hours_scheduled=6, hours_attended=0,
        excused=True, entered_by=caseworker,
    )  # fmt: skip
    _family(caseworker, adults=["head"], children=[date(2015, 5, 1)], hours=["100"])  # child of 10: 30 hours, short
    _family(caseworker, adults=["head", "spouse"], children=[date(2017, 1, 1)], hours=["80", "72"])  # 152: met
    _family(caseworker, adults=["head", "spouse"], children=[date(2017, 1, 1)], hours=["100", "40"])  # 140: short
    _family(caseworker, adults=["head"], hours=["200"], enrolled=False)  # no cash assistance: not counted
    _family(other_caseworker, adults=["head"], hours=["0"])  # another office's team: not counted

    client.force_login(supervisor)
    html = client.get(reverse("reports:dashboard", args=["team"]), RANGE).content.decode()
    assert (
        "In November 2025, 3 of 5 families receiving Income Support with a work-eligible adult met their hours: "
        "60.0%, meeting the 50% target. Two-parent families: 1 of 2, 50.0%, below the 90% target."
    ) in html
    table = html[html.index('id="table-participation"') :]
    assert '<th scope="row">All families</th><td>5</td><td>3</td><td>60.0%</td><td>50%</td>' in table
    assert '<th scope="row">Two-parent families</th><td>2</td><td>1</td><td>50.0%</td><td>90%</td>' in table
