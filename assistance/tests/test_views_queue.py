"""The supervisors' approval queue: who may open it, what each row tells, deciding from it, and
a fixed number of queries whatever the number of waiting requests."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import Budget, Issuance
from assistance.services import issuance_approve
from assistance.tests.helpers import client_case, income_support, request, shelter
from audit.models import AuditEvent
from eligibility.models import Program
from eligibility.services import enrollment_apply
from tests.factories import MembershipFactory, UserFactory

# One frozen moment (10:00 in Chicago on 12 March 2026) so "today" and the budget year never move under a test.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
Status = Issuance.Status
QUEUE = reverse("assistance:queue")


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def budget(program: Program, amount: str, *, warn_at_percent: int = 90) -> Budget:
    today = TODAY
    return Budget.objects.create(
        program=program,
        fiscal_year=f"{today.year}",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        amount=Decimal(amount),
        warn_at_percent=warn_at_percent,
    )


def row_of(response, issuance: Issuance) -> str:
    """The text of the queue's row for one request."""
    match = re.search(
        rf'<li class="card mb-3" id="request-{issuance.pk}">(.*?)</li>\s*(?=<li class="card|</ol>)',
        response.content.decode(),
        re.S,
    )
    assert match, f"no row for {issuance.reference}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


# Who may open it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "admin", "auditor"])
def test_only_supervisors_open_the_queue(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(QUEUE).status_code == 403


def test_a_caseworker_is_refused_before_anything_is_looked_up(client, caseworker, django_assert_max_num_queries):
    _c, case = client_case(caseworker)
    request(caseworker, case, amount="1500.00")
    client.force_login(caseworker)
    with django_assert_max_num_queries(10) as captured:
        assert client.get(QUEUE).status_code == 403
    assert not [q for q in captured.captured_queries if "assistance_" in q["sql"] or "casework_" in q["sql"]]


def test_the_queue_holds_requests_of_cases_the_supervisor_may_see_and_not_their_own(
    client, caseworker, supervisor, other_caseworker
):
    _c, case = client_case(caseworker, last_name="Okafor")
    theirs = request(caseworker, case, amount="1500.00")
    _c, own_case = client_case(supervisor, last_name="Lindqvist")
    own = request(supervisor, own_case, amount="6000.00")
    _c, south_case = client_case(other_caseworker, last_name="Southwick")
    request(other_caseworker, south_case, amount="1500.00")
    request(caseworker, case, amount="50.00")  # issued at once: not waiting

    client.force_login(supervisor)
    response = client.get(QUEUE)

    page = text(response)
    assert theirs.reference in page and "1 request waiting." in page
    assert own.reference not in page and "Southwick" not in page
    assert f'href="{QUEUE}">Approvals</a>' in response.content.decode()
    event = AuditEvent.objects.get(actor=supervisor, action=AuditEvent.Action.VIEW, object_repr="approval queue")
    assert list(event.subjects.values_list("client_id", flat=True)) == [theirs.client_id]

    colleague = UserFactory(office=supervisor.office, roles=["supervisor"])
    client.force_login(colleague)
    assert own.reference in text(client.get(QUEUE))


def test_an_empty_queue_says_so(client, supervisor):
    client.force_login(supervisor)
    assert "Nothing is waiting for your approval." in text(client.get(QUEUE))
    assert not AuditEvent.objects.filter(object_repr="approval queue").exists()


# What each row tells ----------------------------------------------------------------------------------


def test_each_row_has_the_clients_context_the_limits_recent_assistance_and_the_budget(
    client, caseworker, supervisor, north
):
    ana, case = client_case(caseworker, first_name="Ana", last_name="Okafor")
    MembershipFactory(household=ana.memberships.get().household, relationship="child")
    enrollment_apply(
        acting_user=caseworker, case=case, program=Program.objects.get(code="snap"), application_date=date(2025, 8, 1)
    )
    earlier = request(caseworker, case, amount="300.00")
    budget(income_support(), "10000.00", warn_at_percent=50)
    waiting = request(caseworker, case, amount="1200.00")
    nights = shelter(caseworker, case, nights=6, rate="60.00")
    big = request(caseworker, case, amount="6000.00")
    client.force_login(supervisor)

    response = client.get(QUEUE)

    row = row_of(response, waiting)
    assert "Emergency funds of $1,200.00" in row
    assert f"Client Ana Okafor Case {case.number} Household 2 members" in row
    assert "SNAP" in row and "(applied)" in row
    assert "Per issuance: $1,200.00 against a limit of $1,000.00 — over by $200.00" in row
    assert "Within your authority" in row
    recent = row.split("Last 90 days for this client")[1].split("Budget")[0]
    assert "$300.00 Issued" in recent and earlier.reference not in recent
    assert "$6,000.00 Waiting for approval" in recent and "$1,200.00" not in recent  # not itself
    # Issued $300 + $0 committed of $10,000: $9,700 left; approving $1,200 stays under the warning at 50%.
    assert "$9,700.00 left of $10,000.00 (issued $300.00, committed $0.00)" in row
    assert "Approve anyway" not in row

    row = row_of(response, nights)
    assert "6 nights \N{MULTIPLICATION SIGN} $60.00" in row and "Nights: 6 against a limit of 4 — 2 nights over" in row
    assert "Within your authority" in row

    row = row_of(response, big)
    assert "Needs a higher approver" in row and "over by $1,000.00" in row
    assert "After this, " in row  # $6,300 of $10,000 is past 50%: a warning
    assert "Approve anyway" not in row


def test_a_request_past_the_budget_needs_the_supervisor_to_say_so(client, caseworker, supervisor):
    _c, case = client_case(caseworker)
    budget(income_support(), "2000.00")
    request(caseworker, case, amount="900.00")
    waiting = request(caseworker, case, amount="1500.00")
    client.force_login(supervisor)

    row = row_of(client.get(QUEUE), waiting)
    assert "takes Income Support" in row and "past its budget of $2,000.00" in row
    assert "Approve anyway, past the budget" in row

    response = client.post(
        reverse("assistance:issuance_approve", args=[waiting.pk]), {"next": "queue", "reason": ""}, follow=True
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Tick the box to approve it all the same." in text(response)
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING

    response = client.post(
        reverse("assistance:issuance_approve", args=[waiting.pk]),
        {"next": "queue", "reason": "Eviction on Friday", "budget_acknowledged": "on"},
        follow=True,
    )
    assert "Approved " + waiting.reference in text(response)
    assert "Nothing is waiting for your approval." in text(response)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decision_reason) == (Status.APPROVED, "Eviction on Friday")


def test_reject_from_the_queue_needs_a_reason(client, caseworker, supervisor):
    _c, case = client_case(caseworker)
    waiting = request(caseworker, case, amount="1500.00")
    client.force_login(supervisor)
    url = reverse("assistance:issuance_reject", args=[waiting.pk])

    response = client.post(url, {"next": "queue", "reason": "  "}, follow=True)
    assert "Say why the request is rejected; the caseworker will read it." in text(response)
    assert waiting.reference in text(response)

    response = client.post(url, {"next": "queue", "reason": "Paid by the church fund"}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert "Nothing is waiting for your approval." in text(response)


def test_two_supervisors_on_the_queue_the_second_is_told_who_decided(client, caseworker, supervisor, north):
    _c, case = client_case(caseworker)
    colleague = UserFactory(username="sup2", office=north, roles=["supervisor"])
    waiting = request(caseworker, case, amount="1500.00")
    client.force_login(colleague)
    assert waiting.reference in text(client.get(QUEUE))
    issuance_approve(acting_user=supervisor, issuance=waiting)

    response = client.post(reverse("assistance:issuance_approve", args=[waiting.pk]), {"next": "queue"}, follow=True)

    assert f"This request was already approved by {supervisor.get_full_name()}; nothing to approve." in text(response)
    waiting.refresh_from_db()
    assert waiting.decided_by == supervisor


# Queries ---------------------------------------------------------------------------------------------------

MAX_QUERIES = 22


def test_the_queue_costs_the_same_queries_with_2_and_with_30_requests(
    client, caseworker, supervisor, north, django_assert_max_num_queries
):
    programs = [income_support(), Program.objects.get(code="snap"), Program.objects.get(code="drug_assistance")]
    budget(programs[0], "50000.00")
    budget(programs[1], "3000.00", warn_at_percent=10)
    workers = [caseworker, UserFactory(office=north, team=caseworker.team, roles=["caseworker"])]
    cases = []

    def add_requests(n):
        for _ in range(n):
            i = Issuance.objects.filter(status=Status.PENDING).count()
            if i % 3 == 0:
                _c, case = client_case(workers[i % 2])
                if i % 2:
                    enrollment_apply(
                        acting_user=workers[i % 2], case=case, program=programs[1], application_date=date(2025, 8, 1)
                    )
                request(workers[i % 2], case, amount="40.00", program=programs[i % 3])  # recent, issued
                cases.append(case)
            case = cases[-1]
            if i % 4 == 3:
                shelter(case.assigned_worker, case, nights=5 + i % 3)
            else:
                request(case.assigned_worker, case, amount=f"{1001 + 250 * i}.00", program=programs[i % 3])

    client.force_login(supervisor)
    counts = []
    for n in (2, 30):
        add_requests(n - Issuance.objects.filter(status=Status.PENDING).count())
        client.get(QUEUE)
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = client.get(QUEUE)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    page = text(response)
    assert "30 requests waiting." in page
    assert page.count("Approve anyway, past the budget") >= 1
    assert page.count("Needs a higher approver") >= 1
    assert response.content.decode().count('<li class="card mb-3"') == 30


def test_a_long_queue_is_paged(client, caseworker, supervisor):
    _c, case = client_case(caseworker)
    waiting = [request(caseworker, case, amount=f"{1100 + i}.00") for i in range(52)]
    client.force_login(supervisor)
    first = client.get(QUEUE)
    assert "52 requests waiting." in text(first) and "Page 1 of 2" in text(first)
    assert f'id="request-{waiting[0].pk}"' in first.content.decode()  # the oldest first
    assert f'id="request-{waiting[-1].pk}"' not in first.content.decode()
    assert f'id="request-{waiting[-1].pk}"' in client.get(QUEUE, {"page": 2}).content.decode()
