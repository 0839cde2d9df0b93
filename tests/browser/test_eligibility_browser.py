"""A caseworker applies for SNAP for a household in a real browser, and decides it.

Set up through the factories and services: a North client earning wages and paying rent (no
utilities: the SNAP utility allowance has no value), on an open case of the caseworker's.
In Chromium the caseworker signs in, opens the case, applies for SNAP on its Eligibility tab,
runs a determination and reads why, tries other wages in the what-if (shown beside the
current result by htmx, saving nothing), approves the determination and downloads the
decision notice.
"""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from clients.models import Expense
from eligibility.models import Determination, Enrollment, Program
from tests.factories import ClientFactory, IncomeFactory, case_for

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def _sign_in(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _alert(page: Page):
    return page.get_by_role("alert")


@pytest.mark.browser
def test_caseworker_applies_for_snap_runs_explains_tries_a_whatif_and_approves(browser_page: Page, caseworker):
    page = browser_page
    # live_server's flush of an earlier test deletes the programs and parameters of migration 0001.
    call_command("eligibility_load_parameters", stdout=StringIO())
    snap = Program.objects.get(code="snap")
    today = timezone.localdate()
    first_of_month = today.replace(day=1)

    client = ClientFactory(
        office=caseworker.office, first_name="Marisol", last_name="Oyelaran", date_of_birth=date(1988, 3, 14)
    )
    IncomeFactory(client=client, kind="earned", amount=Decimal("900.00"), start_date=date(2025, 1, 1))
    Expense.objects.create(client=client, kind="rent", amount=Decimal("650.00"), start_date=date(2025, 1, 1))
    case = case_for(client, caseworker)

    # --- Sign in, open the case, its Eligibility tab -------------------------------------------
    page.goto("/")
    _sign_in(page, caseworker.username)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.number}")
    page.get_by_role("main").get_by_role("link", name="Eligibility", exact=True).click()
    expect(page.get_by_text("This case has not applied for any program.")).to_be_visible()

    # --- Apply for SNAP ------------------------------------------------------------------------
    page.get_by_label("Program").select_option(label=str(snap))
    page.get_by_label("Application date").fill(f"{first_of_month:%Y-%m-%d}")
    page.get_by_role("button", name="Record the application").click()
    expect(_alert(page)).to_contain_text(f"Application for {snap} recorded.")
    enrollment = Enrollment.objects.get(case=case)
    expect(page).to_have_url(re.compile(rf"/enrollments/{enrollment.pk}/$"))
    expect(page.get_by_text("No determination yet.")).to_be_visible()

    # --- Run a determination and read why --------------------------------------------------------
    page.get_by_label("Determination date").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Run the rules").click()
    expect(_alert(page)).to_contain_text("Determination made; read it and approve or deny it.")
    determination = Determination.objects.get(enrollment=enrollment)
    expect(page).to_have_url(re.compile(rf"/determinations/{determination.pk}/$"))
    assert determination.eligible and determination.monthly_amount > 0
    amount = f"${determination.monthly_amount}"
    expect(page.get_by_text(f"Eligible: {amount} a month.")).to_be_visible()
    criteria = page.get_by_role("table", name="Criteria of this determination")
    for name in ("Gross monthly income", "Net monthly income", "Monthly benefit"):
        expect(criteria.get_by_role("rowheader", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("Replayed from the stored household and values: same result.")).to_be_visible()

    determinations_before = Determination.objects.count()

    # --- What if the wages were lower? Beside the current result, nothing saved --------------------
    page.get_by_role("link", name=f"← {snap.name}").click()
    expect(page).to_have_url(re.compile(rf"/enrollments/{enrollment.pk}/$"))
    page.get_by_label(re.compile(r"Earned income, member 1, monthly")).fill("400.00")
    with page.expect_response(re.compile(rf"/enrollments/{enrollment.pk}/what-if/$")) as whatif:
        page.get_by_role("button", name="Try it").click()
    assert whatif.value.request.headers.get("hx-request") == "true"  # htmx, not a page load
    expect(page).to_have_url(re.compile(rf"/enrollments/{enrollment.pk}/$"))
    expect(page.get_by_role("heading", name=f"As recorded: eligible, {amount}")).to_be_visible()
    changed = page.get_by_role("heading", name=re.compile(r"^With your changes: eligible, \$\d+\.\d\d$"))
    expect(changed).to_be_visible()
    expect(changed).not_to_have_text(f"With your changes: eligible, {amount}")
    expect(page.get_by_role("table", name="Result as recorded")).to_be_visible()
    expect(page.get_by_role("table", name="Result with the changes")).to_be_visible()
    assert Determination.objects.count() == determinations_before  # the what-if saved nothing

    # --- Approve -----------------------------------------------------------------------------------
    page.get_by_role("table", name="Determinations, newest first").get_by_role(
        "link", name=f"{determination.as_of:%Y-%m-%d}"
    ).click()
    page.get_by_label("Decision").select_option(label="Approve")
    page.get_by_role("button", name="Record the decision").click()
    expect(_alert(page)).to_contain_text("Determination approved.")
    determination.refresh_from_db()
    enrollment.refresh_from_db()
    assert determination.status == "approved"
    assert enrollment.status == "active" and enrollment.monthly_amount == determination.monthly_amount

    # --- The decision notice ---------------------------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Decision notice (PDF)").click()
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    assert page.problems == []
