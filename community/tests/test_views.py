"""The community pages: who may open them, what they show, and what they cost."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from community import services
from tests.page_queries import assert_page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.fixture
def _frozen():
    with time_machine.travel(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False):
        yield


def test_volunteers_are_listed_for_their_office_with_what_keeps_them_off_the_schedule(
    client, caseworker, other_caseworker, auditor
):
    services.volunteer_recruit(acting_user=caseworker, name="Ada Byrne", recruited_on=date(2026, 3, 1))
    url = reverse("community:volunteer_list")
    client.force_login(caseworker)
    html = client.get(url).content.decode()
    assert "Ada Byrne" in html and "No: background check not started" in html
    client.force_login(other_caseworker)
    assert "Ada Byrne" not in client.get(url).content.decode()
    client.force_login(auditor)
    assert client.get(url).status_code == 403


@pytest.mark.usefixtures("warm_cache")
def test_the_volunteer_page_costs_the_same_with_few_and_many(client, caseworker):
    client.force_login(caseworker)

    def add(n):
        for i in range(n):
            v = services.volunteer_recruit(acting_user=caseworker, name=f"V{i}", recruited_on=date(2026, 3, 1))
            services.volunteer_reference_record(
                acting_user=caseworker, volunteer=v, name="R", outcome="good", checked_on=date(2026, 3, 2)
            )

    html = assert_page_queries(client, "volunteers", reverse("community:volunteer_list"), add)
    assert html.count("1 of 2 references checked") == 50


@pytest.mark.usefixtures("warm_cache")
def test_the_project_page_costs_the_same_with_few_and_many(client, caseworker):
    from community.tests.test_services import _project

    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            services.project_recommend(acting_user=caseworker, project=_project(caseworker), recommendation="Good.")

    html = assert_page_queries(client, "projects", reverse("community:project_list"), add)
    assert html.count("Trail restoration") == 50


def test_the_recommending_supervisor_is_refused_on_the_page_and_another_approves(client, caseworker, supervisor):
    from community.models import SponsorProject
    from community.tests.test_services import _project
    from tests.factories import UserFactory

    project = _project(supervisor)
    url = reverse("community:project_decide", args=[project.pk])
    client.force_login(supervisor)
    client.post(url, {"decision": "recommend", "text": "Good sponsor."})
    response = client.post(url, {"decision": "approve", "text": ""}, follow=True)
    assert "Nobody approves their own recommendation" in response.content.decode()
    project.refresh_from_db()
    assert project.status == SponsorProject.Status.RECOMMENDED

    client.force_login(caseworker)
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "Only a supervisor or manager decides" in response.content.decode()

    manager = UserFactory(username="manager", office=supervisor.office, roles=["supervisor"])
    client.force_login(manager)
    response = client.post(url, {"decision": "approve", "text": "Fits."}, follow=True)
    assert "Trail restoration is approved." in response.content.decode()


def test_scheduling_an_unscreened_volunteer_on_its_page_says_what_is_missing(client, caseworker):
    volunteer = services.volunteer_recruit(acting_user=caseworker, name="Ada", recruited_on=date(2026, 3, 1))
    client.force_login(caseworker)
    data = {"assignment": "Food bank", "starts_at": "2026-03-20T13:00", "ends_at": "2026-03-20T17:00"}
    response = client.post(reverse("community:volunteer_shift", args=[volunteer.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be scheduled until screening is complete" in html and 'value="Food bank"' in html
    assert not volunteer.shifts.exists()


def test_a_brochure_is_added_and_downloaded_by_language(client, caseworker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents import pdf_bytes

    client.force_login(caseworker)
    upload = SimpleUploadedFile("benefits.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("community:brochure_create"), {"title": "Your benefits", "language": "es", "upload": upload}
    )
    assert response.status_code == 302
    html = client.get(reverse("community:brochure_list")).content.decode()
    assert '<h2 class="h5">es</h2>' in html and "Your benefits" in html
    from community.models import Brochure

    response = client.get(reverse("community:brochure_download", args=[Brochure.objects.get().pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    script = SimpleUploadedFile("x.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
    response = client.post(reverse("community:brochure_create"), {"title": "X", "language": "en", "upload": script})
    assert response.status_code == 400 and Brochure.objects.count() == 1
