"""The case and intake pages: who gets what, the transfer and status forms as a worker uses
them, and a fixed number of queries per page however many rows it shows.

Personas (conftest.py): `caseworker` (works the case), `supervisor` (their team's), `other_caseworker`
(South office), `admin` (no client file without break-glass), `admin_with_grant` (the admin after
break-glass on the case's primary client) and `auditor`; this module adds `peer`, a caseworker of
the same team, as the worker cases are transferred to.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import CaseAccess
from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import Case, CaseAssignment, CaseStatusChange
from casework.services.cases import case_transfer, case_transition
from casework.services.tasks import task_create
from clients.models import Client
from clients.services import break_glass_open
from tests.factories import ClientFactory, HouseholdFactory, MembershipFactory, UserFactory, case_for

GOOD_REASON = "Court order 2025-FAM-0412, read by counsel"
PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "admin_with_grant", "auditor"]


# Data -----------------------------------------------------------------------------------


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def people(personas) -> dict:
    return {**personas, "admin_with_grant": personas["admin"]}


def open_case(
    worker, *, members: int = 2, restricted: bool = False, last_name: str | None = None, status: str = "open"
) -> Case:
    """A case (open unless `status` says otherwise) of a new household of `worker`'s office, worked by `worker`."""
    household = HouseholdFactory(office=worker.office)
    head = ClientFactory(office=worker.office, **({"last_name": last_name} if last_name else {}))
    MembershipFactory(client=head, household=household, relationship="head")
    for _ in range(members - 1):
        MembershipFactory(client=ClientFactory(office=worker.office), household=household, relationship="child")
    return case_for(head, worker, restricted=restricted, status=status)


@pytest.fixture
def the_case(caseworker) -> Case:
    return open_case(caseworker, last_name="Quenneville")


def sign_in(client, people, persona: str, case: Case) -> None:
    user = people[persona]
    if persona == "admin_with_grant":
        break_glass_open(acting_user=user, client=case.primary_client, reason=GOOD_REASON)
    client.force_login(user)


def html(response) -> str:
    return response.content.decode()


# The URL table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: Callable = lambda case: {}
    method: str = "get"
    data: Callable = lambda case: {}
    shows_case: bool = False  # a page of this case, showing its number

    def path(self, case) -> str:
        return reverse(f"casework:{self.name}", kwargs=self.kwargs(case))

    def __str__(self) -> str:
        return self.name


def statuses(caseworker, supervisor, other_caseworker, admin, admin_with_grant, auditor) -> dict[str, int]:
    codes = (caseworker, supervisor, other_caseworker, admin, admin_with_grant, auditor)
    return dict(zip(PERSONAS, codes, strict=True))


def _pk(case):
    return {"pk": case.pk}


CASE_LIST = Url("case_list")
TRANSFER = Url("case_transfer")
OPEN = Url("case_open", lambda case: {"client_pk": case.primary_client_id})
DETAIL = Url("case_detail", _pk, shows_case=True)
TRANSITION = Url("case_transition", _pk, "post", lambda case: {"to": "suspended", "reason": "In hospital"})
RESTRICT = Url("case_restrict", _pk, shows_case=True)
INTAKE = Url("intake")

# The case is the caseworker's, in the North office; the supervisor supervises them.
TABLE: list[tuple[Url, dict[str, int]]] = [
    #                              caseworker supervisor other_cw admin admin+grant auditor
    (CASE_LIST, statuses(200, 200, 200, 403, 403, 403)),
    (TRANSFER, statuses(403, 200, 403, 403, 403, 403)),
    # Needs `casework.work_cases` first, then a client the user may see.
    (OPEN, statuses(200, 200, 404, 403, 403, 403)),
    # Anyone signed in who may see the case; an admin only through break-glass on its primary client.
    (DETAIL, statuses(200, 200, 404, 404, 200, 404)),
    (TRANSITION, statuses(302, 302, 404, 403, 403, 403)),
    (RESTRICT, statuses(200, 200, 404, 403, 403, 403)),
    (INTAKE, statuses(200, 200, 200, 403, 403, 403)),
]
CASE_PAGES = [url for url, _ in TABLE if url.kwargs is not Url.kwargs]


def fetch(client, url: Url, case: Case):
    return getattr(client, url.method)(url.path(case), url.data(case))


