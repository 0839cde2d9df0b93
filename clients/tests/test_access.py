"""Who gets what from every page.

Every URL of the client registry, the audit trail and the home page, asked by each persona
and by an anonymous visitor; restricted clients and break-glass access; search results and
home-page counts that leave out what a user may not see; the audit events that reading a
file writes; and the Django admin. The rule itself is `accounts.access.client_scope`: a user
sees a client through a case. (The intake page moved to casework: casework/tests/test_case_views.py.)

Personas (conftest.py): `caseworker` and `supervisor` (North office, same team),
`other_caseworker` (South office), `admin`, `auditor` and `office_manager` (North office, reads
its unrestricted clients and changes nothing). This module adds `peer`, a
caseworker of the same North team who is not the worker on the restricted client's case,
and `admin_with_grant`, the admin after break-glass on the client in question. Every client
here is seen through a case (`tests.factories.case_for`); the North client's case is the
caseworker's, so `peer` sees it only because the office shares its unrestricted cases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import BreakGlassGrant
from audit import urls as audit_urls
from audit.models import AuditEvent
from clients import services
from clients import urls as clients_urls
from clients.identifiers import identifier_encrypt, identifier_hash
from tests.documents import pdf_bytes
from tests.factories import (
    ClientFactory,
    ConsentFactory,
    HouseholdFactory,
    IncomeFactory,
    MembershipFactory,
    PersonFactFactory,
    UserFactory,
    case_for,
)

PERSONAS = [
    "caseworker",
    "supervisor",
    "peer",
    "other_caseworker",
    "admin",
    "admin_with_grant",
    "auditor",
    "office_manager",
]
MISSING = 987_654_321  # an id no record has
GOOD_REASON = "Court subpoena 2025-CV-0113, requested by legal counsel"
# One frozen moment (10:00 in Chicago on 12 March 2026): grant expiry and household dates never move under a test.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


# Data -----------------------------------------------------------------------------------


def pdf(name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@dataclass
class ClientFile:
    """A client and one of each record hanging off them, for the URLs that take their ids."""

    client: object
    membership: object
    income: object
    consent: object
    document: object
    case: object
    fact: object


def make_file(*, office, worker, ssn: str | None = None, **client_fields) -> ClientFile:
    """A client with a household, a case `worker` works (who also uploads the document), and one record of each kind."""
    if ssn:
        client_fields.update(
            identifier_kind="ssn",
            identifier_encrypted=identifier_encrypt(ssn),
            identifier_hash=identifier_hash("ssn", ssn),
            identifier_last4=ssn[-4:],
        )
    client = ClientFactory(office=office, **client_fields)
    membership = MembershipFactory(client=client, household=HouseholdFactory(office=office))
    return ClientFile(
        client=client,
        membership=membership,
        income=IncomeFactory(client=client),
        consent=ConsentFactory(client=client, recorded_by=worker),
        document=services.document_upload(acting_user=worker, client=client, kind="other", upload=pdf()),
        case=case_for(client, worker),
        fact=PersonFactFactory(client=client, recorded_by=worker),
    )


# Nothing with these ids exists: what a refused user gets must not differ from this.
NO_FILE = SimpleNamespace(
    client=SimpleNamespace(pk=MISSING),
    membership=SimpleNamespace(pk=MISSING),
    income=SimpleNamespace(pk=MISSING),
    consent=SimpleNamespace(pk=MISSING),
    document=SimpleNamespace(pk=MISSING),
    fact=SimpleNamespace(pk=MISSING),
)


@pytest.fixture
def peer(supervisor, north):
    """A caseworker of the North office, in the caseworker's team, who does not work the restricted client's case."""
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def people(personas, peer, office_manager) -> dict:
    return {**personas, "peer": peer, "admin_with_grant": personas["admin"], "office_manager": office_manager}


def sign_in(client, people, persona: str, file) -> None:
    """Sign `persona` in; `admin_with_grant` is the admin after break-glass on `file`'s client."""
    user = people[persona]
    if persona == "admin_with_grant" and file is not NO_FILE:
        services.break_glass_open(acting_user=user, client=file.client, reason=GOOD_REASON)
    client.force_login(user)


@pytest.fixture
def north_file(north, caseworker) -> ClientFile:
    return make_file(office=north, worker=caseworker, first_name="Ottoline", last_name="Northcott", ssn="123456789")


