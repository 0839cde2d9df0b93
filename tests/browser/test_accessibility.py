"""Every main page, for each persona, passes axe-core with no serious or critical violation.

axe-core (tests/browser/vendor/axe-core) is injected into each page as the persona sees it in
Chromium; a violation is listed with its rule, its help text and the elements it found. The rules
are WCAG 2.x A and AA (contrast 1.4.3, names and labels 4.1.2 and 1.3.1, label in name 2.5.3, ...).
A page the persona may not open (403 or 404) is not checked for them.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assistance.tests.helpers import enrol, income_support, request
from casework.models import CaseNote, Task
from casework.services.attendance import scheduled_activity_create
from casework.services.inquiries import inquiry_record
from casework.services.notes import note_write
from casework.services.tasks import task_create
from casework.tests.plan_helpers import draft_plan
from eligibility.models import Program
from eligibility.services import determination_run, enrollment_apply
from referrals.tests.helpers import make_service, refer
from tests.factories import ClientFactory, IncomeFactory, PersonFactFactory, case_for

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
RUN_AXE = """
async () => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    resultTypes: ["violations"],
    // Label in name (WCAG 2.5.3) is an experimental rule, off unless asked for.
    rules: {"label-content-name-mismatch": {enabled: true}},
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1).join(" ")),
  }));
}
"""


@dataclass
class World:
    urls: list[tuple[str, str]]  # (what, path)


@pytest.fixture
def world(caseworker, supervisor) -> World:
    """One case with something on every tab, and the office's shared pages."""
    client = ClientFactory(
        office=caseworker.office, first_name="Amara", last_name="Okafor", date_of_birth=date(1990, 1, 1)
    )
    IncomeFactory(client=client, kind="earned", amount=Decimal("900"), start_date=date(2025, 1, 1))
    PersonFactFactory(client=client, recorded_by=caseworker)  # the overview's facts table and its forms
    case = case_for(client, caseworker)
    note_write(
        acting_user=caseworker,
        case=case,
        kind=CaseNote.Kind.PHONE_CALL,
        contact_at=timezone.now(),
        body="Talked about rent.",
        subject="Rent",
    )
    task_create(case=case, kind=Task.Kind.FOLLOW_UP, title="Call back", due_on=timezone.localdate())
    plan = draft_plan(worker=caseworker, case=case)
    scheduled_activity_create(
        acting_user=caseworker,
        case=case,
        client=client,
        name="Job club",
        weekly_hours=Decimal("10"),
        starts_on=timezone.localdate() - timedelta(days=14),
    )
    enrollment = enrollment_apply(
        acting_user=caseworker,
        case=case,
        program=Program.objects.get(code="snap"),
        application_date=timezone.localdate().replace(day=1),
    )
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=timezone.localdate())
    enrol(case, income_support())
    waiting = request(caseworker, case, amount="1500.00")
    service = make_service("Tenant advice", organization="Lakeside Legal Aid")
    referral = refer(caseworker, case, service, shared=[])
    inquiry = inquiry_record(
        acting_user=caseworker,
        kind="inquiry",
        channel="phone",
        source="client",
        subject="payment",
        description="Asks about the payment date.",
        received_at=timezone.now(),
    )
    return World(
        urls=[
            ("home", reverse("home")),
            ("client list", reverse("clients:list")),
            ("client search", reverse("clients:list") + "?q=Okafor"),
            ("client record", reverse("clients:detail", args=[client.pk])),
            ("case page", reverse("casework:case_detail", args=[case.pk])),
            ("case list", reverse("casework:case_list")),
            ("notes", reverse("casework:case_notes", args=[case.pk])),
            ("tasks", reverse("casework:case_tasks", args=[case.pk])),
            ("task list", reverse("casework:task_list")),
            ("plans", reverse("casework:case_plans", args=[case.pk])),
            ("plan", reverse("casework:plan_detail", args=[case.pk, plan.pk])),
            ("attendance", reverse("casework:case_attendance", args=[case.pk])),
            ("eligibility", reverse("eligibility:case_eligibility", args=[case.pk])),
            ("enrollment", reverse("eligibility:enrollment_detail", args=[enrollment.pk])),
            ("determination", reverse("eligibility:determination_detail", args=[determination.pk])),
            ("assistance tab", reverse("assistance:case_issuances", args=[case.pk])),
            ("assistance request", reverse("assistance:issuance_request", args=[case.pk])),
            ("issuance", reverse("assistance:issuance_detail", args=[waiting.pk])),
            ("approval queue", reverse("assistance:queue")),
            ("referrals tab", reverse("referrals:case_referrals", args=[case.pk])),
            ("referral", reverse("referrals:referral_detail", args=[referral.pk])),
            ("my referrals", reverse("referrals:follow_up")),
            ("referral figures", reverse("referrals:figures")),
            ("directory", reverse("referrals:directory")),
            ("directory service", reverse("referrals:service_detail", args=[service.pk])),
            ("inquiries", reverse("casework:inquiry_list")),
            ("inquiry", reverse("casework:inquiry_detail", args=[inquiry.pk])),
            ("inquiry figures", reverse("casework:inquiry_statistics")),
            ("audit trail", reverse("audit:trail")),
        ]
    )


def serious_violations(page: Page) -> list[str]:
    found = page.evaluate(RUN_AXE)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n      " + "\n      ".join(v["nodes"][:5])
        for v in found
        if v["impact"] in SERIOUS
    ]


def sign_in(page: Page, user) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def check(page: Page, urls) -> tuple[list[str], list[str]]:
    # axe is loaded into each page before the page's own scripts, as the browser's own code:
    # the site's Content-Security-Policy admits no script but its own files.
    page.add_init_script(path=str(AXE))
    failures, checked = [], []
    for what, path in urls:
        response = page.goto(path)
        if response.status in (403, 404):
            continue
        assert response.status == 200, f"{what} ({path}): {response.status}"
        checked.append(what)
        failures += [f"{what} ({path}): {v}" for v in serious_violations(page)]
    return failures, checked


@pytest.mark.browser
@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "admin", "auditor"])
def test_every_main_page_has_no_serious_accessibility_violation(browser_page: Page, personas, world, persona):
    sign_in(browser_page, personas[persona])

    failures, checked = check(browser_page, world.urls)

    assert "home" in checked
    assert not failures, f"{len(failures)} serious or critical violations for the {persona}:\n" + "\n".join(failures)
    refused = [problem for problem in browser_page.problems if "Content Security Policy" in problem]
    assert refused == [], "the page did something its Content-Security-Policy forbids"


@pytest.mark.browser
def test_the_sign_in_page_has_no_serious_accessibility_violation(browser_page: Page):
    failures, checked = check(browser_page, [("sign-in", reverse("accounts:login"))])

    assert checked == ["sign-in"]
    assert not failures, "\n".join(failures)