# Every URL, every persona -----------------------------------------------------------------


def test_the_table_covers_the_case_and_intake_urls():
    names = {pattern.name for pattern in casework_urls.urlpatterns}
    owned = {url.name for url, _ in TABLE}
    assert owned == {
        "case_list",
        "case_transfer",
        "case_open",
        "case_detail",
        "case_transition",
        "case_restrict",
        "intake",
    }
    assert owned <= names


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives(client, people, the_case, url, expected, persona):
    sign_in(client, people, persona, the_case)

    response = fetch(client, url, the_case)

    assert response.status_code == expected[persona]
    if url.shows_case and response.status_code == 200:
        assert the_case.number in html(response)
    if response.status_code in (403, 404):
        assert "Quenneville" not in html(response)
        assert the_case.number not in html(response)


@pytest.mark.parametrize("url", [url for url, _ in TABLE], ids=str)
def test_anonymous_visitor_is_sent_to_the_login_page(client, the_case, url):
    path = url.path(the_case)

    response = getattr(client, url.method)(path, url.data(the_case))

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [path]
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_get_of_the_status_url_is_refused(client, caseworker, the_case):
    client.force_login(caseworker)

    assert client.get(TRANSITION.path(the_case)).status_code == 405
    assert Case.objects.get(pk=the_case.pk).status == Case.Status.OPEN


@pytest.mark.parametrize("url", CASE_PAGES, ids=str)
def test_a_case_the_user_may_not_see_answers_as_a_missing_one(client, other_caseworker, the_case, url):
    client.force_login(other_caseworker)
    missing = Case(pk=987_654_321, primary_client_id=987_654_321)

    assert fetch(client, url, the_case).status_code == fetch(client, url, missing).status_code == 404


def test_a_break_glass_grant_on_another_member_does_not_open_the_case(client, admin_user, the_case):
    member = Client.objects.filter(memberships__household=the_case.household).exclude(pk=the_case.primary_client_id)
    break_glass_open(acting_user=admin_user, client=member.get(), reason=GOOD_REASON)
    client.force_login(admin_user)

    assert client.get(DETAIL.path(the_case)).status_code == 404


def test_a_restricted_case_is_404_to_a_colleague_of_the_same_office(client, caseworker, supervisor, peer):
    case = open_case(caseworker, restricted=True)

    for user, expected in ((peer, 404), (caseworker, 200), (supervisor, 200)):
        client.force_login(user)
        assert client.get(DETAIL.path(case)).status_code == expected, user
        assert client.get(RESTRICT.path(case)).status_code == expected, user


# What the pages record --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "admin_with_grant"])
def test_the_case_page_writes_one_view_event_naming_its_clients(client, people, the_case, persona):
    sign_in(client, people, persona, the_case)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    assert client.get(DETAIL.path(the_case)).status_code == 200

    (event,) = AuditEvent.objects.exclude(pk__in=before)
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "view",
        people[persona],
        "casework.case",
        str(the_case.pk),
    )
    assert set(event.subjects.values_list("client_id", flat=True)) == set(
        CaseAccess.objects.filter(case_id=the_case.pk).values_list("client_id", flat=True)
    )


def test_a_refused_case_page_writes_no_view_event(client, other_caseworker, the_case):
    client.force_login(other_caseworker)

    assert client.get(DETAIL.path(the_case)).status_code == 404

    assert not AuditEvent.objects.filter(action="view").exists()


# Changing a case's status through the page ------------------------------------------------------


def test_moving_a_case_redirects_to_it_with_a_message(client, caseworker, the_case):
    client.force_login(caseworker)

    response = client.post(TRANSITION.path(the_case), {"to": "suspended", "reason": "In hospital"}, follow=True)

    assert response.redirect_chain == [(DETAIL.path(the_case), 302)]
    assert f"Case {the_case.number} is now suspended." in html(response)
    assert Case.objects.get(pk=the_case.pk).status == Case.Status.SUSPENDED


def test_closing_without_a_closure_reason_shows_a_clear_error_and_changes_nothing(client, caseworker, the_case):
    client.force_login(caseworker)

    response = client.post(TRANSITION.path(the_case), {"to": "closed", "closure_reason": "", "reason": ""})

    assert response.status_code == 400
    assert "Choose why the case is closing." in html(response)
    assert response.context["transition_form"].errors == {"closure_reason": ["Choose why the case is closing."]}
    case = Case.objects.get(pk=the_case.pk)
    assert (case.status, case.closed_on, case.closure_reason) == (Case.Status.OPEN, None, "")
    assert CaseStatusChange.objects.filter(case=case, to_status="closed").count() == 0


