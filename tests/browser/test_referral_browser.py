"""A caseworker finds a food bank in the resource directory, refers a client who has
consented, and records that the food bank accepted the referral and the client got food.

Locators are by label and role, as in test_intake_browser.py.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from referrals.hsds import import_package
from referrals.models import Referral
from referrals.tests.helpers import SAMPLE, consent_for
from tests.factories import ClientFactory, case_for

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


@pytest.mark.browser
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_caseworker_finds_a_food_bank_refers_and_closes_the_loop(browser_page: Page, caseworker, north):
    page = browser_page
    import_package(SAMPLE)
    guadalupe = ClientFactory(office=north, first_name="Guadalupe", last_name="Fitzgerald", phone="555-201-3344")
    case = case_for(guadalupe, caseworker)
    consent_for(guadalupe, caseworker, organization="The Riverton Food Bank")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    # The directory: food in Riverton, in Spanish.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource directory")
    search = page.get_by_role("search", name="Search the directory")
    search.get_by_label("Keyword").fill("food")
    search.get_by_label("Language").select_option(label="Spanish")
    search.get_by_label("City or postal code").fill("riverton")
    search.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="Services")
    expect(results.get_by_role("listitem")).to_have_count(1)
    expect(results).to_contain_text("Riverton Food Bank")
    expect(results).to_contain_text("Monday to Friday, 9:00 am \N{EN DASH} 4:00 pm")
    results.get_by_role("link", name="Emergency food pantry").click()

    # The service's page: refer from one of the worker's cases.
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency food pantry")
    page.get_by_label("From which of your cases").select_option(label=f"Guadalupe Fitzgerald (case {case.number})")
    page.get_by_role("button", name="Refer from this case").click()

    # The referral form, inside the case, knows about her consent.
    expect(page.get_by_role("heading", level=2, name=re.compile("Refer to Emergency food pantry"))).to_be_visible()
    tab = page.locator("#main").get_by_role("link", name="Referrals", exact=True)
    expect(tab).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status")).to_contain_text("consented on 2025-06-01")
    page.get_by_label("Reason for the referral").fill("Out of food until her first paycheck on the 15th.")
    page.get_by_label("Urgent").check()
    page.get_by_label("Contact details (phone, email)").check()
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("alert")).to_contain_text("Referral of Guadalupe Fitzgerald to Emergency food pantry sent.")
    referral = Referral.objects.get(case=case)
    expect(page).to_have_url(re.compile(rf"/referrals/{referral.pk}/$"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("Sent")

    # The food bank calls back: accepted, then the client got her groceries.
    page.get_by_label("New status").select_option(label="Accepted")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("is now accepted")
    page.get_by_label("New status").select_option(label="Completed")
    page.get_by_label("Note").fill("Picked up a three-day supply.")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert")).to_contain_text("is now completed")
    history = page.get_by_role("list", name="History")
    expect(history.get_by_role("listitem")).to_have_count(4)
    expect(history).to_contain_text("Picked up a three-day supply.")
    expect(page.get_by_label("New status")).to_have_count(0)

    referral.refresh_from_db()
    assert (referral.status, referral.urgency, referral.shared) == ("completed", "urgent", ["contact"])
    assert referral.consent.organization == "The Riverton Food Bank"
    assert [c.to_status for c in referral.status_changes.order_by("changed_at", "id")] == [
        "draft", "sent", "accepted", "completed",
    ]  # fmt: skip

    # The case's Referrals tab shows it, completed.
    page.locator("#main").get_by_role("link", name="Referrals", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Emergency food pantry"))
    expect(row).to_contain_text("Completed")
    assert page.problems == []