@pytest.fixture
def restricted_file(north, caseworker) -> ClientFile:
    """A restricted client whose case the caseworker works."""
    return make_file(office=north, worker=caseworker, first_name="Shelterra", last_name="Vantongeren", restricted=True)


# The URL table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: Callable = lambda f: {}
    method: str = "get"
    about_client: bool = False  # the URL names one client's file (or a record on it)
    page_of_file: bool = False  # an HTML page showing the client's name in its header

    def path(self, file) -> str:
        return reverse(self.name, kwargs=self.kwargs(file))

    def __str__(self) -> str:
        return self.name


def _client(f):
    return {"pk": f.client.pk}


def _page(name, kwargs=_client, method="get"):
    return Url(name, kwargs, method, about_client=True, page_of_file=True)


def statuses(
    caseworker, supervisor, peer, other_caseworker, admin, admin_with_grant, auditor, office_manager
) -> dict[str, int]:
    return {
        "caseworker": caseworker,
        "supervisor": supervisor,
        "peer": peer,
        "other_caseworker": other_caseworker,
        "admin": admin,
        "admin_with_grant": admin_with_grant,
        "auditor": auditor,
        "office_manager": office_manager,
    }


HOME = Url("home")
LIST = Url("clients:list")
BREAK_GLASS = Url("clients:break_glass")
TRAIL = Url("audit:trail")
ANCHORS = Url("audit:anchors")
DETAIL = _page("clients:detail")
EDIT = _page("clients:edit")
REVEAL = _page("clients:reveal_identifier", method="post")
HOUSEHOLD = _page("clients:household")
MEMBERSHIP_END = _page("clients:membership_end", lambda f: {"pk": f.membership.pk})
FINANCES = _page("clients:finances")
FINANCE_ADD = _page("clients:finance_add", lambda f: {"client_pk": f.client.pk, "kind": "income"})
FINANCE_EDIT = _page("clients:finance_edit", lambda f: {"kind": "income", "pk": f.income.pk})
DOCUMENTS = _page("clients:documents")
DOCUMENT_UPLOAD = _page("clients:document_upload")
DOWNLOAD = Url("clients:document_download", lambda f: {"pk": f.document.pk}, about_client=True)
VERIFY = Url("clients:document_verify", lambda f: {"pk": f.document.pk}, "post", about_client=True)
FACT_ADD = _page("clients:fact_add")
FACT_END = _page("clients:fact_end", lambda f: {"pk": f.fact.pk})
FACT_VERIFY = Url("clients:fact_verify", lambda f: {"pk": f.fact.pk}, "post", about_client=True)
CONSENTS = _page("clients:consents")
CONSENT_ADD = _page("clients:consent_add")
CONSENT_REVOKE = _page("clients:consent_revoke", lambda f: {"pk": f.consent.pk})
HISTORY = _page("clients:history")
MERGE = _page("clients:merge")

# A page of the file anyone who may see the client reads: 404 for those who may not. An admin
# sees an unrestricted client only through break-glass, as a restricted one; the office's manager
# reads its unrestricted clients.
READ = statuses(200, 200, 200, 404, 404, 200, 404, 200)
# A page that needs `clients.edit_client` first (auditors and office managers are refused before any
# lookup), then the client.
CHANGE = statuses(200, 200, 200, 404, 404, 200, 403, 403)

# Status by persona for a non-restricted client of the North office, whose case the caseworker works.
NORTH_TABLE: list[tuple[Url, dict[str, int]]] = [
    #                               caseworker supervisor peer other_cw admin admin+grant auditor office_mgr
    (HOME, statuses(200, 200, 200, 200, 200, 200, 200, 200)),
    (LIST, statuses(200, 200, 200, 200, 200, 200, 200, 200)),
    (BREAK_GLASS, statuses(403, 403, 403, 403, 200, 200, 403, 403)),
    (TRAIL, statuses(403, 403, 403, 403, 200, 200, 200, 403)),
    (ANCHORS, statuses(403, 403, 403, 403, 200, 200, 200, 403)),
    (DETAIL, READ),
    (EDIT, CHANGE),
    # Found first, then only supervisors and admins see the full number.
    (REVEAL, statuses(403, 200, 403, 404, 404, 200, 404, 403)),
    (HOUSEHOLD, READ),
    (MEMBERSHIP_END, CHANGE),
    (FINANCES, READ),
    (FINANCE_ADD, CHANGE),
    (FINANCE_EDIT, CHANGE),
    (DOCUMENTS, READ),
    (DOCUMENT_UPLOAD, CHANGE),
    (DOWNLOAD, READ),
    # Verifying needs `clients.verify_document` (caseworkers and supervisors), then redirects to the documents.
    (VERIFY, statuses(302, 302, 302, 404, 403, 403, 403, 403)),
    (FACT_ADD, CHANGE),
    (FACT_END, CHANGE),
    # Verifying a fact needs `clients.verify_document`, as for a document, then redirects to the overview.
    (FACT_VERIFY, statuses(302, 302, 302, 404, 403, 403, 403, 403)),
    (CONSENTS, READ),
    (CONSENT_ADD, CHANGE),
    (CONSENT_REVOKE, CHANGE),
    (HISTORY, READ),
    (MERGE, statuses(403, 200, 403, 403, 403, 403, 403, 403)),
]
CLIENT_URLS = [url for url, _ in NORTH_TABLE if url.about_client]
READ_URLS = [url for url, expected in NORTH_TABLE if expected == READ]
TAB_URLS = [DETAIL, HOUSEHOLD, FINANCES, DOCUMENTS, CONSENTS, HISTORY]


