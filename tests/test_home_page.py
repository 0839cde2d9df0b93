"""The home page as a caseworker meets it in the morning: what needs them today first (tasks overdue
and due today, approved assistance to issue, reviews due, referrals to follow up), each a list with
links, and the totals small at the bottom; a fixed number of queries however many rows."""

import re
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assistance.services import issuance_approve
from assistance.tests.helpers import enrol, income_support, request
from audit.models import AuditEvent
from casework.models import Task
from casework.services.tasks import task_create
from casework.tests.counting import assert_constant
from eligibility.models import Review
from referrals.models import Referral
from referrals.tests.helpers import make_service, refer
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
_serial = count(1)


@pytest.fixture(autouse=True)
def frozen_clock():
    """The data and the page at the same fixed moment (autouse: before the other fixtures)."""
    with time_machine.travel(NOW, tick=False):
        yield


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def a_case(worker):
    return case_for(ClientFactory(office=worker.office, last_name=f"Client{next(_serial)}"), worker)


def task(case, title, due_in):
    return task_create(
        case=case, kind=Task.Kind.FOLLOW_UP, title=title, due_on=timezone.localdate() + timedelta(days=due_in)
    )


def review(case, due_in: int) -> Review:
    enrollment = enrol(case, income_support())
    return Review.objects.create(enrollment=enrollment, due_on=timezone.localdate() + timedelta(days=due_in))


def stale_referral(worker, case, service) -> Referral:
    referral = refer(worker, case, service, shared=[])
    Referral.objects.filter(pk=referral.pk).update(last_moved_at=timezone.now() - timedelta(days=40))
    return referral


@pytest.fixture
def morning(caseworker, supervisor):
    case = a_case(caseworker)
    task(case, "Overdue lease copy", -2)
    task(case, "Call the landlord today", 0)
    task(case, "Bring payslips Friday", 3)
    approved = request(caseworker, case, amount="1200.00")
    issuance_approve(acting_user=supervisor, issuance=approved)
    due = review(case, 5)
    referral = stale_referral(caseworker, case, make_service("Tenant advice", organization="Lakeside Legal Aid"))
    return {"case": case, "approved": approved, "review": due, "referral": referral}


def test_a_caseworkers_home_puts_what_needs_them_today_first_with_links(client, caseworker, morning):
    client.force_login(caseworker)

    response = client.get(reverse("home"))

    page, markup = text(response), response.content.decode()
    order = [
        "Tasks overdue and due today",
        "Overdue lease copy",
        "Call the landlord today",
        "Assistance requests",
        "Reviews due: 1",
        "Referrals to follow up: 1",
        "Due later this week",
        "Bring payslips Friday",
        "Latest contacts on my cases",
        "Totals and links",
        "My active cases",
    ]
    positions = [page.index(words) for words in order]
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert "1 overdue, 1 due today." in page
    assert f'href="{reverse("casework:case_tasks", args=[morning["case"].pk])}">Overdue lease copy</a>' in markup
    assert f'action="{reverse("assistance:issuance_issue", args=[morning["approved"].pk])}"' in markup
    assert f'href="{reverse("eligibility:enrollment_detail", args=[morning["review"].enrollment_id])}"' in markup
    assert f'href="{reverse("referrals:referral_detail", args=[morning["referral"].pk])}"' in markup
    assert 'class="card-text display-6"' not in markup  # no big totals


def test_a_caseworker_with_nothing_pressing_is_told_so(client, caseworker):
    a_case(caseworker)
    client.force_login(caseworker)

    page = text(client.get(reverse("home")))

    assert "Nothing overdue or due today." in page
    assert "No reviews are open on your cases." in page
    assert "No referral is waiting for your follow-up." in page


def test_the_caseworkers_home_costs_the_same_queries_with_few_and_many_rows(
    client, caseworker, supervisor, django_assert_max_num_queries
):
    service = make_service("Pantry")

    def add_rows(n):
        for i in range(n):
            case = a_case(caseworker)
            task(case, f"Row task {i}", i % 5 - 2)
            review(case, i % 20)
            stale_referral(caseworker, case, service)
            waiting = request(caseworker, case, amount="1100.00")
            if i % 2:
                issuance_approve(acting_user=supervisor, issuance=waiting)

    client.force_login(caseworker)
    # 24: the appointments card reads today's appointments and who is on call now.
    page = assert_constant(client, "home (caseworker, every card)", reverse("home"), add_rows, 24,
                           django_assert_max_num_queries)  # fmt: skip
    assert "Reviews due: 50" in page and "Referrals to follow up: 50" in page
    assert page.count(">Issue now</button>") == 10


def test_the_home_pages_read_event_names_the_clients_in_the_review_and_referral_cards(client, caseworker):
    reviewed, referred = a_case(caseworker), a_case(caseworker)
    review(reviewed, 5)
    stale_referral(caseworker, referred, make_service("Tenant advice"))
    client.force_login(caseworker)

    client.get(reverse("home"))

    event = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.VIEW).latest("id")
    named = set(event.subjects.values_list("client_id", flat=True))
    assert {reviewed.primary_client_id, referred.primary_client_id} <= named
