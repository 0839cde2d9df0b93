"""Inquiries and complaints: recording, responding, closing, bad input, the office's list, hidden
client links, the daily and monthly figures, who may open each page, and the queries they cost.

Personas (conftest.py): `caseworker` and `supervisor` (North, same team), `other_caseworker`
(South), `admin` and `auditor`. This module adds `peer`, a North caseworker of the same team
who is not the worker of the caseworker's restricted case.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import Inquiry
from casework.selectors import inquiries as selectors
from casework.services.inquiries import add_working_days, inquiry_close, inquiry_record, inquiry_respond
from casework.tests.counting import assert_constant
from casework.views import inquiries as inquiry_views
from tests.factories import ClientFactory, UserFactory, case_for

PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]
_serial = count(1)
# One frozen moment (10:00 in Chicago on Thursday 12 March 2026): due dates in working days and "in the future"
# are worked out from the same day on every run. Tests that need another day travel there themselves.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of a local day."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def today() -> date:
    return TODAY


# Data -------------------------------------------------------------------------------------


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def people(personas, peer) -> dict:
    return {**personas, "peer": peer}


@pytest.fixture
def case(north, caseworker):
    return case_for(ClientFactory(office=north, first_name="Ottoline", last_name="Northcott"), caseworker)


@pytest.fixture
def restricted_case(north, caseworker):
    return case_for(
        ClientFactory(office=north, first_name="Shelterra", last_name="Vantongeren"), caseworker, restricted=True
    )


def record(user, **fields) -> Inquiry:
    values = {
        "kind": Inquiry.Kind.INQUIRY,
        "channel": Inquiry.Channel.PHONE,
        "source": Inquiry.Source.CLIENT,
        "subject": Inquiry.Subject.PAYMENT,
        "description": "Asks when the rent supplement is paid.",
    }
    return inquiry_record(acting_user=user, **{**values, **fields})


def form_data(**fields) -> dict:
    values = {
        "kind": "complaint",
        "source": "elected_official",
        "requester_name": "Office of Rep. Alvarez",
        "requester_contact": "555-201-0000",
        "channel": "email",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "subject": "case_status",
        "description": "A constituent has waited six weeks for a decision.",
        "client": "",
        "case": "",
        "response_due_on": "",
    }
    return {**values, **fields}


# Recording --------------------------------------------------------------------------------


def test_ten_working_days_skip_weekends():
    assert add_working_days(date(2025, 1, 31), 10) == date(2025, 2, 14)  # Friday to Friday
    assert add_working_days(date(2025, 2, 1), 10) == date(2025, 2, 14)  # a Saturday counts from Monday
    assert add_working_days(date(2025, 2, 3), 1) == date(2025, 2, 4)


def test_recording_an_inquiry_with_the_defaults(north, case, caseworker):
    inquiry = record(caseworker, received_at=at(date(2025, 1, 31)), client_number=case.primary_client_id)

    inquiry.refresh_from_db()
    assert inquiry.office == north
    assert inquiry.response_due_on == date(2025, 2, 14)
    assert (inquiry.handled_by, inquiry.recorded_by, inquiry.status) == (caseworker, caseworker, "open")
    assert inquiry.client == case.primary_client and inquiry.case is None
    event = AuditEvent.objects.get(action="create", object_type="casework.inquiry")
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_recording_with_a_case_and_its_client_and_another_handler(case, caseworker, supervisor):
    inquiry = record(
        caseworker,
        case_number=case.number,
        client_number=case.primary_client_id,
        handled_by=supervisor,
        response_due_on=today() + timedelta(days=3),
    )

    assert (inquiry.case, inquiry.client, inquiry.handled_by) == (case, case.primary_client, supervisor)
    assert inquiry.response_due_on == today() + timedelta(days=3)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("due_before_received", "response_due_on"),
        ("client_of_another_office", "client"),
        ("client_that_does_not_exist", "client"),
        ("case_of_another_office", "case"),
        ("client_not_on_the_case", "client"),
        ("handler_of_another_office", "handled_by"),
        ("received_in_the_future", "received_at"),
        ("empty_description", "description"),
        ("unknown_channel", "channel"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(north, south, case, caseworker, other_caseworker, bad, field):
    south_client = ClientFactory(office=south)
    south_case = case_for(south_client, other_caseworker)
    received = at(date(2025, 3, 10))
    fields = {
        "due_before_received": {"received_at": received, "response_due_on": date(2025, 3, 9)},
        "client_of_another_office": {"client_number": south_client.pk},
        "client_that_does_not_exist": {"client_number": 987_654_321},
        "case_of_another_office": {"case_number": south_case.number},
        "client_not_on_the_case": {
            "case_number": case.number,
            "client_number": case_for(ClientFactory(office=north), caseworker).primary_client_id,
        },
        "handler_of_another_office": {"handled_by": other_caseworker},
        "received_in_the_future": {"received_at": NOW + timedelta(days=1)},
        "empty_description": {"description": "  "},
        "unknown_channel": {"channel": "pigeon"},
    }[bad]
    events_before = AuditEvent.objects.filter(object_type="casework.inquiry").count()

    with pytest.raises(ValidationError) as raised:
        record(caseworker, **fields)

    assert field in raised.value.message_dict
    assert not Inquiry.objects.exists()
    assert AuditEvent.objects.filter(object_type="casework.inquiry").count() == events_before


def test_a_client_of_another_office_is_refused_in_the_same_words_as_a_missing_one(south, caseworker, other_caseworker):
    south_client = ClientFactory(office=south)
    case_for(south_client, other_caseworker)

    with pytest.raises(ValidationError) as seen:
        record(caseworker, client_number=south_client.pk)
    with pytest.raises(ValidationError) as missing:
        record(caseworker, client_number=987_654_321)

    assert seen.value.message_dict["client"][0].replace(str(south_client.pk), "N") == missing.value.message_dict[
        "client"
    ][0].replace("987654321", "N")


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_only_workers_of_an_office_record_inquiries(personas, persona):
    with pytest.raises(PermissionDenied):
        record(personas[persona])


# Responding and closing ---------------------------------------------------------------------


def test_respond_then_close(caseworker, supervisor):
    inquiry = record(caseworker)

    responded = inquiry_respond(acting_user=supervisor, inquiry=inquiry, response="  Paid on the 3rd; letter sent. ")
    closed = inquiry_close(acting_user=caseworker, inquiry=responded)

    assert responded.response == "Paid on the 3rd; letter sent."
    assert responded.responded_at is not None
    assert closed.status == Inquiry.Status.CLOSED
    changes = list(
        AuditEvent.objects.filter(action="update", object_type="casework.inquiry")
        .order_by("pk")
        .values_list("changes", flat=True)
    )
    assert changes[0]["status"] == ["open", "responded"]
    assert changes[1] == {"status": ["responded", "closed"]}


@pytest.mark.parametrize("text", ["", "   "])
def test_responding_without_text_is_refused_and_the_inquiry_stays_open(caseworker, text):
    inquiry = record(caseworker)

    with pytest.raises(ValidationError) as raised:
        inquiry_respond(acting_user=caseworker, inquiry=inquiry, response=text)

    assert "response" in raised.value.message_dict
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.response, inquiry.responded_at) == ("open", "", None)


def test_moves_outside_open_responded_closed_are_refused(caseworker):
    inquiry = record(caseworker)
    with pytest.raises(ValidationError, match="cannot become closed"):
        inquiry_close(acting_user=caseworker, inquiry=inquiry)
    inquiry_respond(acting_user=caseworker, inquiry=inquiry, response="Answered.")
    with pytest.raises(ValidationError, match="cannot become responded"):
        inquiry_respond(acting_user=caseworker, inquiry=inquiry, response="Again.")
    inquiry_close(acting_user=caseworker, inquiry=inquiry)
    with pytest.raises(ValidationError, match="cannot become closed"):
        inquiry_close(acting_user=caseworker, inquiry=inquiry)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.response) == ("closed", "Answered.")


def test_a_worker_of_another_office_may_not_respond(caseworker, other_caseworker):
    inquiry = record(caseworker)

    with pytest.raises(PermissionDenied):
        inquiry_respond(acting_user=other_caseworker, inquiry=inquiry, response="Not mine to answer.")


# The pages ----------------------------------------------------------------------------------


def test_recording_through_the_page(client, case, caseworker, supervisor):
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:inquiry_add"),
        form_data(case=case.number, client=case.primary_client_id, handled_by=supervisor.pk),
    )

    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("casework:inquiry_detail", args=[inquiry.pk])
    assert (inquiry.kind, inquiry.source, inquiry.channel, inquiry.handled_by) == (
        "complaint",
        "elected_official",
        "email",
        supervisor,
    )
    assert inquiry.response_due_on == add_working_days(today(), 10)


def test_the_page_shows_errors_next_to_the_fields_and_saves_nothing(client, south, caseworker, other_caseworker):
    south_client = ClientFactory(office=south, last_name="Southwold-Okonkwo")  # no user or option shares it
    case_for(south_client, other_caseworker)
    client.force_login(caseworker)
    received = timezone.localtime() - timedelta(days=2)

    response = client.post(
        reverse("casework:inquiry_add"),
        form_data(
            client=south_client.pk,
            received_at=received.strftime("%Y-%m-%dT%H:%M"),
            response_due_on=(received.date() - timedelta(days=1)).isoformat(),
            handled_by=caseworker.pk,
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"client", "response_due_on"}
    html = response.content.decode()
    assert 'id="error_1_id_client"' in html and 'id="error_1_id_response_due_on"' in html
    assert south_client.last_name not in html
    assert not Inquiry.objects.exists()


def test_responding_through_the_page_and_without_text(client, caseworker):
    inquiry = record(caseworker)
    client.force_login(caseworker)
    url = reverse("casework:inquiry_respond", args=[inquiry.pk])

    empty = client.post(url, {"response": "  "})
    assert empty.status_code == 400
    assert empty.context["form"].errors["response"]
    assert Inquiry.objects.get().status == "open"

    done = client.post(url, {"response": "Explained the payment date by phone."})
    assert done.status_code == 302
    assert Inquiry.objects.get().status == "responded"
    closed = client.post(reverse("casework:inquiry_close", args=[inquiry.pk]), follow=True)
    assert "Inquiry closed." in closed.content.decode()
    assert Inquiry.objects.get().status == "closed"


def test_the_list_shows_the_offices_inquiries_and_filters_them(client, caseworker, supervisor, other_caseworker):
    old_open = record(caseworker, received_at=at(today() - timedelta(days=30)), description="Old open")
    due_later = record(supervisor, description="Due later")
    answered = record(caseworker, received_at=at(today() - timedelta(days=40)))
    inquiry_respond(acting_user=caseworker, inquiry=answered, response="Done.")
    south = record(other_caseworker, description="South's")
    client.force_login(caseworker)
    url = reverse("casework:inquiry_list")

    def shown(**params):
        return [i.pk for i in client.get(url, params).context["page"]]

    assert shown() == [due_later.pk, old_open.pk, answered.pk]
    assert shown(status="responded") == [answered.pk]
    assert shown(overdue="on") == [old_open.pk]
    assert shown(mine="on", status="open") == [old_open.pk]
    assert south.pk not in shown()
    assert ">Overdue</span>" in client.get(url).content.decode()


@pytest.fixture
def manager(north):
    """An office manager: a North supervisor who leads no team of these workers."""
    return UserFactory(username="north_manager", office=north, roles=["supervisor"])


@pytest.mark.parametrize(
    ("persona", "sees"), [("caseworker", True), ("supervisor", True), ("peer", False), ("manager", False)]
)
def test_an_inquiry_about_a_restricted_client_is_only_for_those_who_may_see_the_client(
    client, people, manager, restricted_case, persona, sees
):
    user = manager if persona == "manager" else people[persona]
    with time_machine.travel(at(date(2026, 11, 16)), tick=False):
        about = record(
            people["caseworker"],
            client_number=restricted_case.primary_client_id,
            case_number=restricted_case.number,
            requester_name="Bram Vantongeren",
            description="Asks where Shelterra is staying now.",
        )
        unlinked = record(people["caseworker"], description="Asks about office hours.")
        client.force_login(user)

        listing = client.get(reverse("casework:inquiry_list"))
        detail = client.get(reverse("casework:inquiry_detail", args=[about.pk]))
        respond = client.post(reverse("casework:inquiry_respond", args=[about.pk]), {"response": "Noted."})

    shown = [inquiry.pk for inquiry in listing.context["page"]]
    assert (about.pk in shown) is sees
    assert unlinked.pk in shown
    assert detail.status_code == (200 if sees else 404)
    for html in (listing.content.decode(), detail.content.decode()):
        assert ("Vantongeren" in html) is sees
        assert ("Shelterra" in html) is sees
        assert (restricted_case.number in html) is sees
    if not sees:
        assert respond.status_code == 404
        about.refresh_from_db()
        assert about.status == Inquiry.Status.OPEN
    views = AuditEvent.objects.filter(action="view", object_type="casework.inquiry", actor=user)
    assert views.exists() is sees  # a read of the client's file only when the page named them


def test_linking_a_restricted_client_by_number_is_refused_to_a_peer(peer, restricted_case):
    with pytest.raises(ValidationError) as raised:
        record(peer, client_number=restricted_case.primary_client_id)

    assert "client" in raised.value.message_dict
    assert not Inquiry.objects.exists()


# Figures ------------------------------------------------------------------------------------


@pytest.fixture
def known_set(caseworker, supervisor, other_caseworker):
    """Eight North inquiries over two months, one South inquiry, and one North inquiry outside the range."""
    phone, walk_in, mail, email = "phone", "walk_in", "mail", "email"
    north = [
        (at(date(2025, 1, 30), 9), phone, "payment"),
        (at(date(2025, 1, 30), 11), phone, "eligibility"),
        (at(date(2025, 1, 30), 15), walk_in, "payment"),
        # 23:30 local is already the next day in UTC: it counts on the 31st, in January.
        (at(date(2025, 1, 31), 23, 30), email, "payment"),
        (at(date(2025, 2, 1), 8), mail, "staff_conduct"),
        (at(date(2025, 2, 3), 10), phone, "payment"),
        (at(date(2025, 2, 3), 12), phone, "documents"),
        (at(date(2025, 2, 3), 16), email, "policy"),
    ]
    for i, (received_at, channel, subject) in enumerate(north):
        record(caseworker if i % 2 else supervisor, received_at=received_at, channel=channel, subject=subject)
    record(other_caseworker, received_at=at(date(2025, 1, 30)), channel=phone)
    record(caseworker, received_at=at(date(2025, 1, 28), 23, 59), channel=phone)  # the day before the range


def row(table, day: date) -> dict[str, int]:
    found = next(r for r in table.rows if r.period == day)
    return {column: n for column, n in zip(table.columns, found.counts, strict=True) if n}


def test_figures_count_a_known_set_per_day_and_channel_and_per_month_and_subject(north, known_set):
    stats = selectors.inquiry_statistics(office=north, start=date(2025, 1, 29), end=date(2025, 2, 3))

    by_day = stats.by_day
    assert [r.period for r in by_day.rows] == [date(2025, 1, 29) + timedelta(days=i) for i in range(6)]
    assert row(by_day, date(2025, 1, 29)) == {}
    assert row(by_day, date(2025, 1, 30)) == {"Phone": 2, "Walk-in": 1}
    assert row(by_day, date(2025, 1, 31)) == {"Email": 1}
    assert row(by_day, date(2025, 2, 1)) == {"Mail": 1}
    assert row(by_day, date(2025, 2, 2)) == {}
    assert row(by_day, date(2025, 2, 3)) == {"Phone": 2, "Email": 1}
    assert dict(zip(by_day.columns, by_day.totals, strict=True)) == {"Phone": 4, "Walk-in": 1, "Mail": 1, "Email": 2}
    assert by_day.total == 8
    by_month = stats.by_month
    assert [r.period for r in by_month.rows] == [date(2025, 1, 1), date(2025, 2, 1)]
    assert row(by_month, date(2025, 1, 1)) == {"Payment or benefit amount": 3, "Eligibility": 1}
    assert row(by_month, date(2025, 2, 1)) == {
        "Payment or benefit amount": 1,
        "Staff conduct": 1,
        "Documents": 1,
        "Policy question": 1,
    }
    assert by_month.total == 8


def test_figures_of_every_office_for_an_auditor_and_by_kind(known_set, caseworker):
    record(caseworker, received_at=at(date(2025, 1, 30), 13), kind="complaint", channel="mail")

    everything = selectors.inquiry_statistics(office=None, start=date(2025, 1, 30), end=date(2025, 1, 30))
    complaints = selectors.inquiry_statistics(
        office=None, start=date(2025, 1, 30), end=date(2025, 1, 30), kind="complaint"
    )

    assert row(everything.by_day, date(2025, 1, 30)) == {"Phone": 3, "Walk-in": 1, "Mail": 1}
    assert row(complaints.by_day, date(2025, 1, 30)) == {"Mail": 1}


def test_the_figures_page_shows_a_worker_their_offices_counts(client, caseworker, known_set):
    client.force_login(caseworker)

    response = client.get(reverse("casework:inquiry_statistics"), {"start": "2025-01-29", "end": "2025-02-03"})

    assert response.status_code == 200
    assert response.context["statistics"].by_day.total == 8
    assert "office" not in response.context["form"].fields  # a worker sees only their office
    html = response.content.decode()
    assert "<caption>8 from 2025-01-29 to 2025-02-03</caption>" in html
    assert '<th scope="row" class="text-start">January 2025</th>' in html


@time_machine.travel(datetime(2025, 3, 3, 15, 0, tzinfo=UTC), tick=False)
def test_the_figures_page_lists_only_the_days_and_months_with_inquiries_and_their_totals(client, caseworker, known_set):
    client.force_login(caseworker)

    response = client.get(reverse("casework:inquiry_statistics"), {"start": "2025-01-01", "end": "2025-02-28"})

    page = response.content.decode()
    per_day = re.search(r'<table[^>]*id="per-day".*?</table>', page, re.S).group(0)
    days = re.findall(r'<th scope="row" class="text-start">([^<]+)</th>', per_day)
    assert days == ["Tue 2025-01-28", "Thu 2025-01-30", "Fri 2025-01-31", "Sat 2025-02-01", "Mon 2025-02-03",
                    "Total"]  # fmt: skip
    assert re.search(r"<th[^>]*>Total</th><td>5</td><td>1</td><td>1</td><td>2</td><td>9</td>", per_day)
    per_month = re.search(r'<table[^>]*id="per-month".*?</table>', page, re.S).group(0)
    assert re.findall(r'<th scope="row" class="text-start">([^<]+)</th>', per_month) == [
        "January 2025",
        "February 2025",
        "Total",
    ]
    assert "Nothing in this range." not in page and page.count('id="per-day"') == 1


@time_machine.travel(datetime(2025, 3, 3, 15, 0, tzinfo=UTC), tick=False)
def test_the_figures_page_says_nothing_happened_in_an_empty_range(client, caseworker, known_set):
    client.force_login(caseworker)

    response = client.get(reverse("casework:inquiry_statistics"), {"start": "2024-12-01", "end": "2024-12-31"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">Inquiries and complaints: figures</h1>' in page and 'name="start"' in page
    assert page.count("Nothing in this range.") == 1
    assert 'id="per-day"' not in page and 'id="per-month"' not in page


def test_the_figures_page_shows_an_auditor_figures_only(client, auditor, north, south, known_set):
    client.force_login(auditor)
    url = reverse("casework:inquiry_statistics")

    every = client.get(url, {"start": "2025-01-29", "end": "2025-02-03", "office": ""})
    south_only = client.get(url, {"start": "2025-01-29", "end": "2025-02-03", "office": south.pk})

    assert every.context["statistics"].by_day.total == 9
    assert south_only.context["statistics"].by_day.total == 1
    html = every.content.decode()
    assert "Asks when the rent" not in html
    assert "/inquiries/" not in html.replace(url, "")  # no link to any inquiry


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2025-02-03", "end": "2025-01-29"},
        {"start": "2024-01-01", "end": "2025-02-03"},
        {"start": "x", "end": ""},
    ],
)
def test_a_bad_range_is_an_error_on_the_field(client, caseworker, params):
    client.force_login(caseworker)

    response = client.get(reverse("casework:inquiry_statistics"), params)

    assert response.status_code == 400
    assert response.context["statistics"] is None
    assert response.context["form"].errors


# Every URL, every persona ---------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    with_pk: bool = False
    method: str = "get"
    data: tuple = ()
    responded: bool = False  # the inquiry must have been responded to first

    def path(self, inquiry) -> str:
        return reverse(self.name, args=[inquiry.pk]) if self.with_pk else reverse(self.name)

    def __str__(self) -> str:
        return self.name


def statuses(caseworker, supervisor, other_caseworker, admin, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, (caseworker, supervisor, other_caseworker, admin, auditor), strict=True))


TABLE = [
    #                                                                      cw   sup  other admin auditor
    (Url("casework:inquiry_list"), statuses(200, 200, 200, 403, 403)),
    (Url("casework:inquiry_add"), statuses(200, 200, 200, 403, 403)),
    (Url("casework:inquiry_statistics"), statuses(200, 200, 200, 403, 200)),
    (Url("casework:inquiry_detail", True), statuses(200, 200, 404, 403, 403)),
    (Url("casework:inquiry_respond", True, "post", (("response", "Answered."),)), statuses(302, 302, 404, 403, 403)),
    (Url("casework:inquiry_close", True, "post", responded=True), statuses(302, 302, 404, 403, 403)),
]


def test_the_table_covers_every_inquiry_url():
    names = {f"casework:{p.name}" for p in casework_urls.urlpatterns if p.callback.__module__ == inquiry_views.__name__}
    assert {str(url) for url, _ in TABLE} == names


@pytest.fixture
def north_inquiry(case, caseworker):
    return record(caseworker, client_number=case.primary_client_id, requester_name="Mrs Northcott's daughter")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives(
    client, people, caseworker, north_inquiry, url, expected, persona
):
    if url.responded:
        inquiry_respond(acting_user=caseworker, inquiry=north_inquiry, response="Called back.")
    status_before = Inquiry.objects.get().status
    client.force_login(people[persona])

    response = getattr(client, url.method)(url.path(north_inquiry), dict(url.data))

    assert response.status_code == expected[persona]
    html = response.content.decode()
    if persona in ("other_caseworker", "admin", "auditor"):
        assert "Northcott" not in html
        assert Inquiry.objects.get().status == status_before


@pytest.mark.parametrize(("url", "_"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, north_inquiry, url, _):
    path = url.path(north_inquiry)

    response = getattr(client, url.method)(path)

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [path]


# Queries --------------------------------------------------------------------------------------

MAX_QUERIES = {
    "list": 15,
    "statistics": 11,
    "statistics_auditor": 11,
}  # 4 of them write the read event: a savepoint, its row, its clients in one insert


def add_inquiries(office_workers, *, spread_days: int = 20):
    def add_rows(n):
        for i in range(n):
            worker = office_workers[i % len(office_workers)]
            client_record = ClientFactory(office=worker.office, last_name=f"Linked{next(_serial)}")
            case = case_for(client_record, worker, restricted=i % 3 == 0)
            record(
                worker,
                received_at=NOW - timedelta(days=i % spread_days, hours=i % 8),
                channel=Inquiry.Channel.values[i % 4],
                subject=Inquiry.Subject.values[i % 8],
                client_number=client_record.pk,
                case_number=case.number,
                description=f"Row {i}",
            )

    return add_rows


def test_inquiry_list_queries_do_not_grow_with_inquiries(
    client, north, caseworker, supervisor, peer, django_assert_max_num_queries
):
    client.force_login(peer)  # sees some linked clients and not others
    html = assert_constant(
        client,
        "inquiry list",
        reverse("casework:inquiry_list"),
        add_inquiries([caseworker, supervisor, peer]),
        MAX_QUERIES["list"],
        django_assert_max_num_queries,
    )
    assert html.count("Payment or benefit amount</a>") + html.count("Eligibility</a>") > 0
    # Those about restricted clients of the others' cases are not the peer's to list.
    visible = selectors.inquiries_visible(user=peer).count()
    assert 0 < visible < Inquiry.objects.count()
    assert html.count('href="/inquiries/') >= min(visible, 50)


def test_statistics_queries_do_not_grow_with_inquiries(client, caseworker, supervisor, django_assert_max_num_queries):
    client.force_login(caseworker)
    html = assert_constant(
        client,
        "inquiry figures",
        reverse("casework:inquiry_statistics"),
        add_inquiries([caseworker, supervisor]),
        MAX_QUERIES["statistics"],
        django_assert_max_num_queries,
    )
    assert "<caption>50 from" in html


def test_statistics_queries_for_an_auditor_do_not_grow_with_inquiries(
    client, auditor, caseworker, other_caseworker, django_assert_max_num_queries
):
    client.force_login(auditor)
    html = assert_constant(
        client,
        "inquiry figures (auditor)",
        reverse("casework:inquiry_statistics"),
        add_inquiries([caseworker, other_caseworker]),
        MAX_QUERIES["statistics_auditor"],
        django_assert_max_num_queries,
    )
    assert "<caption>50 from" in html
