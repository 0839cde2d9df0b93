"""Every page that shows a client's name or data writes a read event naming them.

One world, made through the real services: a North client with an open case worked by the
caseworker, an enrollment with an approved determination, assistance, an overpayment, a
plan, a note, a task, a referral, an inquiry and a payment run that could not pay them. Each
page is asked by a persona who may see it, and must add to the trail an event by that
persona naming the client. List pages are checked for a constant query count in their own
apps' tests; here they must name every client they show in one event.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assistance.services.runs import payment_run_inline
from assistance.tests.helpers import request as assistance_request
from assistance.tests.test_payment_run import active, establish
from audit.models import AuditEvent, AuditEventClient
from casework.services.inquiries import inquiry_record
from casework.services.notes import note_write
from casework.services.tasks import task_create
from casework.tests.plan_helpers import draft_plan
from referrals.tests.helpers import make_service, refer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
EARLIER = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)  # the case's last contact: past the office's alert


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(caseworker, supervisor) -> dict:
    with time_machine.travel(EARLIER, tick=False):
        return _world(caseworker)


def _world(caseworker) -> dict:
    enrollment = active(caseworker, amount="120.00", first_name="Wilhelmina", last_name="Readwell")
    case = enrollment.case
    person = case.primary_client
    issuance = assistance_request(caseworker, case, amount="50.00")
    waiting = assistance_request(caseworker, case, amount="9000.00")  # beyond a caseworker's limit
    overpayment = establish(enrollment, "30.00")
    plan = draft_plan(worker=caseworker, case=case)
    note_write(
        acting_user=caseworker, case=case, kind="phone_call", contact_at=timezone.now(), body="Called about rent."
    )
    task_create(case=case, kind="follow_up", title="Check the lease", due_on=date(2026, 11, 20), created_by=caseworker)
    coats = make_service("Warm coats")
    referral = refer(caseworker, case, coats, shared=[])
    inquiry = inquiry_record(
        acting_user=caseworker,
        kind="inquiry",
        channel="phone",
        source="client",
        subject="payment",
        description="Asks when the benefit is paid.",
        client_number=person.pk,
    )
    run = payment_run_inline(period=date(2026, 12, 1))  # the certification has ended: not paid, listed
    return {
        "case": case,
        "client": person,
        "enrollment": enrollment,
        "determination": enrollment.determinations.get(),
        "issuance": issuance,
        "waiting": waiting,
        "overpayment": overpayment,
        "plan": plan,
        "referral": referral,
        "inquiry": inquiry,
        "run": run,
        "service": coats,
    }


@dataclass(frozen=True)
class Page:
    name: str
    args: tuple[str, ...] = ()
    persona: str = "caseworker"
    query: str = ""

    def url(self, world: dict) -> str:
        args = [world[a].pk for a in self.args]
        return reverse(self.name, args=args) + (
            f"?{self.query.format(**{k: v.pk for k, v in world.items()})}" if self.query else ""
        )

    def __str__(self) -> str:
        return f"{self.name}[{self.persona}]"


PAGES = [
    Page("home"),
    Page("home", persona="supervisor"),
    Page("clients:list"),
    Page("clients:detail", ("client",)),
    Page("clients:household", ("client",)),
    Page("clients:finances", ("client",)),
    Page("clients:documents", ("client",)),
    Page("clients:consents", ("client",)),
    Page("clients:history", ("client",)),
    Page("casework:case_list"),
    Page("casework:case_list", persona="supervisor", query="scope=team"),
    Page("casework:case_transfer", persona="supervisor"),
    Page("casework:case_detail", ("case",)),
    Page("casework:case_notes", ("case",)),
    Page("casework:case_tasks", ("case",)),
    Page("casework:task_list"),
    Page("casework:case_plans", ("case",)),
    Page("casework:plan_detail", ("case", "plan")),
    Page("casework:plan_print", ("case", "plan")),
    Page("casework:case_attendance", ("case",)),
    Page("casework:case_open", ("client",)),
    Page("casework:case_note_add", ("case",)),
    Page("casework:task_add", ("case",)),
    Page("casework:plan_edit", ("case", "plan")),
    Page("casework:attendance_activity_add", ("case",)),
    Page("casework:attendance_week", ("case", "client")),
    Page("casework:case_restrict", ("case",)),
    Page("casework:inquiry_list"),
    Page("casework:inquiry_detail", ("inquiry",)),
    Page("referrals:case_referrals", ("case",)),
    Page("referrals:referral_detail", ("referral",)),
    Page("referrals:referral_letter", ("referral",)),
    Page("referrals:referral_new", query="case={case}&service={service}"),
    Page("referrals:follow_up"),
    Page("eligibility:case_eligibility", ("case",)),
    Page("eligibility:enrollment_detail", ("enrollment",)),
    Page("eligibility:determination_detail", ("determination",)),
    Page("eligibility:determination_notice", ("determination",)),
    Page("assistance:case_issuances", ("case",)),
    Page("assistance:issuance_request", ("case",)),
    Page("assistance:issuance_detail", ("issuance",)),
    Page("assistance:queue", persona="supervisor"),
    Page("assistance:client_ledger", ("client",)),
    Page("assistance:run_detail", ("run",), persona="supervisor"),
    Page("assistance:case_overpayments", ("case",)),
    Page("assistance:overpayment_detail", ("overpayment",)),
    Page("assistance:overpayment_new", ("case",), persona="supervisor"),
    Page("referrals:directory", query="case={case}"),
    Page("referrals:service_detail", ("service",), query="case={case}"),
    Page("referrals:service_detail", ("service",)),  # offers the worker's cases to refer
]


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_every_page_showing_a_client_writes_a_read_event_naming_them(client, personas, world, page):
    user = personas[page.persona]
    client.force_login(user)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = client.get(page.url(world))

    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert "Readwell" in html or world["case"].number in html  # the run report shows case numbers
    named = AuditEventClient.objects.filter(
        event__id__gt=before,
        event__actor=user,
        event__action__in=["view", "search", "download"],
        client_id=world["client"].pk,
    )
    assert named.exists(), f"{page}: no read event names the client"
