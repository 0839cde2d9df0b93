"""The appeal pages: who sees which appeal, the list by deadline, the case's panel, and what each costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import appeal_request
from appeals.tests.helpers import at
from audit.models import AuditEvent
from eligibility.models import AdverseAction, Enrollment, Program
from eligibility.services.adverse import adverse_action_notify
from tests.factories import ClientFactory, UserFactory, case_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 1, 20)
#: The page's own 3 (the appeals, the read event, its clients) and the 9 every signed-in page pays
#: (session read and write, the user, their roles and office, the menu's permissions).
QUERIES = 12


def appeal_on(worker, *, requested_on: date = TODAY, case=None) -> Appeal:
    """An active SNAP enrollment cut from 200 to 100, and the client's appeal of it."""
    if case is None:
        case = case_for(ClientFactory(office=worker.office), worker)
    enrollment = Enrollment.objects.filter(case=case).first() or Enrollment.objects.create(
        case=case, program=Program.objects.get(code="snap"), status=Enrollment.Status.ACTIVE,
        application_date=date(2025, 8, 1), monthly_amount=Decimal("100.00"), created_by=worker,
    )  # fmt: skip
    action = adverse_action_notify(
        acting_user=worker, enrollment=enrollment, kind=AdverseAction.Kind.REDUCTION,
        amount_before=Decimal("200.00"), amount_after=Decimal("100.00"), noticed_on=date(2026, 1, 10),
    )  # fmt: skip
    return appeal_request(
        acting_user=worker, case=case, adverse_action=action, received_via=Appeal.Received.WRITING,
        requested_on=requested_on,
    )  # fmt: skip


@pytest.fixture
def appeal(caseworker):
    with at(TODAY):
        return appeal_on(caseworker)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 200), ("supervisor", 200), ("other_caseworker", 404), ("auditor", 404), ("admin", 404)],
)
def test_the_appeal_file_is_seen_only_through_the_case(client, personas, appeal, persona, status):
    client.force_login(personas[persona])
    with at(TODAY):
        response = client.get(reverse("appeals:detail", args=[appeal.pk]))
    assert response.status_code == status
    if status == 200:
        assert AuditEvent.objects.filter(
            actor=personas[persona], action="view", object_id=str(appeal.pk), changes__page="appeal file"
        ).exists()


def test_a_hearing_officer_sees_only_the_appeals_assigned_to_them(client, appeal, north):
    officer = UserFactory(username="officer", office=north, roles=["hearing_officer"])
    client.force_login(officer)
    with at(TODAY):
        assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
        Appeal.objects.filter(pk=appeal.pk).update(hearing_officer=officer)
        page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
        assert "Appeal" in page and appeal.client.full_name in page
        assert client.get(reverse("clients:detail", args=[appeal.client_id])).status_code == 404


def test_a_late_request_shows_its_refusal_on_the_page(client, caseworker, appeal):
    with at(date(2026, 4, 20)):
        late = appeal_on(caseworker, requested_on=date(2026, 4, 20), case=appeal.case)
        client.force_login(caseworker)
        page = client.get(reverse("appeals:detail", args=[late.pk])).content.decode()
    assert "after the last day to ask, 2026-04-10" in page


def test_the_supervisor_lists_appeals_soonest_decision_first_at_the_same_cost_for_few_and_many(
    client, supervisor, caseworker, django_assert_max_num_queries
):
    with at(TODAY):
        for day in (18, 12):
            appeal_on(caseworker, requested_on=date(2026, 1, day))
    client.force_login(supervisor)
    path = reverse("appeals:list")
    with at(TODAY):
        client.get(path)  # warms the caches every page shares
    with at(TODAY), django_assert_max_num_queries(QUERIES) as few:
        page = client.get(path).content.decode()
    assert page.index("2026-03-13") < page.index("2026-03-19")  # 60 days from each request
    with at(TODAY):
        for day in range(1, 13):
            appeal_on(caseworker, requested_on=date(2026, 1, day))
    with at(TODAY), django_assert_max_num_queries(QUERIES) as many:
        page = client.get(path).content.decode()
    assert page.count("/appeals/") >= 14
    assert len(few) == len(many)


def test_the_case_page_panel_shows_open_appeals_at_the_same_cost_for_few_and_many(
    client, caseworker, appeal, django_assert_max_num_queries
):
    client.force_login(caseworker)
    path = reverse("appeals:case_open", args=[appeal.case_id])
    with at(TODAY):
        client.get(path)  # warms the caches every page shares
    with at(TODAY), django_assert_max_num_queries(QUERIES) as few:
        assert f"Appeal {appeal.pk}" in client.get(path).content.decode()
    with at(TODAY):
        for _ in range(6):
            appeal_on(caseworker, case=appeal.case)
    with at(TODAY), django_assert_max_num_queries(QUERIES) as many:
        page = client.get(path).content.decode()
    assert page.count("Appeal ") == 7
    assert len(few) == len(many)
    other = reverse("appeals:client_open", args=[appeal.client_id])
    with at(TODAY):
        assert "decision due 2026-03-21" in client.get(other).content.decode()


