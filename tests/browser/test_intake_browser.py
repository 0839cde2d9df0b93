"""A caseworker registers a household in a real browser (intake opens the household's case,
assigned to them), finds the head again with a misspelled search, and is stopped by the
duplicate check when registering the same person.

Locators are by label and role, so a field without a label fails the test; the intake page's
fields are also checked for labels one by one.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from accounts.models import CaseAccess
from casework.models import Case
from clients.models import Client, Household

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password

# Every visible field of the form that has neither a <label for> nor an aria-label.
UNLABELLED_FIELDS_JS = """
form => Array.from(form.elements)
  .filter(el => !["hidden", "submit", "button"].includes(el.type) && el.tagName !== "BUTTON"
                && el.tagName !== "FIELDSET")
  .filter(el => el.labels.length === 0 && !el.getAttribute("aria-label"))
  .map(el => el.name || el.id)
"""


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _fill_address(page: Page, *, line1: str, city: str, postal_code: str) -> None:
    page.get_by_label("Address", exact=True).fill(line1)
    page.get_by_label("City").fill(city)
    page.get_by_label("State or province").fill("IL")
    page.get_by_label("Postal code").fill(postal_code)


def _fill_member(page: Page, number: int, *, relationship: str, first: str, last: str, born: str, phone: str = ""):
    member = page.get_by_role("group", name=f"Member {number}", exact=True)
    member.get_by_label("Relationship").select_option(label=relationship)
    member.get_by_label("First name").fill(first)
    member.get_by_label("Last name").fill(last)
    member.get_by_label("Date of birth").fill(born)
    if phone:
        member.get_by_label("Phone").fill(phone)


def _assert_every_field_labelled(page: Page) -> None:
    assert page.locator("#intake-form").evaluate(UNLABELLED_FIELDS_JS) == []


@pytest.mark.browser
# live_server serves /static/ from the finders; WhiteNoise only notes there is no collectstatic output.
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_caseworker_registers_finds_and_is_warned_of_a_duplicate(browser_page: Page, caseworker):
    page = browser_page

    # The site sends a stranger to the sign-in page, and back home after signing in.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    # Bootstrap loaded from /static/: the navigation bar is coloured, not a bare list.
    navbar = page.get_by_role("navigation", name="Main")
    assert navbar.evaluate("el => getComputedStyle(el).display") == "flex"

    # Intake: the address, the head, and a child added with the "Add another member" button.
    _nav(page, "Intake")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a household")
    _fill_address(page, line1="12 Orchard Lane", city="Riverton", postal_code="60601")
    expect(page.get_by_role("group", name="Member 1", exact=True).get_by_label("Relationship")).to_have_value("head")
    _fill_member(
        page, 1, relationship="Head of household", first="Guadalupe", last="Fitzgerald", born="1987-03-14",
        phone="555-201-3344",
    )  # fmt: skip
    expect(page.get_by_role("group", name="Member 2", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Add another member").click()
    child = page.get_by_role("group", name="Member 2", exact=True)
    expect(child.get_by_label("First name")).to_be_focused()
    expect(page.locator("#id_member-TOTAL_FORMS")).to_have_value("2")
    _fill_member(page, 2, relationship="Child", first="Mateo", last="Fitzgerald", born="2016-09-03")
    _assert_every_field_labelled(page)
    page.get_by_role("button", name="Check and register").click()

    # The head's page, with the confirmation naming the case that intake opened.
    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guadalupe Fitzgerald")
    first_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    case = Case.objects.get(primary_client_id=first_id)
    expect(page.get_by_role("alert")).to_contain_text(
        f"Fitzgerald household registered with 2 member(s); case {case.number} opened."
    )
    assert re.fullmatch(r"\d{4}-\d{6}", case.number)
    head = Client.objects.get(pk=first_id)
    assert (head.date_of_birth, head.phone, head.address_line1, head.city) == (
        date(1987, 3, 14),
        "555-201-3344",
        "12 Orchard Lane",
        "Riverton",
    )
    household = Household.objects.get(memberships__client=head)
    assert sorted((m.client.first_name, m.relationship) for m in household.memberships.all()) == [
        ("Guadalupe", "head"),
        ("Mateo", "child"),
    ]
    # The case is in intake, the caseworker's, and both members are seen through it.
    assert (case.household, case.status, case.assigned_worker, case.restricted) == (
        household,
        Case.Status.INTAKE,
        caseworker,
        False,
    )
    access = CaseAccess.objects.filter(case_id=case.pk).values_list("client_id", "worker_id")
    assert set(access) == {(m.client_id, caseworker.pk) for m in household.memberships.all()}

    # A misspelled search still finds her; the result leads to her page.
    _nav(page, "Clients")
    search = page.get_by_role("search", name="Search clients")
    search.get_by_label("Name", exact=True).fill("Guadalpue Fitzgeral")
    search.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Guadalpue\+Fitzgeral"))
    results = page.get_by_role("table")
    expect(results.get_by_role("caption")).to_contain_text("best first")
    results.get_by_role("link", name="Guadalupe Fitzgerald", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/clients/{first_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guadalupe Fitzgerald")

    # Registering the same name and birth date again: nothing is saved until the worker chooses.
    _nav(page, "Intake")
    _fill_address(page, line1="40 Mill Road", city="Riverton", postal_code="60602")
    _fill_member(page, 1, relationship="Head of household", first="Guadalupe", last="Fitzgerald", born="1987-03-14")
    page.get_by_role("button", name="Check and register").click()
    choice = page.get_by_role("group", name=re.compile("Guadalupe Fitzgerald may already be registered"))
    expect(choice).to_be_visible()
    expect(choice.get_by_role("radio")).to_have_count(2)
    expect(choice.get_by_label(f"Use client {first_id}: Guadalupe Fitzgerald, born 1987-03-14")).to_be_visible()
    expect(page.get_by_label("Address", exact=True)).to_have_value("40 Mill Road")
    assert Client.objects.filter(first_name="Guadalupe").count() == 1
    _assert_every_field_labelled(page)
    page.screenshot(path="/tmp/intake.png", full_page=True)

    choice.get_by_label("None of these: register a new client").check()
    page.get_by_role("button", name="Register with these choices").click()

    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Guadalupe Fitzgerald")
    second_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert second_id != first_id
    second_case = Case.objects.get(primary_client_id=second_id)
    expect(page.get_by_role("alert")).to_contain_text(f"registered with 1 member(s); case {second_case.number} opened.")
    assert second_case.number != case.number
    assert Client.objects.get(pk=second_id).address_line1 == "40 Mill Road"
    assert Client.objects.filter(first_name="Guadalupe", last_name="Fitzgerald").count() == 2

    assert page.problems == []
