"""A caseworker records a client's appeal of a benefit cut, schedules the fair hearing with an
impartial officer, and the officer, reading the appeal file, sustains the agency.

Locators are by label and role, as in test_intake_browser.py.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from appeals.models import Appeal
from correspondence.models import Correspondence
from eligibility.models import AdverseAction, Enrollment, Program
from eligibility.services.adverse import adverse_action_notify
from tests.factories import ClientFactory, UserFactory, case_for

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def sign_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.browser
def test_caseworker_records_an_appeal_and_the_officer_sustains_it(browser_page: Page, caseworker, north):
    page = browser_page
    officer = UserFactory(username="officer", first_name="Hana", last_name="Ortiz", office=north,
                          roles=["hearing_officer"])  # fmt: skip
    client = ClientFactory(office=north, first_name="Amal", last_name="Haddad")
    case = case_for(client, caseworker)
    enrollment = Enrollment.objects.create(
        case=case, program=Program.objects.get(code="snap"), status=Enrollment.Status.ACTIVE,
        application_date=timezone.localdate() - timedelta(days=200), monthly_amount=Decimal("100.00"),
        created_by=caseworker,
    )  # fmt: skip
    adverse_action_notify(
        acting_user=caseworker, enrollment=enrollment, kind=AdverseAction.Kind.REDUCTION,
        amount_before=Decimal("200.00"), amount_after=Decimal("100.00"),
    )  # fmt: skip

    sign_in(page, caseworker)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("region", name="Open appeals")).to_contain_text("No open appeal")
    page.get_by_role("link", name="Record an appeal").click()
    page.get_by_label("How the client asked").select_option(label="By phone")
    page.get_by_label("Date of the request").fill(timezone.localdate().isoformat())
    page.get_by_label("What the client says").fill("My hours went back down last month.")
    page.get_by_role("button", name="Record the appeal").click()

    appeal = Appeal.objects.get(case=case)
    expect(page).to_have_url(re.compile(rf"/appeals/{appeal.pk}/$"))
    expect(page.locator("#appeal-status")).to_have_text("Open")
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("region", name="Open appeals")).to_contain_text(f"Appeal {appeal.pk}")

    page.goto(f"/appeals/{appeal.pk}/")
    day = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Hearing officer").select_option(label=str(officer))
    page.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T11:00")
    page.get_by_label("Place").fill("North Office, room 2")
    page.get_by_role("button", name="Schedule the hearing").click()
    expect(page.locator("#appeal-hearing")).to_contain_text("North Office, room 2")
    assert Correspondence.objects.filter(client=client, template_code="hearing_notice").exists()
    assert page.problems == []

    page.context.clear_cookies()
    sign_in(page, officer)
    page.goto(f"/appeals/{appeal.pk}/")
    expect(page.get_by_role("heading", name="The decision, replayed with its recorded values")).to_have_count(0)
    page.get_by_label("Decision").select_option(label="Agency sustained")
    page.get_by_label("Reasons").fill("The pay slips show the earnings the agency counted.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#appeal-decision")).to_contain_text("Agency sustained")
    assert page.problems == []