def restricted_statuses(
    named, supervisor, peer, other_caseworker, admin, admin_with_grant, office_manager
) -> dict[str, int]:
    return {
        "caseworker": named,
        "supervisor": supervisor,
        "peer": peer,
        "other_caseworker": other_caseworker,
        "admin": admin,
        "admin_with_grant": admin_with_grant,
        "office_manager": office_manager,
    }


# Read: only the client decides, 404 for those who may not see it; the office's manager does not
# see a restricted client of their office.
R_READ = restricted_statuses(200, 200, 404, 404, 404, 200, 404)
# Change: the same, but the office manager, who changes nothing, is refused on the role first.
R_CHANGE = restricted_statuses(200, 200, 404, 404, 404, 200, 403)

# Status by persona for a restricted client whose case `caseworker` works.
RESTRICTED_TABLE: list[tuple[Url, dict[str, int]]] = [
    #                                            case's worker sup  peer other admin admin+grant office_mgr
    (DETAIL, R_READ),
    (EDIT, R_CHANGE),
    (REVEAL, restricted_statuses(403, 200, 404, 404, 404, 200, 404)),
    (HOUSEHOLD, R_READ),
    (MEMBERSHIP_END, R_CHANGE),
    (FINANCES, R_READ),
    (FINANCE_ADD, R_CHANGE),
    (FINANCE_EDIT, R_CHANGE),
    (DOCUMENTS, R_READ),
    (DOCUMENT_UPLOAD, R_CHANGE),
    (DOWNLOAD, R_READ),
    (VERIFY, restricted_statuses(302, 302, 404, 404, 403, 403, 403)),
    (FACT_ADD, R_CHANGE),
    (FACT_END, R_CHANGE),
    (FACT_VERIFY, restricted_statuses(302, 302, 404, 404, 403, 403, 403)),
    (CONSENTS, R_READ),
    (CONSENT_ADD, R_CHANGE),
    (CONSENT_REVOKE, R_CHANGE),
    (HISTORY, R_READ),
    (MERGE, restricted_statuses(403, 200, 403, 403, 403, 403, 403)),
]


def fetch(client, url: Url, file):
    response = getattr(client, url.method)(url.path(file))
    if response.streaming:
        # Read to the end: the test client then closes the file without closing the database connection.
        b"".join(response.streaming_content)
    return response


def html(response) -> str:
    return response.content.decode()