def test_reopening_without_a_reason_shows_a_clear_error(client, caseworker):
    case = open_case(caseworker, status="closed")
    client.force_login(caseworker)

    response = client.post(TRANSITION.path(case), {"to": "open", "reason": ""})

    assert response.status_code == 400
    assert "Say why the case is reopened." in html(response)
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED


def test_a_move_the_table_does_not_allow_is_not_offered_nor_accepted(client, caseworker, the_case):
    client.force_login(caseworker)
    page = client.get(DETAIL.path(the_case))
    assert [value for value, _ in page.context["transition_form"].fields["to"].choices] == ["", "closed", "suspended"]

    response = client.post(TRANSITION.path(the_case), {"to": "intake"})

    assert response.status_code == 400
    assert response.context["transition_form"].errors["to"]
    assert Case.objects.get(pk=the_case.pk).status == Case.Status.OPEN


def test_the_status_form_preselects_no_move_and_saving_it_unchosen_changes_nothing(client, caseworker, the_case):
    client.force_login(caseworker)

    page = html(client.get(DETAIL.path(the_case)))
    response = client.post(TRANSITION.path(the_case), {"to": "", "closure_reason": "", "reason": ""})

    status_select = re.search(r'<select name="to".*?</select>', page, re.S).group(0)
    assert "selected" not in status_select.replace('<option value="" selected>', "")
    assert re.search(r'<option value="" selected>Choose…</option>', status_select)
    assert response.status_code == 400
    assert response.context["transition_form"].errors == {"to": ["Choose the status the case moves to."]}
    assert Case.objects.get(pk=the_case.pk).status == Case.Status.OPEN


# Transfers through the page -----------------------------------------------------------------


@pytest.fixture
def team_cases(caseworker):
    return [open_case(caseworker), open_case(caseworker)]


def transfer_data(cases, worker, **extra) -> dict:
    return {"cases": [c.pk for c in cases], "to_worker": worker.pk, "reason": "Caseworker on leave", **extra}


def test_the_transfer_page_offers_the_teams_active_cases_and_the_offices_workers(
    client, supervisor, caseworker, peer, other_caseworker, team_cases
):
    suspended = open_case(caseworker, status="suspended")
    closed = open_case(caseworker, status="closed")
    open_case(other_caseworker)
    client.force_login(supervisor)

    response = client.get(reverse("casework:case_transfer"))

    form = response.context["form"]
    assert set(form.fields["cases"].queryset) == {*team_cases, suspended}
    assert closed not in form.fields["cases"].queryset
    workers = {w.pk: w.active_cases for w in form.fields["to_worker"].queryset}
    assert workers == {caseworker.pk: 3, supervisor.pk: 0, peer.pk: 0}
    assert other_caseworker.pk not in workers


def test_a_supervisor_transfers_cases_through_the_page(client, supervisor, caseworker, peer, team_cases):
    client.force_login(supervisor)

    response = client.post(reverse("casework:case_transfer"), transfer_data(team_cases, peer), follow=True)

    assert response.redirect_chain == [(reverse("casework:case_list") + "?scope=team", 302)]
    assert escape(f"2 case(s) transferred to {peer}.") in html(response)
    for case in team_cases:
        case.refresh_from_db()
        assert case.assigned_worker == peer
        assert CaseAssignment.objects.filter(case=case).count() == 2


def test_a_transfer_past_the_recommended_caseload_shows_a_warning(client, supervisor, caseworker, peer, north):
    north.recommended_caseload = 1
    north.save(update_fields=["recommended_caseload"])
    cases = [open_case(caseworker), open_case(caseworker)]
    client.force_login(supervisor)

    response = client.post(reverse("casework:case_transfer"), transfer_data(cases, peer), follow=True)

    assert escape(f"{peer} now has 2 cases, more than the recommended 1.") in html(response)


