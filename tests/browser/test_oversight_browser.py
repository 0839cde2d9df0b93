"""A supervisor opens the team dashboard and reads a chart by its table; a quality reviewer draws
the month's samples, opens a review, records the checklist and re-runs the determination.

Locators are by label and role, as in test_intake_browser.py.
"""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def _sign_in(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


@pytest.mark.browser
def test_the_supervisor_reads_the_team_dashboard_and_a_reviewer_reviews_a_case(
    browser_page: Page, caseworker, supervisor, north
):
    page = browser_page
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    reviewer = UserFactory(username="qa", office=north, roles=["reviewer"])

    # --- The supervisor's dashboard ----------------------------------------------------------------
    _sign_in(page, supervisor.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Team dashboard")
    expect(page.get_by_role("img", name="Caseload per worker against the limit")).to_be_visible()
    caseload = page.get_by_role("table", name="Caseload per worker against the limit: the figures the chart draws.")
    expect(caseload).to_contain_text(str(caseworker))
    caseload.get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text(enrollment.case.number)
    page.get_by_role("button", name="Sign out").click()

    # --- The reviewer draws the month's samples and reviews the case --------------------------------
    _sign_in(page, reviewer.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quality reviews").click()
    page.get_by_label("Cases per program and office").fill("5")
    page.get_by_role("button", name="Draw the samples not yet drawn").click()
    expect(page.get_by_role("alert")).to_contain_text("drawn")
    page.get_by_role("table", name="Samples").get_by_role("link", name="SNAP").first.click()
    page.get_by_role("button", name=f"Review case {enrollment.case.number}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Review · case {enrollment.case.number}")

    page.get_by_label("Result: Earned income").select_option(label="Incorrect")
    page.get_by_label("Verified value: Earned income").fill("$700 a month (pay stubs)")
    page.get_by_role("button", name="Save the checklist").click()
    page.get_by_label("Verified amount of income 0").fill("700")
    page.get_by_role("button", name="Re-run the determination").click()
    expect(page.locator("#error-amount")).to_have_text("-48.00")
    assert page.problems == []