def events(action: str, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# Every URL, every persona -----------------------------------------------------------------


def test_the_tables_cover_every_url_of_the_clients_and_audit_apps_and_the_home_page():
    names = {"home"}
    names |= {f"clients:{pattern.name}" for pattern in clients_urls.urlpatterns}
    names |= {f"audit:{pattern.name}" for pattern in audit_urls.urlpatterns}
    assert {url.name for url, _ in NORTH_TABLE} == names
    assert {url.name for url, _ in RESTRICTED_TABLE} == {url.name for url in CLIENT_URLS}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), NORTH_TABLE, ids=[str(url) for url, _ in NORTH_TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives_for_a_north_client(
    client, people, north_file, url, expected, persona
):
    sign_in(client, people, persona, north_file)

    response = fetch(client, url, north_file)

    assert response.status_code == expected[persona]
    if url.page_of_file and response.status_code == 200:
        assert north_file.client.full_name in html(response)
    if response.status_code in (403, 404):
        assert north_file.client.last_name not in html(response)


@pytest.mark.parametrize("url", [url for url, _ in NORTH_TABLE], ids=str)
def test_anonymous_visitor_is_sent_to_the_login_page_from_every_url(client, north_file, url):
    path = url.path(north_file)

    response = getattr(client, url.method)(path)

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [path]
    assert not AuditEvent.objects.filter(action__in=["view", "search", "download", "reveal"]).exists()


@pytest.mark.parametrize("url", CLIENT_URLS, ids=str)
def test_caseworker_of_another_office_gets_404_on_every_client_page(client, other_caseworker, north_file, url):
    client.force_login(other_caseworker)

    response = fetch(client, url, north_file)

    if url is MERGE:  # no caseworker may merge: refused on the role, whichever client it is
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert north_file.client.last_name not in html(response)


@pytest.mark.parametrize("url", [*READ_URLS, REVEAL], ids=str)
def test_auditor_gets_404_on_every_page_of_a_client_file(client, auditor, north_file, url):
    client.force_login(auditor)

    assert fetch(client, url, north_file).status_code == 404


@pytest.mark.parametrize("persona", ["other_caseworker", "auditor", "peer", "admin", "office_manager"])
@pytest.mark.parametrize("url", CLIENT_URLS, ids=str)
def test_a_refusal_says_nothing_about_whether_the_client_exists(
    client, people, north_file, restricted_file, url, persona
):
    """403 comes from the role before any lookup; otherwise an unseen client answers as a missing one."""
    client.force_login(people[persona])
    # Other office and auditor can't see the North client; peer, admin and the office manager can't see
    # the restricted one.
    unseen = north_file if persona in ("other_caseworker", "auditor") else restricted_file

    assert fetch(client, url, unseen).status_code == fetch(client, url, NO_FILE).status_code


# Restricted clients and break-glass -------------------------------------------------------


@pytest.mark.parametrize("persona", list(R_READ))
@pytest.mark.parametrize(("url", "expected"), RESTRICTED_TABLE, ids=[str(url) for url, _ in RESTRICTED_TABLE])
def test_restricted_client_is_seen_by_the_worker_on_its_case_their_supervisor_and_admin_after_break_glass(
    client, people, restricted_file, url, expected, persona
):
    sign_in(client, people, persona, restricted_file)

    response = fetch(client, url, restricted_file)

    assert response.status_code == expected[persona]
    if url.page_of_file and response.status_code == 200:
        assert restricted_file.client.full_name in html(response)


@pytest.mark.parametrize("url", CLIENT_URLS, ids=str)
def test_caseworker_of_the_same_office_who_does_not_work_its_case_gets_404_on_a_restricted_client(
    client, peer, restricted_file, url
):
    client.force_login(peer)

    response = fetch(client, url, restricted_file)

    assert response.status_code == (403 if url is MERGE else 404)
    assert "Vantongeren" not in html(response)


@pytest.mark.parametrize("which", ["restricted_file", "north_file"])
def test_admin_gets_404_on_a_client_restricted_or_not_until_break_glass_through_the_page(
    client, request, admin_user, which
):
    file = request.getfixturevalue(which)
    seen = file.client
    client.force_login(admin_user)
    assert client.get(DETAIL.path(file)).status_code == 404

    response = client.post(reverse("clients:break_glass"), {"client_number": seen.pk, "reason": GOOD_REASON})

    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[seen.pk])
    grant = BreakGlassGrant.objects.get(user=admin_user, client_id=seen.pk)
    assert grant.reason == GOOD_REASON
    assert grant.expires_at > NOW
    event = events("break_glass", actor=admin_user).get()
    assert event.reason == GOOD_REASON
    assert list(event.subjects.values_list("client_id", flat=True)) == [seen.pk]
    page = client.get(DETAIL.path(file))
    assert page.status_code == 200
    assert seen.full_name in html(page)


@pytest.mark.parametrize("reason", ["", "   ", "need to see it", "   need to see it   ", "x" * 14])
def test_break_glass_refuses_a_reason_shorter_than_15_characters(client, admin_user, restricted_file, reason):
    restricted = restricted_file.client
    client.force_login(admin_user)

    response = client.post(reverse("clients:break_glass"), {"client_number": restricted.pk, "reason": reason})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not BreakGlassGrant.objects.exists()
    assert not events("break_glass").exists()
    assert client.get(DETAIL.path(restricted_file)).status_code == 404