def test_a_transfer_past_the_maximum_needs_an_override_reason_on_the_page(
    client, supervisor, caseworker, peer, north, team_cases
):
    north.recommended_caseload = north.maximum_caseload = 1
    north.save(update_fields=["recommended_caseload", "maximum_caseload"])
    client.force_login(supervisor)

    refused = client.post(reverse("casework:case_transfer"), transfer_data(team_cases, peer))

    assert refused.status_code == 200
    assert "over the office&#x27;s maximum of 1. Give a reason to go over it." in html(refused)
    assert refused.context["form"].errors["override_reason"]
    assert all(Case.objects.get(pk=c.pk).assigned_worker == caseworker for c in team_cases)

    accepted = client.post(
        reverse("casework:case_transfer"), transfer_data(team_cases, peer, override_reason="No one else speaks Tagalog")
    )

    assert accepted.status_code == 302
    assert all(Case.objects.get(pk=c.pk).assigned_worker == peer for c in team_cases)


def test_a_transfer_to_a_worker_of_another_office_shows_a_clear_error_and_loses_nothing(
    client, supervisor, caseworker, other_caseworker, team_cases
):
    client.force_login(supervisor)
    before = list(CaseAssignment.objects.order_by("id").values_list("id", "worker_id", "ended_at"))
    access_before = sorted(CaseAccess.objects.values_list("case_id", "client_id", "worker_id"))
    events_before = AuditEvent.objects.filter(object_type="casework.case").count()

    response = client.post(reverse("casework:case_transfer"), transfer_data(team_cases, other_caseworker))

    assert response.status_code == 200
    assert response.context["form"].errors == {"to_worker": ["Choose a worker of your office who can take cases."]}
    assert "Choose a worker of your office who can take cases." in html(response)
    # The page keeps what was entered, so the supervisor can pick another worker and send it again.
    assert "Caseworker on leave" in html(response)
    for case in team_cases:
        assert f'value="{case.pk}" ' in html(response)
        assert Case.objects.get(pk=case.pk).assigned_worker == caseworker
    assert response.context["form"]["cases"].value() == [str(c.pk) for c in team_cases]
    assert list(CaseAssignment.objects.order_by("id").values_list("id", "worker_id", "ended_at")) == before
    assert sorted(CaseAccess.objects.values_list("case_id", "client_id", "worker_id")) == access_before
    assert AuditEvent.objects.filter(object_type="casework.case").count() == events_before


def test_a_supervisor_cannot_transfer_a_case_outside_the_team(client, supervisor, peer, other_caseworker):
    theirs = open_case(other_caseworker)
    client.force_login(supervisor)

    response = client.post(reverse("casework:case_transfer"), transfer_data([theirs], peer))

    assert response.status_code == 200
    assert response.context["form"].errors["cases"]
    assert Case.objects.get(pk=theirs.pk).assigned_worker == other_caseworker


def test_a_caseworker_cannot_post_a_transfer(client, caseworker, peer, team_cases):
    client.force_login(caseworker)

    response = client.post(reverse("casework:case_transfer"), transfer_data(team_cases, peer))

    assert response.status_code == 403
    assert all(Case.objects.get(pk=c.pk).assigned_worker == caseworker for c in team_cases)


# Intake ---------------------------------------------------------------------------------------


def intake_data(*, restricted: bool = False) -> dict:
    data = {
        "name": "",
        "address_line1": "9 Birch Way",
        "city": "Riverton",
        "member-TOTAL_FORMS": "1",
        "member-INITIAL_FORMS": "0",
        "member-MIN_NUM_FORMS": "1",
        "member-MAX_NUM_FORMS": "20",
        "member-0-relationship": "head",
        "member-0-first_name": "Ysolde",
        "member-0-last_name": "Brannagh",
        "member-0-date_of_birth": "1979-05-06",
        "member-0-sex": Client.Sex.UNKNOWN,
        "member-0-language": "English",
    }
    if restricted:
        data["restricted"] = "on"
    return data


@pytest.mark.parametrize("restricted", [False, True])
def test_intake_registers_the_household_and_opens_its_case(client, caseworker, peer, restricted):
    client.force_login(caseworker)

    response = client.post(reverse("casework:intake"), intake_data(restricted=restricted), follow=True)

    head = Client.objects.get(last_name="Brannagh")
    case = Case.objects.get(primary_client=head)
    assert response.redirect_chain == [(reverse("clients:detail", args=[head.pk]), 302)]
    assert f"Brannagh household registered with 1 member(s); case {case.number} opened." in html(response)
    assert (case.status, case.assigned_worker, case.restricted) == (Case.Status.INTAKE, caseworker, restricted)
    assert case.tasks.get().kind == "intake"
    client.force_login(peer)
    assert client.get(reverse("clients:detail", args=[head.pk])).status_code == (404 if restricted else 200)


