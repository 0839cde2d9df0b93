"""Messages to staff: written in the recipient's language, sent once per recipient and key, delivered
to the inbox by the worker process, and read by nobody but their recipient."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext

from audit.models import AuditEvent
from core.models import OutboxJob
from correspondence import services
from correspondence.models import StaffMessage
from correspondence.tasks import staff_message_deliver
from tests.factories import UserFactory
from tests.page_queries import assert_page_queries

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
DELIVER = "correspondence.tasks.staff_message_deliver"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


def wording() -> tuple[str, str]:
    # Strings the catalogues already hold, so each language gives its own words.
    return gettext("Messages"), gettext("No message yet.")


def test_a_message_is_written_in_each_recipients_language_and_delivered_once(
    supervisor, caseworker, django_capture_on_commit_callbacks
):
    supervisor.language = "fr"
    supervisor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.staff_message_send(
            recipients=[supervisor, caseworker], key="notice:1", wording=wording, link="/reports/", job="test"
        )
    assert [(m.recipient, m.language, m.subject, m.body) for m in sent] == [
        (supervisor, "fr", "Messages", "Aucun message pour l'instant."),
        (caseworker, "en", "Messages", "No message yet."),
    ]
    assert all(m.delivered_at == NOON for m in StaffMessage.objects.all())
    assert OutboxJob.objects.filter(task=DELIVER).count() == 2
    assert AuditEvent.objects.filter(object_type="correspondence.staffmessage", action="create").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = services.staff_message_send(recipients=[supervisor, caseworker], key="notice:1", wording=wording)
    assert again == []
    assert StaffMessage.objects.count() == 2 and OutboxJob.objects.filter(task=DELIVER).count() == 2


def test_delivering_twice_keeps_the_first_delivery(caseworker):
    (message,) = services.staff_message_send(recipients=[caseworker], key="notice:2", wording=wording)
    assert message.delivered_at is None  # queued: the worker process delivers it
    staff_message_deliver(message.pk)
    with time_machine.travel("2026-03-02 19:00Z", tick=False):
        staff_message_deliver(message.pk)
    message.refresh_from_db()
    assert message.delivered_at == NOON


def test_the_inbox_shows_a_person_their_delivered_messages_and_nobody_elses(client, caseworker, supervisor):
    mine, _queued = (
        services.staff_message_send(recipients=[caseworker], key=key, wording=wording, link="/reports/monthly/")[0]
        for key in ("a", "b")
    )
    theirs = services.staff_message_send(recipients=[supervisor], key="c", wording=lambda: ("For the team", "x"))[0]
    staff_message_deliver(mine.pk)
    staff_message_deliver(theirs.pk)

    client.force_login(caseworker)
    page = client.get(reverse("correspondence:inbox")).content.decode()
    assert page.count('<th scope="row" lang="en">') == 1
    assert '<a href="/reports/monthly/">Messages</a>' in page
    assert "For the team" not in page

    client.force_login(supervisor)
    assert "For the team" in client.get(reverse("correspondence:inbox")).content.decode()
    client.logout()
    assert client.get(reverse("correspondence:inbox")).status_code == 302  # to the sign-in page


@pytest.mark.usefixtures("warm_cache")
def test_the_inbox_costs_at_most_ten_queries_with_few_and_many_messages(client, caseworker):
    made = iter(range(10_000))

    def add_rows(n: int) -> None:
        keys = [f"notice:{next(made)}" for _ in range(n)]
        for key in keys:
            (message,) = services.staff_message_send(recipients=[caseworker], key=key, wording=wording)
            staff_message_deliver(message.pk)

    client.force_login(caseworker)
    page = assert_page_queries(client, "inbox", reverse("correspondence:inbox"), add_rows)
    assert page.count('<th scope="row" lang="en">') == 50


def test_a_recipient_named_twice_is_sent_the_message_once(db):
    person = UserFactory(username="someone")
    services.staff_message_send(recipients=[person, person], key="twice", wording=wording)
    assert StaffMessage.objects.filter(recipient=person).count() == 1
