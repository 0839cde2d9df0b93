"""The community pages: who may open them, what they show, and what they cost."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from assistance.tests.helpers import enrol, income_support
from audit.models import AuditEvent
from casework.models import Task
from community import services
from community.models import SponsorProject
from tests.factories import ClientFactory, case_for
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


def _active_project(worker, supervisor, *, planned: int = 4):
    from community.tests.test_services import _project

    project = _project(worker)
    SponsorProject.objects.filter(pk=project.pk).update(participants_planned=planned)
    services.project_recommend(acting_user=worker, project=project, recommendation="A good sponsor.")
    services.project_approve(acting_user=supervisor, project=project, reason="Fits the program.")
    project.refresh_from_db()
    return project


def _participant(worker, project):
    person = ClientFactory(office=worker.office)
    case = case_for(person, worker)
    enrol(case, income_support())
    return services.participant_add(
        acting_user=worker, project=project, case=case, client=person, joined_on=date(2026, 3, 10)
    )


def test_a_contact_with_a_participant_is_recorded_and_listed_and_the_read_is_audited(client, caseworker, supervisor):
    project = _active_project(caseworker, supervisor)
    participant = _participant(caseworker, project)
    client.force_login(caseworker)
    listing = reverse("community:participant_contact_list", args=[project.pk])

    response = client.post(
        reverse("community:participant_contact_add", args=[project.pk, participant.pk]),
        {"kind": "site_visit", "contacted_on": "2026-03-11", "summary": "Learning stonework; wants to stay on."},
    )
    assert response.status_code == 302 and response["Location"] == listing

    html = client.get(listing).content.decode()
    assert participant.client.display_name in html
    assert "Learning stonework; wants to stay on." in html and "On-site visit" in html
    read = AuditEvent.objects.filter(actor=caseworker, action=AuditEvent.Action.VIEW).latest("id")
    assert list(read.subjects.values_list("client_id", flat=True)) == [participant.client_id]
    assert AuditEvent.objects.filter(actor=caseworker, object_type="community.participantcontact").exists()


def test_participant_contacts_are_not_shown_to_another_office_nor_to_an_auditor(
    client, caseworker, supervisor, other_caseworker, auditor
):
    project = _active_project(caseworker, supervisor)
    participant = _participant(caseworker, project)
    services.participant_contact_record(
        acting_user=caseworker, participant=participant, kind="phone", contacted_on=date(2026, 3, 11), summary="Fine."
    )
    listing = reverse("community:participant_contact_list", args=[project.pk])
    add = reverse("community:participant_contact_add", args=[project.pk, participant.pk])
    client.force_login(other_caseworker)
    assert client.get(listing).status_code == 404
    assert client.post(add, {"kind": "phone", "contacted_on": "2026-03-11", "summary": "x"}).status_code == 404
    client.force_login(auditor)
    assert client.get(listing).status_code == 403
    assert participant.contacts.count() == 1


@pytest.mark.usefixtures("warm_cache")
def test_the_participant_contacts_page_costs_the_same_with_few_and_many(client, caseworker, supervisor):
    project = _active_project(caseworker, supervisor, planned=60)
    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            participant = _participant(caseworker, project)
            services.participant_contact_record(
                acting_user=caseworker, participant=participant, kind="phone", contacted_on=date(2026, 3, 11),
                summary="Still on the project.",
            )  # fmt: skip

    html = assert_page_queries(
        client, "participant contacts", reverse("community:participant_contact_list", args=[project.pk]), add
    )
    assert html.count("Still on the project.") == 50


def _screened(worker):
    volunteer = services.volunteer_recruit(acting_user=worker, name="Ada Byrne", recruited_on=date(2026, 3, 1))
    services.volunteer_screening_record(
        acting_user=worker, volunteer=volunteer, background_check="cleared", checked_on=date(2026, 3, 5),
        training_completed_on=date(2026, 3, 6),
    )  # fmt: skip
    for name in ("Ruth", "Sam"):
        services.volunteer_reference_record(
            acting_user=worker, volunteer=volunteer, name=name, outcome="good", checked_on=date(2026, 3, 6)
        )
    return volunteer


def _shift(worker, volunteer, day: int = 10):
    return services.volunteer_shift_assign(
        acting_user=worker, volunteer=volunteer, assignment="Food bank intake",
        starts_at=datetime(2026, 3, day, 13, tzinfo=UTC), ends_at=datetime(2026, 3, day, 17, tzinfo=UTC),
    )  # fmt: skip


def test_the_hours_a_volunteer_served_are_recorded_on_their_page_and_added_up(client, caseworker):
    volunteer = _screened(caseworker)
    first, second = _shift(caseworker, volunteer, 9), _shift(caseworker, volunteer, 10)
    client.force_login(caseworker)
    for shift, hours in ((first, "4"), (second, "3.5")):
        response = client.post(
            reverse("community:volunteer_hours", args=[volunteer.pk, shift.pk]), {"hours_served": hours}
        )
        assert response.status_code == 302

    html = client.get(reverse("community:volunteer_detail", args=[volunteer.pk])).content.decode()
    assert "Hours served in all: 7.50" in html
    assert AuditEvent.objects.filter(actor=caseworker, object_type="community.volunteershift").count() >= 4


def test_hours_for_a_shift_not_yet_started_are_refused_on_the_page(client, caseworker):
    volunteer = _screened(caseworker)
    later = _shift(caseworker, volunteer, 20)
    client.force_login(caseworker)
    response = client.post(reverse("community:volunteer_hours", args=[volunteer.pk, later.pk]), {"hours_served": "4"})
    assert response.status_code == 400 and "The shift has not started yet." in response.content.decode()
    later.refresh_from_db()
    assert later.hours_served is None


def test_a_volunteer_of_another_office_is_not_found(client, caseworker, other_caseworker):
    volunteer = _screened(caseworker)
    shift = _shift(caseworker, volunteer)
    client.force_login(other_caseworker)
    assert client.get(reverse("community:volunteer_detail", args=[volunteer.pk])).status_code == 404
    refused = client.post(reverse("community:volunteer_hours", args=[volunteer.pk, shift.pk]), {"hours_served": "4"})
    assert refused.status_code == 404


@pytest.mark.usefixtures("warm_cache")
def test_the_volunteer_hours_page_costs_the_same_with_few_and_many_shifts(client, caseworker):
    volunteer = _screened(caseworker)
    client.force_login(caseworker)

    def add(n):
        for _ in range(n):
            services.volunteer_hours_record(acting_user=caseworker, shift=_shift(caseworker, volunteer), hours_served=2)

    html = assert_page_queries(
        client, "volunteer hours", reverse("community:volunteer_detail", args=[volunteer.pk]), add
    )
    assert html.count("Food bank intake") == 50 and "Hours served in all: 100" in html


def test_a_monitoring_follow_up_is_a_task_on_the_visiting_workers_list_linked_to_the_project(
    client, caseworker, supervisor, other_caseworker
):
    project = _active_project(caseworker, supervisor)
    client.force_login(caseworker)
    response = client.post(
        reverse("community:visit_record", args=[project.pk]),
        {
            "visited_on": "2026-03-11",
            "findings": "Two participants absent; tools missing.",
            "follow_up": "Check the sponsor bought the tools.",
            "follow_up_due": "2026-03-14",
        },
    )
    assert response.status_code == 302

    task = Task.objects.get(title__startswith="Monitoring follow-up")
    project_page = client.get(reverse("community:project_detail", args=[project.pk])).content.decode()
    assert "Check the sponsor bought the tools." in project_page and "(done)" not in project_page
    assert (task.assignee, task.due_on, task.case, task.about) == (caseworker, date(2026, 3, 14), None, project)
    mine = client.get(reverse("casework:task_list")).content.decode()
    assert "Monitoring follow-up: Trail restoration" in mine and "2026-03-14" in mine
    assert reverse("community:project_detail", args=[project.pk]) in mine
    home = client.get(reverse("home")).content.decode()  # due this week: on the home page too
    assert "Monitoring follow-up" in home and reverse("community:project_detail", args=[project.pk]) in home

    done = client.post(reverse("casework:task_complete", args=[task.pk]), {"next": reverse("casework:task_list")})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    project_page = client.get(reverse("community:project_detail", args=[project.pk])).content.decode()
    assert "Check the sponsor bought the tools. (done)" in project_page  # done on the list, done on the project
    assert (
        reverse("community:project_detail", args=[project.pk])
        not in client.get(reverse("casework:task_list")).content.decode()
    )

    client.force_login(other_caseworker)
    assert client.post(reverse("casework:task_complete", args=[task.pk])).status_code == 404


def test_a_visit_without_a_follow_up_makes_no_task(client, caseworker, supervisor):
    project = _active_project(caseworker, supervisor)
    services.monitoring_visit_record(
        acting_user=caseworker, project=project, visited_on=date(2026, 3, 11), findings="All as agreed."
    )
    assert not Task.objects.exists()


def test_a_follow_up_marked_done_from_the_visit_closes_its_task(caseworker, supervisor):
    project = _active_project(caseworker, supervisor)
    visit = services.monitoring_visit_record(
        acting_user=caseworker, project=project, visited_on=date(2026, 3, 11), findings="Tools missing.",
        follow_up="Check the tools.", follow_up_due=date(2026, 3, 20),
    )  # fmt: skip
    services.monitoring_follow_up_done(acting_user=caseworker, visit=visit)
    visit.refresh_from_db()
    assert visit.follow_up_done and visit.follow_up_task.status == Task.Status.DONE


@pytest.mark.usefixtures("warm_cache")
def test_the_task_list_costs_the_same_with_few_and_many_follow_ups_and_case_tasks(client, caseworker, supervisor):
    from casework.services.tasks import task_create

    project = _active_project(caseworker, supervisor)
    case = case_for(ClientFactory(office=caseworker.office), caseworker)
    client.force_login(caseworker)

    def add(n):
        for i in range(n):
            services.monitoring_visit_record(
                acting_user=caseworker, project=project, visited_on=date(2026, 3, 11), findings="Seen.",
                follow_up=f"Follow-up number {i}", follow_up_due=date(2026, 3, 20),
            )  # fmt: skip
            task_create(case=case, kind="call_back", title="Call the client back", due_on=date(2026, 3, 20))

    html = assert_page_queries(client, "task list", reverse("casework:task_list"), add)
    # The first page of 50, in the order they were made: each follow-up links to its project, each call to its case.
    assert html.count(f'href="{reverse("community:project_detail", args=[project.pk])}"') == 25
    assert html.count(f'href="{reverse("casework:case_tasks", args=[case.pk])}"') == 25