def test_break_glass_accepts_a_reason_of_exactly_15_characters(client, admin_user, restricted_file):
    client.force_login(admin_user)

    response = client.post(
        reverse("clients:break_glass"), {"client_number": restricted_file.client.pk, "reason": "x" * 15}
    )

    assert response.status_code == 302
    assert BreakGlassGrant.objects.filter(user=admin_user, reason="x" * 15).exists()


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "other_caseworker", "auditor"])
def test_only_an_admin_may_break_glass(client, people, restricted_file, persona):
    client.force_login(people[persona])

    response = client.post(
        reverse("clients:break_glass"), {"client_number": restricted_file.client.pk, "reason": GOOD_REASON}
    )

    assert response.status_code == 403
    assert not BreakGlassGrant.objects.exists()
    assert not events("break_glass").exists()


def test_an_expired_break_glass_grant_closes_the_file_again(client, admin_user, restricted_file):
    grant = services.break_glass_open(acting_user=admin_user, client=restricted_file.client, reason=GOOD_REASON)
    client.force_login(admin_user)
    assert client.get(DETAIL.path(restricted_file)).status_code == 200

    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=NOW - timedelta(seconds=1))

    assert client.get(DETAIL.path(restricted_file)).status_code == 404


def test_break_glass_for_one_client_opens_no_other_client(client, admin_user, north, peer, north_file, restricted_file):
    other = ClientFactory(office=north, restricted=True)
    case_for(other, peer)
    services.break_glass_open(acting_user=admin_user, client=restricted_file.client, reason=GOOD_REASON)
    client.force_login(admin_user)

    assert client.get(reverse("clients:detail", args=[other.pk])).status_code == 404
    assert client.get(DETAIL.path(north_file)).status_code == 404


# Search and counts --------------------------------------------------------------------------


@pytest.fixture
def quixotes(north, south, caseworker, other_caseworker, peer):
    """Clients who all answer a search for 'Quixote', each with a case; each persona may see only some of them."""
    visible = ClientFactory(office=north, first_name="Zinnialle", last_name="Quixote")
    people = {
        "north": visible,
        "south": ClientFactory(office=south, first_name="Southwyn", last_name="Quixote", interpreter_needed=True),
        "restricted": ClientFactory(
            office=north, first_name="Shelterra", last_name="Quixote", restricted=True, interpreter_needed=True
        ),
        # Its case would show it to the caseworker: only the merge hides it.
        "merged": ClientFactory(office=north, first_name="Mergeon", last_name="Quixote", merged_into=visible),
    }
    workers = {"north": caseworker, "south": other_caseworker, "restricted": peer, "merged": caseworker}
    for key, person in people.items():
        case_for(person, workers[key])
    return people


# Which of the Quixotes each persona may see. `peer` works the restricted one's case; the supervisor supervises
# peer; the admin sees none without break-glass.
SEES = {
    "caseworker": {"north"},
    "supervisor": {"north", "restricted"},
    "peer": {"north", "restricted"},
    "other_caseworker": {"south"},
    "admin": set(),
    "auditor": set(),
}


def _first_names(quixotes, keys) -> set[str]:
    return {quixotes[key].first_name for key in keys}


@pytest.mark.parametrize("query", ["Quixote", "quixote", "Shelterra Quixote", "Southwyn Quixote"])
@pytest.mark.parametrize("persona", list(SEES))
def test_search_never_shows_a_client_the_user_may_not_see(client, people, quixotes, persona, query):
    user = people[persona]
    client.force_login(user)

    response = client.get(reverse("clients:list"), {"q": query})

    assert response.status_code == 200
    shown = {c.pk for c in response.context["clients"]}
    allowed = {quixotes[key].pk for key in SEES[persona]}
    assert shown <= allowed
    page = html(response)
    for key, hidden in quixotes.items():
        if key not in SEES[persona]:
            assert reverse("clients:detail", args=[hidden.pk]) not in page
            if hidden.first_name not in query:  # the search box repeats what was typed
                assert hidden.first_name not in page
    if query.lower() == "quixote":
        assert shown == allowed
        for name in _first_names(quixotes, SEES[persona]):
            assert name in page


