"""Assistance within authority limits, in a real browser.

A caseworker asks for $1,200.00 of emergency funds for a client facing eviction: past her
$1,000.00 limit, it waits. Her supervisor signs in, finds it in the approval queue and approves
it there. The caseworker sees the approval on her home page and issues it. Then she asks for
$800.00 (issued at once) and for five shelter nights (a fifth night is past her four: it waits).

Set up through the factories and services; locators are by label and role, as in the other
browser tests.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from assistance.models import Issuance, LedgerEntry
from assistance.tests.helpers import enrol, income_support
from tests.factories import ClientFactory, case_for

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def _sign_in(page: Page, username: str) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def _open_request_form(page: Page, case) -> None:
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("main").get_by_role("link", name="Assistance", exact=True).click()
    page.get_by_role("link", name="Request assistance").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Request assistance")


@pytest.mark.browser
def test_a_request_past_the_limit_is_approved_from_the_queue_and_issued(browser_page: Page, caseworker, supervisor):
    page = browser_page
    client = ClientFactory(office=caseworker.office, first_name="Marisol", last_name="Oyelaran")
    case = case_for(client, caseworker)
    enrol(case, income_support())

    # --- The caseworker asks for $1,200.00: past her limit, it waits ----------------------------
    _sign_in(page, caseworker.username)
    _open_request_form(page, case)
    expect(page.get_by_role("status")).to_have_text("Your limit for emergency funds: $1,000.00 per issuance.")
    expect(page.get_by_label("Nights")).to_be_hidden()
    expect(page.get_by_label("Payee's name")).to_have_value("Marisol Oyelaran")
    page.get_by_label("Program").select_option(label="Income Support")
    page.get_by_label("Amount ($)").fill("1200.00")
    page.get_by_label("Paid by").select_option(label="Direct deposit")
    page.get_by_label("Purpose").fill("Rent arrears: eviction notice for the 1st.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Waiting for a supervisor: over your limit by $200.00")
    first = Issuance.objects.get()
    expect(page).to_have_url(re.compile(rf"/assistance/issuances/{first.pk}/$"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("Waiting for approval")
    _sign_out(page)

    # --- The supervisor approves it from the queue ----------------------------------------------------
    _sign_in(page, supervisor.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    row = page.get_by_role("list", name="Waiting requests").get_by_role("listitem").filter(has_text=first.reference)
    expect(row).to_contain_text("Per issuance: $1,200.00 against a limit of $1,000.00 — over by $200.00")
    expect(row).to_contain_text("Within your authority")
    expect(row).to_contain_text("Marisol Oyelaran")
    approve = row.get_by_role("form", name=f"Approve {first.reference}")
    approve.get_by_label("Note (optional)").fill("Eviction notice seen.")
    approve.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Approved {first.reference}")
    expect(page.get_by_text("Nothing is waiting for your approval.")).to_be_visible()
    _sign_out(page)

    # --- The caseworker sees the decision on her home page and issues it -----------------------------
    _sign_in(page, caseworker.username)
    decisions = page.get_by_role("list", name="Decisions on my requests")
    expect(decisions).to_contain_text("Approved Emergency funds of $1,200.00 for Marisol Oyelaran")
    expect(decisions).to_contain_text("Note: Eviction notice seen.")
    decisions.get_by_role("button", name=f"Issue now: {first.reference}").click()
    expect(page.get_by_role("alert")).to_contain_text("Issued: Emergency funds of $1,200.00 to Marisol Oyelaran")
    expect(decisions).to_contain_text("Issued Emergency funds of $1,200.00")
    first.refresh_from_db()
    assert first.status == Issuance.Status.ISSUED

    # --- $800.00: within her authority, issued at once -------------------------------------------------
    _open_request_form(page, case)
    page.get_by_label("Program").select_option(label="Income Support")
    page.get_by_label("Amount ($)").fill("800")
    page.get_by_label("Paid by").select_option(label="Direct deposit")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Issued at once: Emergency funds of $800.00 for Marisol Oyelaran")

    # --- Five shelter nights: a fifth night is past her four, it waits -----------------------------------
    _open_request_form(page, case)
    page.get_by_label("Program").select_option(label="Income Support")
    page.get_by_label("Kind of assistance").select_option(label="Shelter nights")
    expect(page.get_by_label("Amount ($)")).to_be_hidden()
    expect(page.get_by_role("status")).to_have_text("Your limit for shelter nights: 4 nights.")
    page.get_by_label("Nights").fill("5")
    page.get_by_label("Nightly rate ($)").fill("62.50")
    expect(page.get_by_text("5 nights \N{MULTIPLICATION SIGN} $62.50 = $312.50")).to_be_visible()
    page.get_by_label("Pay to").select_option(label="Shelter")
    page.get_by_label("Payee's name").fill("Harbour Light Shelter")
    page.get_by_label("Paid by").select_option(label="Voucher")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Waiting for a supervisor: 1 night over your limit of 4")
    nights = Issuance.objects.get(kind=Issuance.Kind.SHELTER)
    assert (nights.status, nights.units, nights.amount) == (Issuance.Status.PENDING, 5, Decimal("312.50"))

    # --- The case's Assistance tab: three requests, newest first, and what the ledger says ----------------
    page.get_by_role("main").get_by_role("link", name="Assistance", exact=True).click()
    rows = page.get_by_role("table", name="Issuances").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three requests
    expect(rows.nth(1)).to_contain_text("Shelter nights")
    expect(page.get_by_role("table", name="Balances")).to_contain_text("$2,000.00")
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0

    assert page.problems == []
