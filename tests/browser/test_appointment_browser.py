"""A caseworker books an interview for a client who reads Spanish, and sees the reminder the
morning job sends two days before it: recorded in the client's correspondence, in Spanish.

Locators are by label and role, as in test_intake_browser.py.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.models import Appointment
from correspondence.models import Correspondence
from tests.factories import ClientFactory, case_for

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


@pytest.mark.browser
def test_caseworker_books_an_interview_and_sees_the_reminder_in_spanish(browser_page: Page, caseworker, north):
    page = browser_page
    lucia = ClientFactory(office=north, first_name="Lucía", last_name="Ferrández", language="Spanish")
    case = case_for(lucia, caseworker)
    day = timezone.localdate() + timedelta(days=2)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(caseworker.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("main").get_by_role("link", name="Appointments", exact=True).click()
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Kind of appointment").select_option(label="Application interview")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Length").select_option(label="1 hour")
    page.get_by_label("Where (optional)").fill("North Office, room 4")
    expect(page.get_by_label("Required interview")).to_be_checked()
    page.get_by_role("button", name="Book it").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Application interview booked for {day:%Y-%m-%d} 10:00")
    appointment = Appointment.objects.get(case=case)
    expect(page).to_have_url(re.compile(rf"/appointments/{appointment.pk}/$"))
    expect(page.locator("#reminder")).to_have_text("Not yet")

    # The morning job, two days before: the reminder is recorded in her correspondence, in Spanish.
    call_command("appointment_reminders")
    reminder = Correspondence.objects.get(client=lucia)
    assert (reminder.language, reminder.template_code, reminder.case_id) == ("es", "appointment_reminder", case.pk)

    page.reload()
    expect(page.locator("#reminder")).to_contain_text("in Español: “Recordatorio: su cita el")

    # Her correspondence lists it, in Spanish, sent by the reminders job about this case.
    page.goto(f"/correspondence/clients/{lucia.pk}/")
    row = page.get_by_role("row", name=re.compile("Recordatorio: su cita el"))
    expect(row).to_contain_text("Español")
    expect(row).to_contain_text("appointment reminders")
    expect(row).to_contain_text(case.number)
    assert page.problems == []
