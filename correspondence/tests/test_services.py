"""Sending to clients: the channel and address that are safe, their language, delivery and retries."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from core.models import OutboxJob
from correspondence import letters, services
from correspondence import templates_registry as registry
from correspondence.models import Correspondence, LetterTemplate
from correspondence.tasks import correspondence_deliver as correspondence_deliver_task
from correspondence.tasks import correspondence_retry_due
from correspondence.tests.helpers import prefer
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db
S = Correspondence.Status
NOON = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
DOCS = {"documents": "Pay stubs for February", "due_date": date(2026, 3, 12)}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def file_email(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    return tmp_path / "email"


def test_spanish_email_notice_is_recorded_in_spanish_and_delivered_by_the_worker_process(
    caseworker, north, file_email, django_capture_on_commit_callbacks
):
    client = ClientFactory(office=north, first_name="Lucía", last_name="Ramos", email="lucia@example.org")
    case = case_for(client, caseworker)
    prefer(client, caseworker, language="es", email_agreed=True, preferred_channel="email")

    with django_capture_on_commit_callbacks(execute=True):
        item = services.correspondence_send(
            client=client, template=letters.DOCUMENTS_REQUESTED, context=DOCS, case=case, sent_by=caseworker
        )

    item.refresh_from_db()
    assert item.channel == "email" and item.language == "es" and item.address == "lucia@example.org"
    assert item.subject == "Necesitamos documentos suyos antes del 12 de marzo de 2026"
    assert "Estimada/o Lucía Ramos" in item.body
    # Sent by the Celery task the outbox relayed after the commit (run in-process here).
    assert OutboxJob.objects.get(task="correspondence.tasks.correspondence_deliver", args=[item.pk]).sent_at
    assert item.status == S.DELIVERED and item.delivered_at == NOON and item.attempts == 1
    sent = "".join(p.read_text() for p in Path(file_email).iterdir())
    assert "lucia@example.org" in sent and "Content-Language: es" in sent
    assert [c.to_status for c in item.status_changes.order_by("id")] == [S.QUEUED, S.DELIVERED]
    assert AuditEvent.objects.filter(object_type="correspondence.correspondence", object_id=str(item.pk)).exists()


def test_restricted_client_not_safe_by_mail_gets_nothing_by_mail_and_the_worker_is_told_why(caseworker, north):
    client = ClientFactory(office=north, restricted=True, email="")
    case_for(client, caseworker, restricted=True)
    with pytest.raises(ValidationError) as refused:
        services.contact_preference_update(client=client, acting_user=caseworker, mail_safe=False)
    assert "preferred channel must be one the client agreed to and that is safe" in str(refused.value)
    prefer(client, caseworker, preferred_channel="text", text_agreed=True, mail_safe=False)

    with pytest.raises(ValidationError) as refused:
        services.correspondence_send(
            client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker, channel="mail"
        )
    assert refused.value.messages == ["Mail is marked not safe for this client."]
    assert not Correspondence.objects.filter(client=client).exists()


def test_restricted_client_home_address_never_used_without_a_safe_address(caseworker, north):
    client = ClientFactory(office=north, restricted=True, address_line1="12 Hidden Lane", email="")
    case_for(client, caseworker, restricted=True)

    with pytest.raises(ValidationError) as refused:
        services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    assert "home address may not appear on anything that leaves the agency" in refused.value.messages[0]

    prefer(client, caseworker, alt_name="c/o Legal Aid", alt_line1="PO Box 77", alt_city="Riverton")
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    assert item.channel == "mail" and "PO Box 77" in item.address and "Hidden" not in item.address


def test_failed_email_is_retried_with_a_growing_pause_then_shown_as_failed(
    caseworker, north, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "correspondence.tests.test_services.BrokenEmailBackend"
    settings.CORRESPONDENCE_MAX_ATTEMPTS = 3
    client = ClientFactory(office=north, email="ana@example.org")
    case_for(client, caseworker)
    prefer(client, caseworker, email_agreed=True, preferred_channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at) == (S.QUEUED, 1, NOON + timedelta(minutes=1))
    assert "Connection refused" in item.error

    assert correspondence_retry_due() == 0  # its pause is not over
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert correspondence_retry_due() == 1
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at) == (S.QUEUED, 2, NOON + timedelta(minutes=5))
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False), django_capture_on_commit_callbacks(execute=True):
        correspondence_retry_due()
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at) == (S.FAILED, 3, None)
    assert item.status_changes.first().error == item.error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.correspondence_retry(correspondence=item, acting_user=caseworker)
    item.refresh_from_db()
    assert item.status == S.DELIVERED


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


def test_text_message_goes_through_the_file_backend(caseworker, north, django_capture_on_commit_callbacks):
    client = ClientFactory(office=north, phone="555-201-3344")
    case_for(client, caseworker)
    prefer(client, caseworker, text_agreed=True, preferred_channel="text")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    item.refresh_from_db()
    assert item.status == S.DELIVERED
    assert "555-201-3344" in (Path(settings.CORRESPONDENCE_TEXT_FILE_PATH) / "texts.jsonl").read_text()


def test_where_details_may_not_be_left_only_a_discreet_message_goes(caseworker, north):
    client = ClientFactory(office=north, phone="555-201-3344")
    case_for(client, caseworker)
    prefer(client, caseworker, text_agreed=True, text_message_ok=False, preferred_channel="text")
    item = services.correspondence_send(
        client=client, template=letters.DOCUMENTS_REQUESTED, context=DOCS, sent_by=caseworker
    )
    assert item.template_code == letters.DISCREET
    assert "Pay stubs" not in item.body and settings.AGENCY_NAME not in item.body


def test_no_channel_agreed_and_safe_is_refused_with_each_reason(caseworker, north):
    client = ClientFactory(office=north, address_line1="", email="")
    case_for(client, caseworker)
    with pytest.raises(ValidationError) as refused:
        services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    message = refused.value.messages[0]
    assert "No mailing address is on file." in message and "not agreed to be contacted by email" in message


def test_a_worker_who_cannot_see_the_client_cannot_write_to_them(caseworker, other_caseworker, north):
    client = ClientFactory(office=north)
    case_for(client, caseworker)
    with pytest.raises(Exception, match="may not write"):
        services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=other_caseworker)


def test_admin_wording_replaces_the_built_in_one_and_reaches_only_named_fields(caseworker, north):
    client = ClientFactory(office=north, first_name="Ana", last_name="Diaz")
    case_for(client, caseworker)
    LetterTemplate.objects.create(
        code=letters.FREE_LETTER, language="en", version=2, subject="Hello {{ client_first_name }}", body="Hi."
    )
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    assert (item.subject, item.template_version) == ("Hello Ana", 2)
    with pytest.raises(ValidationError, match=r"not client\.address_line1"):
        registry.fields_check("{{ client.address_line1 }}", registry.get(letters.FREE_LETTER).allowed_fields)


def test_money_and_dates_are_written_the_way_of_the_letter_language():
    assert registry.format_value(Decimal("1450.5"), "en") == "$1,450.50"
    assert registry.format_value(Decimal("1450.5"), "es") == "1.450,50\u00a0$"
    assert registry.format_value(date(2026, 3, 12), "fr") == "12 mars 2026"
    assert registry.format_value(date(2026, 3, 12), "en") == "March 12, 2026"


def test_a_merge_moves_what_was_sent_and_the_preferences_to_the_surviving_record(caseworker, supervisor, north):
    from clients.services import client_merge

    survivor = ClientFactory(office=north)
    duplicate = ClientFactory(office=north, date_of_birth=survivor.date_of_birth)
    case_for(survivor, caseworker)
    case_for(duplicate, caseworker)
    prefer(duplicate, caseworker, language="fr")
    item = services.correspondence_send(client=duplicate, template=letters.FREE_LETTER, context={}, sent_by=caseworker)

    client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person, typo in name")

    item.refresh_from_db()
    survivor.refresh_from_db()
    assert item.client_id == survivor.pk
    assert services.language_of(survivor) == "fr"


def test_a_letter_queued_before_mail_became_unsafe_is_not_printed(caseworker, north):
    client = ClientFactory(office=north, address_line1="1 Elm St", email="")
    case_for(client, caseworker)
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    prefer(client, caseworker, preferred_channel="text", text_agreed=True, mail_safe=False)

    assert services.print_batch_make() == []
    item.refresh_from_db()
    assert (item.status, item.error) == (S.FAILED, "Mail is marked not safe for this client.")


def test_the_text_provider_adapter_posts_twilios_message_shape(settings, monkeypatch):
    import json

    from correspondence import backends

    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "AC1", "secret", "+15550001"
    sent = {}

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return json.dumps({"sid": "SM42", "status": "queued"}).encode()

    def fake_urlopen(request, timeout):
        sent.update(url=request.full_url, data=request.data.decode(), auth=request.get_header("Authorization"))
        return Answer()

    monkeypatch.setattr(backends.urllib.request, "urlopen", fake_urlopen)
    delivery = backends.TwilioTextBackend().send(to="+15557654321", body="Hola", reference="7")
    assert sent["url"] == "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert sent["data"] == "To=%2B15557654321&From=%2B15550001&Body=Hola"
    assert sent["auth"] == "Basic QUMxOnNlY3JldA=="
    assert (delivery.delivered, delivery.provider_id) == (False, "SM42")


def test_a_letter_may_bring_its_own_wording_per_language(caseworker, north, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register(
        "test_greeting",
        subject={"en": "Hello", "fr": "Bonjour {{ client_first_name }}"},
        body={"en": "Hi", "fr": "Salut"},
    )
    client = ClientFactory(office=north, first_name="Zoé", language="French")
    case_for(client, caseworker)
    item = services.correspondence_send(client=client, template="test_greeting", context={}, sent_by=caseworker)
    assert (item.language, item.subject, item.body) == ("fr", "Bonjour Zoé", "Salut")


def test_each_delivery_move_has_its_history_row_and_audit_event(caseworker, north, file_email):
    client = ClientFactory(office=north, email="ana@example.org")
    case_for(client, caseworker)
    prefer(client, caseworker, email_agreed=True, preferred_channel="email")
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    services.correspondence_deliver(correspondence_id=item.pk)

    first, moved = item.status_changes.order_by("id")
    assert (first.from_status, first.to_status, first.changed_by, first.job) == ("", S.QUEUED, caseworker, "")
    assert (moved.from_status, moved.to_status, moved.changed_by, moved.job) == (S.QUEUED, S.DELIVERED, None, "deliver")
    move = AuditEvent.objects.get(object_id=str(item.pk), object_type="correspondence.correspondence", action="update")
    assert (move.changes["status"], move.reason) == ([S.QUEUED, S.DELIVERED], "deliver")


class WatchedEmailBackend:
    """Notes, for each message it takes, whether a database transaction was open around it."""

    in_transaction: list[bool] = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        from django.db import connection

        WatchedEmailBackend.in_transaction.append(connection.in_atomic_block)
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_an_email_is_sent_outside_any_transaction_and_its_result_recorded_after(
    caseworker, north, settings, monkeypatch
):
    from core import jobs

    settings.EMAIL_BACKEND = "correspondence.tests.test_services.WatchedEmailBackend"
    # The broker takes the job; the worker process runs it on its own, as below.
    monkeypatch.setattr(jobs, "_publish", lambda job, retry: None)
    WatchedEmailBackend.in_transaction = []
    client = ClientFactory(office=north, email="ana@example.org")
    case_for(client, caseworker)
    prefer(client, caseworker, email_agreed=True, preferred_channel="email")
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)

    correspondence_deliver_task(item.pk)

    assert WatchedEmailBackend.in_transaction == [False]
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at) == (S.DELIVERED, 1, None)


def test_a_message_another_worker_is_sending_is_not_sent_twice(caseworker, north, settings, monkeypatch):
    from correspondence import backends

    client = ClientFactory(office=north, email="ana@example.org")
    case_for(client, caseworker)
    prefer(client, caseworker, email_agreed=True, preferred_channel="email")
    item = services.correspondence_send(client=client, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    sent = []

    def deliver_while_another_worker_runs(message):
        sent.append(message.pk)
        services.correspondence_deliver(correspondence_id=message.pk)  # the same job, run again meanwhile
        return services.Delivery(delivered=True)

    monkeypatch.setattr(backends, "deliver", deliver_while_another_worker_runs)
    services.correspondence_deliver(correspondence_id=item.pk)

    assert sent == [item.pk]
    item.refresh_from_db()
    assert (item.status, item.attempts) == (S.DELIVERED, 1)