def test_intake_needs_an_office(client, north):
    homeless = UserFactory(username="floater", roles=["caseworker"])
    client.force_login(homeless)

    assert client.get(reverse("casework:intake")).status_code == 403
    assert client.post(reverse("casework:intake"), intake_data()).status_code == 403
    assert not Client.objects.exists()


# Query counts ---------------------------------------------------------------------------------

SMALL, LARGE = 5, 50
# Queries per page load, whatever the number of rows (measured on SQLite and PostgreSQL).
MAX_QUERIES = {
    "case_list": 15,
    "case_detail": 18,
}  # 4 of them write the read event: a savepoint, its row, its clients in one insert
_serial = count(1)


def team_worker(supervisor):
    """A different worker of the supervisor's team for each row, so that a per-row lookup would show."""
    return UserFactory(
        username=f"member{next(_serial)}", office=supervisor.office, team=supervisor.team, roles=["caseworker"]
    )


def assert_constant(client, page: str, path: str, add_rows, django_assert_max_num_queries, params=None) -> str:
    """Load `path` with SMALL rows and with LARGE rows; the counts must match. Returns the LARGE page."""
    params = params or {}
    add_rows(SMALL)
    client.get(path, params)  # warm up: content types, permissions, session
    with django_assert_max_num_queries(MAX_QUERIES[page]) as small:
        assert client.get(path, params).status_code == 200
    add_rows(LARGE - SMALL)
    with django_assert_max_num_queries(MAX_QUERIES[page]) as large:
        response = client.get(path, params)
    assert response.status_code == 200
    assert len(small) == len(large), f"{page}: {len(small)} queries for {SMALL} rows but {len(large)} for {LARGE}"
    return html(response)


@pytest.mark.parametrize("scope", ["team", "office"])
def test_case_list_queries_do_not_grow_with_cases(client, supervisor, scope, django_assert_max_num_queries):
    def add_rows(n):
        for i in range(n):
            worker = team_worker(supervisor)
            case = open_case(worker, members=1, restricted=i % 3 == 0)
            if i % 2:
                task_create(case=case, kind="follow_up", title="Call back", due_on=date(2030, 1, 1) + timedelta(i))

    client.force_login(supervisor)
    page = assert_constant(
        client, "case_list", reverse("casework:case_list"), add_rows, django_assert_max_num_queries, {"scope": scope}
    )
    assert len(re.findall(r'href="/cases/\d+/"', page)) == LARGE
    assert "50 cases" in page


@pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)  # 12 March in Chicago
def test_case_detail_queries_do_not_grow_with_status_changes_members_and_assignments(
    client, caseworker, supervisor, north, django_assert_max_num_queries
):
    case = open_case(caseworker, members=1)
    household = case.household

    def add_rows(n):
        for i in range(n):
            # A member (some restricted), a status change and an assignment per row, each by another worker.
            worker = team_worker(supervisor)
            member = ClientFactory(office=north, restricted=i % 4 == 0)
            MembershipFactory(client=member, household=household, relationship="child")
            to = Case.Status.SUSPENDED if Case.objects.get(pk=case.pk).status == Case.Status.OPEN else Case.Status.OPEN
            case_transition(acting_user=worker, case=case, to=to, reason=f"Change {i}")
            case_transfer(acting_user=supervisor, cases=[case], to_worker=worker, reason=f"Cover {i}")
        # Back to the caseworker, who then sees every member (a transfer brings the access rows up to date).
        case_transfer(acting_user=supervisor, cases=[case], to_worker=caseworker, reason="Back from leave")

    client.force_login(caseworker)
    page = assert_constant(
        client, "case_detail", reverse("casework:case_detail", args=[case.pk]), add_rows, django_assert_max_num_queries
    )
    assert page.count("<td>Child</td>") == LARGE
    assert page.count("→ <strong>") == CaseStatusChange.objects.filter(case=case).count() > LARGE
    assert page.count("(by ") == CaseAssignment.objects.filter(case=case).count() > LARGE
    assert "2026-03-12" in page