@pytest.mark.parametrize("persona", list(SEES))
def test_client_list_without_a_query_shows_only_clients_the_user_may_see(client, people, quixotes, persona):
    client.force_login(people[persona])

    response = client.get(reverse("clients:list"))

    assert {c.pk for c in response.context["clients"]} == {quixotes[key].pk for key in SEES[persona]}
    page = html(response)
    for key, hidden in quixotes.items():
        if key not in SEES[persona]:
            assert hidden.first_name not in page


# Whose clients the home page counts: those on the persona's own cases (the supervisor's team's), not
# the office's they may also open; `peer` sees the caseworker's client but does not count it.
COUNTS = {**SEES, "peer": {"restricted"}}


@pytest.mark.parametrize("persona", list(COUNTS))
def test_home_page_counts_the_clients_on_the_users_own_cases(client, people, quixotes, persona):
    client.force_login(people[persona])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    seen = [quixotes[key] for key in COUNTS[persona]]
    assert response.context["counts"] == {
        "clients": len(seen),
        "interpreter": sum(c.interpreter_needed for c in seen),
    }
    if persona != "auditor":  # the auditor has no clients card
        assert f"Clients on my cases</a>: {len(seen)}, " in html(response)


def test_admin_finds_only_the_clients_opened_by_break_glass(client, admin_user, quixotes):
    for key in ("south", "restricted"):
        services.break_glass_open(acting_user=admin_user, client=quixotes[key], reason=GOOD_REASON)
    client.force_login(admin_user)

    searched = client.get(reverse("clients:list"), {"q": "Quixote"})
    listed = client.get(reverse("clients:list"))

    expected = {quixotes["south"].pk, quixotes["restricted"].pk}
    assert {c.pk for c in searched.context["clients"]} == expected
    assert {c.pk for c in listed.context["clients"]} == expected
    assert "Zinnialle" not in html(listed)


def test_search_writes_one_search_event_listing_the_clients_shown(client, caseworker, quixotes):
    client.force_login(caseworker)

    response = client.get(reverse("clients:list"), {"q": "Quixote"})

    event = events("search").get()
    assert event.actor == caseworker
    assert event.changes == {"criteria": {"q": "Quixote"}, "results": 1}
    shown = [c.pk for c in response.context["clients"]]
    assert shown == [quixotes["north"].pk]
    assert list(event.subjects.values_list("client_id", flat=True)) == shown


def test_client_list_writes_one_search_event_listing_the_clients_shown(client, supervisor, quixotes):
    client.force_login(supervisor)

    response = client.get(reverse("clients:list"))

    event = events("search").get()
    assert event.actor == supervisor
    assert sorted(event.subjects.values_list("client_id", flat=True)) == sorted(
        c.pk for c in response.context["clients"]
    )
    assert event.changes["results"] == 2


def test_a_search_that_finds_nothing_the_user_may_see_still_writes_a_search_event(client, other_caseworker, quixotes):
    client.force_login(other_caseworker)

    response = client.get(reverse("clients:list"), {"q": "Shelterra"})

    assert list(response.context["clients"]) == []
    event = events("search").get()
    assert not event.subjects.exists()
    assert event.changes == {"criteria": {"q": "Shelterra"}, "results": 0}


# Audit events written by reads --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "peer", "admin_with_grant"])
@pytest.mark.parametrize("url", TAB_URLS, ids=str)
def test_every_page_of_a_client_file_writes_one_view_event_naming_the_client(client, people, north_file, url, persona):
    user = people[persona]
    sign_in(client, people, persona, north_file)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    response = fetch(client, url, north_file)

    assert response.status_code == 200
    new = AuditEvent.objects.exclude(pk__in=before)
    view = new.get(action="view")
    assert view.actor == user
    assert view.object_type == "clients.client"
    assert view.object_id == str(north_file.client.pk)
    assert list(view.subjects.values_list("client_id", flat=True)) == [north_file.client.pk]
    assert set(new.values_list("action", flat=True)) == {"view"}


@pytest.mark.parametrize("url", [*TAB_URLS, DOWNLOAD, REVEAL], ids=str)
def test_a_refused_page_writes_no_read_event(client, other_caseworker, north_file, url):
    client.force_login(other_caseworker)

    assert fetch(client, url, north_file).status_code == 404

    assert not AuditEvent.objects.filter(action__in=["view", "download", "reveal"]).exists()


def test_a_merged_client_redirects_to_the_survivor_without_a_view_event_for_the_merged_one(
    client, caseworker, supervisor, north_file, north
):
    merged = ClientFactory(office=north)
    case_for(merged, caseworker)
    services.client_merge(acting_user=supervisor, survivor=north_file.client, duplicate=merged, reason="Same person")
    client.force_login(caseworker)

    response = client.get(reverse("clients:detail", args=[merged.pk]))

    assert response.status_code == 302
    assert response.url == reverse("clients:detail", args=[north_file.client.pk])
    assert not events("view").exists()


def test_document_download_serves_the_file_and_writes_a_download_event(client, caseworker, north_file):
    client.force_login(caseworker)
    document = north_file.document

    response = client.get(DOWNLOAD.path(north_file))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = events("download").get()
    assert event.actor == caseworker
    assert event.object_type == "clients.document"
    assert event.object_id == str(document.pk)
    assert list(event.subjects.values_list("client_id", flat=True)) == [north_file.client.pk]


def test_revealing_an_identifier_writes_a_reveal_event_and_a_view_event(client, supervisor, north_file):
    client.force_login(supervisor)

    response = client.post(REVEAL.path(north_file))

    assert response.status_code == 200
    assert "123-45-6789" in html(response)
    for action in ("reveal", "view"):
        event = events(action).get()
        assert event.actor == supervisor
        assert list(event.subjects.values_list("client_id", flat=True)) == [north_file.client.pk]


def test_a_caseworker_may_not_reveal_an_identifier_and_nothing_is_recorded(client, caseworker, north_file):
    client.force_login(caseworker)

    response = client.post(REVEAL.path(north_file))

    assert response.status_code == 403
    assert "123-45-6789" not in html(response)
    assert not events("reveal").exists()


# The Django admin ---------------------------------------------------------------------------


def admin_change_url(client_record) -> str:
    return reverse("admin:clients_client_change", args=[client_record.pk])


def test_admin_site_shows_an_admin_the_change_page_of_a_non_restricted_client_only_after_break_glass(
    client, admin_user, north_file
):
    client.force_login(admin_user)
    refused = client.get(admin_change_url(north_file.client), follow=True)
    assert "Northcott" not in html(refused)
    services.break_glass_open(acting_user=admin_user, client=north_file.client, reason=GOOD_REASON)

    response = client.get(admin_change_url(north_file.client))

    assert response.status_code == 200
    assert "Northcott" in html(response)


def test_admin_site_does_not_show_an_admin_a_restricted_client(client, admin_user, restricted_file):
    client.force_login(admin_user)

    response = client.get(admin_change_url(restricted_file.client))

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
    followed = client.get(admin_change_url(restricted_file.client), follow=True)
    assert "Shelterra" not in html(followed)
    assert "Vantongeren" not in html(followed)


def test_admin_site_client_list_shows_only_clients_opened_by_break_glass(
    client, admin_user, north_file, restricted_file
):
    client.force_login(admin_user)
    before = client.get(reverse("admin:clients_client_changelist"))
    services.break_glass_open(acting_user=admin_user, client=north_file.client, reason=GOOD_REASON)

    response = client.get(reverse("admin:clients_client_changelist"))

    assert before.status_code == response.status_code == 200
    assert "Northcott" not in html(before)
    assert "Northcott" in html(response)
    assert "Vantongeren" not in html(response)


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "other_caseworker", "auditor"])
def test_admin_site_is_closed_to_every_other_persona(client, people, north_file, persona):
    client.force_login(people[persona])

    response = client.get(admin_change_url(north_file.client))

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("admin:login")


# What a page of a visible client shows of others --------------------------------------------


@pytest.mark.parametrize(("persona", "sees_member"), [("caseworker", False), ("peer", True), ("supervisor", True)])
def test_household_tab_leaves_out_a_restricted_member_the_user_may_not_see(
    client, people, north, peer, north_file, persona, sees_member
):
    # A restricted client of peer's case who left that household for the North client's.
    hidden = ClientFactory(office=north, first_name="Quietta", last_name="Hollowell", restricted=True)
    case_for(hidden, peer)
    today = TODAY
    services.household_member_end(acting_user=peer, membership=hidden.memberships.get(), end_date=today)
    MembershipFactory(client=hidden, household=north_file.membership.household, relationship="spouse", start_date=today)
    client.force_login(people[persona])

    response = client.get(HOUSEHOLD.path(north_file))

    assert response.status_code == 200
    assert "Ottoline Northcott" in html(response)
    assert ("Quietta Hollowell" in html(response)) is sees_member
