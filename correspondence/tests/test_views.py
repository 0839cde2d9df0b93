"""The Correspondence pages: who sees what, what the worker is told, and what a page costs."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from correspondence import backends, letters, services
from correspondence.models import Correspondence, LetterTemplate
from correspondence.printing import letters_html
from correspondence.tests.helpers import prefer
from tests.factories import ClientFactory, UserFactory, case_for
from tests.page_queries import LARGE, assert_page_queries

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def restricted(caseworker, north):
    client = ClientFactory(office=north, first_name="Dana", last_name="Hidden", restricted=True, email="")
    case = case_for(client, caseworker, restricted=True)
    return client, case


def send_letters(client, case, worker, n):
    for _ in range(n):
        services.correspondence_send(
            client=client, template=letters.FREE_LETTER, context={}, case=case, sent_by=worker, channel="mail"
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 200), ("supervisor", 200), ("peer", 404), ("other_caseworker", 404), ("auditor", 404)],
)
def test_a_restricted_clients_correspondence_is_seen_only_by_their_worker_and_supervisor(
    client, personas, peer, restricted, persona, status
):
    people = {**personas, "peer": peer}
    target, _case = restricted
    client.force_login(people[persona])
    response = client.get(reverse("correspondence:client", args=[target.pk]))
    assert response.status_code == status
    if status == 200:
        assert AuditEvent.objects.filter(actor=people[persona], action="view", changes__page="correspondence").exists()


def test_the_worker_sees_why_a_restricted_client_cannot_be_written_to_by_mail(client, caseworker, restricted):
    target, case = restricted
    prefer(target, caseworker, preferred_channel="text", text_agreed=True, mail_safe=False)
    client.force_login(caseworker)
    html = client.get(reverse("correspondence:client", args=[target.pk])).content.decode()
    assert "Mail is marked not safe for this client." in html

    response = client.post(
        reverse("casework:case_letter_write", args=[case.pk]),
        {"template": letters.FREE_LETTER, "recipient": target.pk, "channel": "mail", "subject": "Hello", "body": "Hi",
         "send": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Mail is marked not safe for this client." in response.content.decode()
    assert not Correspondence.objects.filter(client=target).exists()


def test_a_worker_writes_previews_and_sends_a_letter_on_a_case(client, caseworker, north):
    target = ClientFactory(office=north, first_name="Ana", last_name="Diaz", address_line1="1 Elm St")
    case = case_for(target, caseworker)
    client.force_login(caseworker)
    path = reverse("casework:case_letter_write", args=[case.pk])
    start = client.post(path, {"template": letters.DOCUMENTS_REQUESTED, "recipient": target.pk, "start": "1"})
    assert "[documents]" in start.content.decode() and "Ana Diaz" in start.content.decode()
    data = {"template": letters.DOCUMENTS_REQUESTED, "recipient": target.pk, "subject": "Documents",
            "body": "Dear Ana, please bring your lease."}  # fmt: skip
    preview = client.post(path, {**data, "preview": "1"}).content.decode()
    assert "1 Elm St" in preview and not Correspondence.objects.exists()

    response = client.post(path, {**data, "send": "1"})
    assert response.status_code == 302
    item = Correspondence.objects.get()
    assert (item.body, item.channel, item.case, item.sent_by) == (data["body"], "mail", case, caseworker)
    assert "Documents" in client.get(reverse("casework:case_correspondence", args=[case.pk])).content.decode()


def test_a_failure_is_shown_to_the_worker_and_can_be_sent_again(
    client, caseworker, north, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "correspondence.tests.test_services.BrokenEmailBackend"
    settings.CORRESPONDENCE_MAX_ATTEMPTS = 1
    target = ClientFactory(office=north, email="ana@example.org")
    case_for(target, caseworker)
    prefer(target, caseworker, email_agreed=True, preferred_channel="email")
    item = services.correspondence_send(client=target, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    services.correspondence_deliver(correspondence_id=item.pk)
    client.force_login(caseworker)
    html = client.get(reverse("correspondence:client", args=[target.pk])).content.decode()
    assert "Failed" in html and "Connection refused" in html

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("correspondence:retry", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Correspondence.Status.DELIVERED


def test_the_client_and_case_tabs_cost_the_same_for_few_and_many_letters(client, caseworker, north, warm_cache):
    target = ClientFactory(office=north)
    case = case_for(target, caseworker)
    client.force_login(caseworker)
    html = assert_page_queries(
        client, "client correspondence", reverse("correspondence:client", args=[target.pk]),
        lambda n: send_letters(target, case, caseworker, n),
    )  # fmt: skip
    assert html.count("correspondence/") >= LARGE
    html = assert_page_queries(
        client, "case correspondence", reverse("casework:case_correspondence", args=[case.pk]),
        lambda n: send_letters(target, case, caseworker, n),
    )  # fmt: skip
    assert html.count("correspondence/") >= 2 * LARGE


def test_the_print_batch_holds_each_letter_after_its_address_page_and_is_marked_printed(
    client, caseworker, supervisor, north, restricted
):
    target = ClientFactory(office=north, address_line1="1 Elm St")
    send_letters(target, case_for(target, caseworker), caseworker, 2)
    hidden, hidden_case = restricted
    prefer(hidden, caseworker, alt_line1="PO Box 77", alt_city="Riverton")
    send_letters(hidden, hidden_case, caseworker, 1)

    [batch] = services.print_batch_make()
    html = letters_html(list(batch.items.order_by("id")))
    assert batch.letters == 3 and html.count('class="address-page"') == 3
    assert "PO Box 77" in html and hidden.address_line1 not in html
    assert batch.pdf.read(4) == b"%PDF"
    assert services.print_batch_make() == []  # nothing left waiting

    client.force_login(caseworker)
    assert client.get(reverse("correspondence:print_batches")).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse("correspondence:print_batches")).status_code == 200
    assert client.post(reverse("correspondence:print_batch_printed", args=[batch.pk])).status_code == 302
    assert set(batch.items.values_list("status", flat=True)) == {Correspondence.Status.PRINTED}


def test_an_admin_edit_of_a_letter_is_a_new_audited_version_and_reaches_only_named_fields(client, admin_user):
    client.force_login(admin_user)
    path = reverse("admin:correspondence_lettertemplate_add")
    data = {"code": letters.FREE_LETTER, "language": "es", "subject": "Carta de {{ agency_name }}", "body": "Hola."}
    assert client.post(path, data).status_code == 302
    assert client.post(path, {**data, "body": "Hola de nuevo."}).status_code == 302
    refused = client.post(path, {**data, "body": "{{ client.identifier_encrypted }}"})
    assert refused.status_code == 200 and "not client.identifier_encrypted" in refused.content.decode()
    kept = LetterTemplate.objects.filter(code=letters.FREE_LETTER, language="es")
    versions = list(kept.values_list("version", "body"))
    assert sorted(versions) == [(1, "Hola."), (2, "Hola de nuevo.")]
    assert AuditEvent.objects.filter(object_type="correspondence.lettertemplate", actor=admin_user).count() == 2
    assert services.wording(letters.FREE_LETTER, "es").body == "Hola de nuevo."


@pytest.fixture
def south_supervisor(other_caseworker):
    return other_caseworker.team.supervisor


def test_each_office_gets_its_own_batch_with_only_its_letters(caseworker, other_caseworker, north, south):
    north_client = ClientFactory(office=north, address_line1="1 Elm St", last_name="Northey")
    send_letters(north_client, case_for(north_client, caseworker), caseworker, 2)
    south_client = ClientFactory(office=south, address_line1="9 Oak Av", last_name="Southey")
    send_letters(south_client, case_for(south_client, other_caseworker), other_caseworker, 1)

    batches = {batch.office: batch for batch in services.print_batch_make()}

    assert set(batches) == {north, south}
    assert set(batches[north].items.values_list("client", flat=True)) == {north_client.pk}
    assert set(batches[south].items.values_list("client", flat=True)) == {south_client.pk}
    assert (batches[north].letters, batches[south].letters) == (2, 1)
    assert "Southey" not in letters_html(list(batches[north].items.all()))


def test_a_supervisor_of_another_office_neither_sees_nor_downloads_nor_marks_a_batch(
    client, caseworker, supervisor, south_supervisor, north, restricted
):
    hidden, hidden_case = restricted
    prefer(hidden, caseworker, alt_line1="PO Box 77", alt_city="Riverton")
    send_letters(hidden, hidden_case, caseworker, 1)
    [batch] = services.print_batch_make()
    pdf = reverse("correspondence:print_batch_pdf", args=[batch.pk])

    client.force_login(south_supervisor)
    listing = client.get(reverse("correspondence:print_batches")).content.decode()
    assert pdf not in listing and "No batch yet." in listing
    assert client.get(pdf).status_code == 404
    assert client.post(reverse("correspondence:print_batch_printed", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.printed_at is None
    with pytest.raises(PermissionDenied):
        services.print_batch_mark_printed(batch=batch, acting_user=south_supervisor)
    assert not AuditEvent.objects.filter(actor=south_supervisor, object_type="correspondence.printbatch").exists()

    client.force_login(supervisor)
    assert pdf in client.get(reverse("correspondence:print_batches")).content.decode()
    response = client.get(pdf)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"%PDF"
    download = AuditEvent.objects.get(actor=supervisor, action="download", object_type="correspondence.printbatch")
    assert download.object_id == str(batch.pk)
    assert list(download.subjects.values_list("client_id", flat=True)) == [hidden.pk]


def test_the_print_batch_list_costs_the_same_for_few_and_many_batches(
    client, caseworker, supervisor, north, warm_cache
):
    target = ClientFactory(office=north, address_line1="1 Elm St")
    case = case_for(target, caseworker)
    client.force_login(supervisor)

    def add_batches(n):
        for _ in range(n):
            send_letters(target, case, caseworker, 1)
            services.print_batch_mark_printed(batch=services.print_batch_make()[0], acting_user=supervisor)

    html = assert_page_queries(client, "print batches", reverse("correspondence:print_batches"), add_batches)
    assert html.count("/pdf/") == LARGE


def test_twilios_published_example_signature_is_reproduced():
    params = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+12349013030"], "Digits": ["1234"],
              "From": ["+12349013030"], "To": ["+18005551212"]}  # fmt: skip
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert backends.twilio_signature(url=url, params=params, token="12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.fixture
def texted(caseworker, north, settings):
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_STATUS_CALLBACK_URL = "https://casework.example.org/correspondence/text-status/"
    target = ClientFactory(office=north, phone="+15557654321")
    case_for(target, caseworker)
    prefer(target, caseworker, text_agreed=True, preferred_channel="text")
    item = services.correspondence_send(client=target, template=letters.FREE_LETTER, context={}, sent_by=caseworker)
    Correspondence.objects.filter(pk=item.pk).update(status=Correspondence.Status.SENT, provider_id="SM42")
    return item


def report(client, settings, data, *, token="secret-token"):
    params = {name: [value] for name, value in data.items()}
    signature = backends.twilio_signature(url=settings.TWILIO_STATUS_CALLBACK_URL, params=params, token=token)
    return client.post(reverse("correspondence:text_status"), data, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_delivery_report_marks_the_text_delivered(client, texted, settings):
    response = report(client, settings, {"MessageSid": "SM42", "MessageStatus": "delivered", "AccountSid": "AC1"})

    assert response.status_code == 204
    texted.refresh_from_db()
    assert (texted.status, texted.delivered_at) == (Correspondence.Status.DELIVERED, NOON)
    assert texted.status_changes.order_by("-id").first().job == "provider"


def test_a_failure_report_shows_the_worker_the_text_failed(client, caseworker, texted, settings):
    data = {"MessageSid": "SM42", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert report(client, settings, data).status_code == 204

    texted.refresh_from_db()
    assert texted.status == Correspondence.Status.FAILED and "30003" in texted.error
    client.force_login(caseworker)
    assert "30003" in client.get(reverse("correspondence:client", args=[texted.client_id])).content.decode()


def test_a_report_with_a_bad_or_missing_signature_is_refused(client, texted, settings):
    data = {"MessageSid": "SM42", "MessageStatus": "delivered"}
    assert report(client, settings, data, token="not-our-token").status_code == 403
    assert client.post(reverse("correspondence:text_status"), data).status_code == 403
    # Signed for other values than those sent.
    tampered = client.post(
        reverse("correspondence:text_status"),
        {**data, "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE=backends.twilio_signature(
            url=settings.TWILIO_STATUS_CALLBACK_URL, params={"MessageSid": ["SM42"], "MessageStatus": ["queued"]},
            token="secret-token",
        ),
    )  # fmt: skip
    assert tampered.status_code == 403
    texted.refresh_from_db()
    assert texted.status == Correspondence.Status.SENT