def test_the_open_appeals_panel_says_benefits_continue_in_one_sentence_in_the_worker_s_language(
    client, caseworker, appeal
):
    assert appeal.continued_benefits
    caseworker.language = "es"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)
    with at(TODAY):
        page = client.get(reverse("appeals:case_open", args=[appeal.case_id])).content.decode()
    assert "decisión a más tardar el 2026-03-21; las prestaciones continúan</li>" in page
    assert "benefits continue" not in page


def test_the_case_page_loads_the_open_appeals_panel(client, caseworker, appeal):
    client.force_login(caseworker)
    page = client.get(reverse("casework:case_detail", args=[appeal.case_id])).content.decode()
    assert reverse("appeals:case_open", args=[appeal.case_id]) in page


def test_a_decision_sent_back_with_errors_keeps_what_was_typed(client, appeal, north):
    officer = UserFactory(username="officer", office=north, roles=["hearing_officer"])
    Appeal.objects.filter(pk=appeal.pk).update(hearing_officer=officer, status=Appeal.Status.HEARING)
    client.force_login(officer)
    with at(TODAY):
        response = client.post(
            reverse("appeals:decide", args=[appeal.pk]),
            {"decision": "withdrawn", "reasons": "The client phoned to say so."},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice." in page
    assert "The client phoned to say so." in page  # nothing typed is lost
    appeal.refresh_from_db()
    assert appeal.decision == ""


def test_someone_other_than_the_hearing_officer_is_told_they_may_not_decide(client, caseworker, appeal):
    client.force_login(caseworker)
    with at(TODAY):
        response = client.post(
            reverse("appeals:decide", args=[appeal.pk]),
            {"decision": Appeal.Decision.SUSTAINED, "reasons": "The agency was right."},
            follow=True,
        )
    assert "Only the officer who heard the appeal decides it." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.decision == ""


def test_a_worker_on_the_case_records_the_conference_settlement_and_continued_benefits_end(client, caseworker, appeal):
    assert appeal.continued_benefits and AdverseAction.objects.get(pk=appeal.adverse_action_id).continuing
    client.force_login(caseworker)
    with at(TODAY):
        page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
        assert reverse("appeals:settle", args=[appeal.pk]) in page
        response = client.post(
            reverse("appeals:settle", args=[appeal.pk]),
            {"notes": "The agency counts the February pay slip only; the client agrees."},
            follow=True,
        )
    page = response.content.decode()
    assert "Settled at an agency conference" in page
    assert "The agency counts the February pay slip only; the client agrees." in page
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.SETTLED and appeal.decided_on == TODAY
    assert appeal.adverse_action.continued_until == TODAY  # the prior amount is no longer paid
    assert AuditEvent.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk), actor=caseworker).exists()
    assert reverse("appeals:settle", args=[appeal.pk]) not in page  # a settled appeal is closed


def test_the_clients_withdrawal_is_recorded_with_its_reason(client, supervisor, appeal):
    client.force_login(supervisor)
    with at(TODAY):
        response = client.post(
            reverse("appeals:withdraw", args=[appeal.pk]),
            {"reason": "The client phoned on 20 January to withdraw: the new job pays more."},
            follow=True,
        )
    page = response.content.decode()
    assert "Withdrawn" in page
    assert "The client phoned on 20 January to withdraw: the new job pays more." in page  # in the history
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.WITHDRAWN
    assert appeal.status_changes.latest("id").reason.startswith("The client phoned on 20 January")
    assert appeal.adverse_action.continued_until == TODAY


def test_a_withdrawal_without_its_reason_is_sent_back_and_the_appeal_stays_open(client, caseworker, appeal):
    client.force_login(caseworker)
    with at(TODAY):
        response = client.post(reverse("appeals:withdraw", args=[appeal.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN


def test_the_hearing_officer_is_told_they_may_not_settle_or_withdraw_an_appeal(client, appeal, north):
    officer = UserFactory(username="officer", office=north, roles=["hearing_officer"])
    Appeal.objects.filter(pk=appeal.pk).update(hearing_officer=officer, status=Appeal.Status.HEARING)
    client.force_login(officer)
    with at(TODAY):
        page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
        settled = client.post(reverse("appeals:settle", args=[appeal.pk]), {"notes": "Agreed."}, follow=True)
        withdrawn = client.post(reverse("appeals:withdraw", args=[appeal.pk]), {"reason": "Phoned."}, follow=True)
    assert reverse("appeals:settle", args=[appeal.pk]) not in page
    assert reverse("appeals:withdraw", args=[appeal.pk]) not in page
    for response in (settled, withdrawn):
        assert "You may not record an appeal on this case." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.HEARING and appeal.conference_notes == ""


def test_a_caseworker_of_another_office_cannot_settle(client, other_caseworker, appeal):
    client.force_login(other_caseworker)
    with at(TODAY):
        response = client.post(reverse("appeals:settle", args=[appeal.pk]), {"notes": "Agreed."})
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN
