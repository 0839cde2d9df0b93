"""A caseworker works a new case in a real browser, and their supervisor transfers it.

The caseworker registers a household through intake (which opens its case), opens the case
from the head's page, moves it from intake to open, writes a case note and an addendum to it,
starts an employment plan with a goal and an action step, schedules job club and enters last
week's attendance, and signs out. The supervisor signs in and transfers the case to another
caseworker of the office and team; the case page then names the new worker and keeps the
assignment history.

Locators are by label and role, so a field without a label fails the test; every form on
each page with fields is also checked for unlabelled fields.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.models import Case, CaseNote, Plan, ScheduledActivity
from casework.models.attendance import AttendanceEntry
from tests.factories import UserFactory

DASH = "\u2013"  # the en dash between the dates of an assignment
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password

# Every visible field of the page's forms (under <main>) that has neither a <label for> nor an aria-label.
UNLABELLED_FIELDS_JS = """
main => Array.from(main.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button"].includes(el.type))
  .filter(el => el.labels.length === 0 && !el.getAttribute("aria-label"))
  .map(el => el.name || el.id)
"""


def _assert_every_field_labelled(page: Page) -> None:
    assert page.locator("main").evaluate(UNLABELLED_FIELDS_JS) == []


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _tab(page: Page, name: str) -> None:
    page.get_by_role("main").get_by_role("link", name=name, exact=True).click()


def _alert(page: Page):
    return page.get_by_role("alert")


def _sign_in(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def _register_household(page: Page) -> None:
    _nav(page, "Intake")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a household")
    page.get_by_label("Address", exact=True).fill("7 Quarry Street")
    page.get_by_label("City").fill("Riverton")
    page.get_by_label("State or province").fill("IL")
    page.get_by_label("Postal code").fill("60603")
    head = page.get_by_role("group", name="Member 1", exact=True)
    head.get_by_label("Relationship").select_option(label="Head of household")
    head.get_by_label("First name").fill("Ifeoma")
    head.get_by_label("Last name").fill("Castellanos")
    head.get_by_label("Date of birth").fill("1990-05-21")
    page.get_by_role("button", name="Add another member").click()
    child = page.get_by_role("group", name="Member 2", exact=True)
    child.get_by_label("Relationship").select_option(label="Child")
    child.get_by_label("First name").fill("Tobias")
    child.get_by_label("Last name").fill("Castellanos")
    child.get_by_label("Date of birth").fill("2017-02-08")
    _assert_every_field_labelled(page)
    page.get_by_role("button", name="Check and register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ifeoma Castellanos")
    expect(_alert(page)).to_contain_text("Castellanos household registered with 2 member(s)")


@pytest.mark.browser
def test_caseworker_works_a_case_and_supervisor_transfers_it(browser_page: Page, caseworker, supervisor):
    page = browser_page
    # A second caseworker of the same office and team, to take the case over.
    colleague = UserFactory(
        username="worker2", first_name="Rosalind", last_name="Okafor", office=caseworker.office,
        team=supervisor.team, roles=["caseworker"],
    )  # fmt: skip
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    last_monday = this_monday - timedelta(days=7)
    yesterday = today - timedelta(days=1)

    # --- The caseworker ---------------------------------------------------------------------
    page.goto("/")
    _sign_in(page, caseworker.username)
    _register_household(page)
    case = Case.objects.get(primary_client__first_name="Ifeoma")
    head = case.primary_client

    # From the head's page to the case, through "Cases".
    page.get_by_role("main").get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases of this client")
    page.get_by_role("table").get_by_role("link", name=case.number, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    header = page.get_by_role("heading", level=1)
    expect(header).to_contain_text(f"Case {case.number}")
    expect(header).to_contain_text("Intake")

    # Intake → open.
    _assert_every_field_labelled(page)
    page.get_by_label("Move the case to").select_option(label="Open")
    page.get_by_role("button", name="Save").click()
    expect(_alert(page)).to_contain_text(f"Case {case.number} is now open.")
    expect(header).to_contain_text("Open")
    expect(page.get_by_role("listitem").filter(has_text="Intake → Open")).to_be_visible()

    # A case note, then an addendum under it.
    _tab(page, "Notes")
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    page.get_by_role("link", name="Write a note").click()
    _assert_every_field_labelled(page)
    page.get_by_label("Kind of contact").select_option(label="Home visit")
    page.get_by_label("Date and time of the contact").fill(f"{yesterday:%Y-%m-%d}T10:30")
    page.get_by_label("Who was present").fill("Ifeoma (client), Tobias (son)")
    page.get_by_label("Subject (optional)").fill("First home visit")
    page.get_by_label("Note*", exact=True).fill(
        "Visited the family at home. Ifeoma wants to find work once Tobias has after-school care."
    )
    page.get_by_role("button", name="Save the note").click()
    expect(_alert(page)).to_contain_text("Home visit note saved.")
    note = CaseNote.objects.get(case=case)
    article = page.get_by_role("article", name=re.compile("Home visit · First home visit"))
    expect(article).to_contain_text("Present: Ifeoma (client), Tobias (son)")
    article.get_by_role("link", name=re.compile("^Add an addendum")).click()
    expect(page.get_by_role("heading", name="Add an addendum")).to_be_visible()
    _assert_every_field_labelled(page)
    page.get_by_label("Addendum").fill("Correction: the after-school programme has a waiting list of 3 weeks.")
    page.get_by_role("button", name="Add the addendum").click()
    expect(_alert(page)).to_contain_text("Addendum added.")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/notes/#note-{note.pk}$"))
    addendum = article.get_by_label(f"Addendum by {caseworker}")
    expect(addendum).to_contain_text("waiting list of 3 weeks")
    expect(addendum).to_contain_text(f"Addendum by {caseworker}")
    page.screenshot(path="/tmp/notes.png", full_page=True)

    # An employment plan for the head, with a goal and an action step.
    _tab(page, "Plans")
    expect(page.get_by_text("No plans on this case yet.")).to_be_visible()
    _assert_every_field_labelled(page)
    start = page.locator("form").filter(has=page.get_by_role("button", name="Start the plan"))
    start.get_by_label("For").select_option(label="Ifeoma Castellanos")
    start.get_by_label("Kind of plan").select_option(label="Employment plan")
    start.get_by_label("Summary").fill("I want a job with hours that fit school.")
    start.get_by_label("Review date").fill(f"{today + timedelta(days=90):%Y-%m-%d}")
    start.get_by_role("button", name="Start the plan").click()
    expect(_alert(page)).to_contain_text("Employment plan started for Ifeoma Castellanos. Add its goals.")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Employment plan for Ifeoma Castellanos, version 1")
    _assert_every_field_labelled(page)
    goal_form = page.locator("form").filter(has=page.get_by_role("button", name="Add the goal"))
    goal_form.get_by_label("Goal").fill("Arrange after-school care so Ifeoma can work afternoons.")
    goal_form.get_by_label("Barrier it addresses").select_option(label="Childcare")
    goal_form.get_by_role("button", name="Add the goal").click()
    expect(_alert(page)).to_contain_text("Goal added. Add its first step.")
    goal = page.locator(".card").filter(has=page.get_by_role("heading", name=re.compile("^Goal 1:")))
    expect(goal).to_contain_text("Barrier: Childcare")
    goal.get_by_text("Add a step to goal 1").click()
    step_form = goal.locator("form").filter(has=page.get_by_role("button", name="Add the step"))
    step_form.get_by_label("Action step").fill("Apply for the childcare subsidy.")
    step_form.get_by_label("Who is responsible").select_option(label="Client")
    step_form.get_by_label("Target date").fill(f"{today + timedelta(days=14):%Y-%m-%d}")
    step_form.get_by_role("button", name="Add the step").click()
    steps = page.get_by_role("table", name="Steps of goal 1")
    expect(steps.get_by_role("cell", name="Apply for the childcare subsidy.", exact=True)).to_be_visible()
    expect(steps).to_contain_text("Not started")
    plan = Plan.objects.get(case=case)
    assert (plan.client, plan.kind, plan.status) == (head, Plan.Kind.EMPLOYMENT, Plan.Status.DRAFT)
    assert [(g.barrier, g.steps.count()) for g in plan.goals.all()] == [("childcare", 1)]

    # Job club, 20 hours a week since last week's Monday, and last week's attendance.
    _tab(page, "Attendance")
    page.get_by_role("link", name="Schedule an activity").click()
    _assert_every_field_labelled(page)
    page.get_by_label("Client").select_option(label="Ifeoma Castellanos")
    page.get_by_label("Activity").fill("Job club at the Riverton center")
    page.get_by_label("Hours a week").fill("20")
    page.get_by_label("First day").fill(f"{last_monday:%Y-%m-%d}")
    page.get_by_role("button", name="Schedule").click()
    expect(_alert(page)).to_contain_text(
        re.compile(r"Job club at the Riverton center scheduled for Ifeoma Castellanos, 20(\.00)? h a week\.")
    )
    page.get_by_label("Month").fill(f"{last_monday:%Y-%m}")
    page.get_by_role("button", name="Show").click()
    client_card = page.get_by_role("region", name="Ifeoma Castellanos")
    client_card.get_by_role("link", name=f"week of {last_monday.day} {last_monday:%b}", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"Attendance of Ifeoma Castellanos, {last_monday:%a}")
    _assert_every_field_labelled(page)
    attended = {0: "4", 1: "4", 2: "3.5", 3: "4", 4: "0"}  # Monday to Friday; Friday missed
    for offset, hours in attended.items():
        day = last_monday + timedelta(days=offset)
        where = f"Job club at the Riverton center, {day:%A %d %B}"
        expect(page.get_by_label(f"Hours scheduled, {where}")).to_have_value("4.00")
        page.get_by_label(f"Hours attended, {where}").fill(hours)
    friday = f"Job club at the Riverton center, {last_monday + timedelta(days=4):%A %d %B}"
    page.get_by_label(f"Excused absence, {friday}").check()
    page.get_by_label(f"Good cause, {friday}").fill("Tobias was ill")
    page.get_by_role("button", name="Save the week").click()
    expect(_alert(page)).to_contain_text(f"Attendance saved for Ifeoma Castellanos, week of {last_monday:%d %b %Y}.")
    expect(page.get_by_label(f"Hours attended, {friday}")).to_have_value("0.00")
    entries = AttendanceEntry.objects.filter(activity__case=case).order_by("day")
    assert [(e.day, e.hours_attended, e.excused) for e in entries] == [
        (last_monday + timedelta(days=o), Decimal(h), o == 4) for o, h in attended.items()
    ]
    assert ScheduledActivity.objects.get(case=case).weekly_hours == Decimal("20")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # --- The supervisor ---------------------------------------------------------------------
    _sign_in(page, supervisor.username)
    _nav(page, "Cases")
    page.get_by_role("link", name="Transfer cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer cases")
    _assert_every_field_labelled(page)
    page.get_by_label(f"{case.number} · Ifeoma Castellanos ({caseworker})").check()
    page.get_by_label("Transfer to").select_option(label=f"{colleague} (0 active cases)")
    page.get_by_label("Reason*", exact=True).fill("Balancing caseloads: Rosalind takes the Riverton families.")
    page.get_by_role("button", name="Transfer").click()
    expect(_alert(page)).to_contain_text(f"1 case(s) transferred to {colleague}.")

    # The supervisor lands on the team's cases, where the moved case now shows its new worker.
    expect(page.get_by_role("heading", level=1)).to_have_text("My team's cases")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.number, exact=True))
    expect(row.get_by_role("cell").nth(3)).to_have_text(str(colleague))
    row.get_by_role("link", name=case.number, exact=True).click()
    expect(page.get_by_text(f"worker {colleague}")).to_be_visible()
    history = page.get_by_role("heading", name="Assignments").locator("xpath=following-sibling::ul[1]")
    expect(history.get_by_role("listitem")).to_have_count(2)
    # Newest first: the colleague's, open-ended, then the caseworker's, ended today.
    expect(history.get_by_role("listitem").first).to_contain_text(
        f"{colleague}: {today:%Y-%m-%d} {DASH} now (by {supervisor}: Balancing caseloads"
    )
    expect(history.get_by_role("listitem").last).to_contain_text(
        f"{caseworker}: {today:%Y-%m-%d} {DASH} {today:%Y-%m-%d}"
    )
    case.refresh_from_db()
    assert (case.assigned_worker, case.status) == (colleague, Case.Status.OPEN)

    assert page.problems == []
