"""The home page of each persona: what it shows, what it must not, and the queries it costs.

Personas (conftest.py): `caseworker` and `supervisor` (North, same team), `other_caseworker`
(South), `admin` and `auditor`. This module adds `peer`, a caseworker of the same team, and
`outsider`, a North caseworker of another team with their own supervisor.
"""

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Office
from casework.models import Case, CaseNote, Inquiry, Task
from casework.selectors.home import WorkerLoad
from casework.services.cases import case_record_contact
from casework.services.inquiries import inquiry_record, inquiry_respond
from casework.services.tasks import task_complete, task_create
from casework.tests.counting import assert_constant
from tests.factories import ClientFactory, TeamFactory, UserFactory, case_for

# One frozen moment for every test here: due dates and "last contact" ages mean the same on any day.
pytestmark = pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)
SECRET = "Xylophonist"  # a word only a confidential note holds
PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]
_serial = count(1)


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


# Data -------------------------------------------------------------------------------------


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(
        username="north_peer",
        first_name="Petra",
        last_name="Peerson",
        office=north,
        team=supervisor.team,
        roles=["caseworker"],
    )


@pytest.fixture
def outsider(north):
    boss = UserFactory(username="north_sup2", office=north, roles=["supervisor"])
    team = TeamFactory(office=north, supervisor=boss)
    boss.team = team
    boss.save(update_fields=["team"])
    return UserFactory(
        username="north_other_team",
        first_name="Otto",
        last_name="Outsider",
        office=north,
        team=team,
        roles=["caseworker"],
    )


def new_case(worker, *, last_name=None, restricted=False, status="open") -> Case:
    client = ClientFactory(office=worker.office, last_name=last_name or f"Client{next(_serial)}")
    return case_for(client, worker, restricted=restricted, status=status)


def task(case, *, due_on, title, assignee=None) -> Task:
    return task_create(case=case, kind=Task.Kind.FOLLOW_UP, title=title, due_on=due_on, assignee=assignee)


def note(case, author, *, subject="", body="Talked about the rent.", confidential=False, hours_ago=2) -> CaseNote:
    # Written directly: the home page reads notes; the note service is another module's subject.
    contact_at = timezone.now() - timedelta(hours=hours_ago)
    written = CaseNote.objects.create(
        case=case,
        kind=CaseNote.Kind.PHONE_CALL,
        contact_at=contact_at,
        subject=subject,
        body=body,
        confidential=confidential,
        author=author,
    )
    case_record_contact(case=case, contact_at=contact_at)
    return written


def inquiry(handler, *, due_in: int, description="Asks about the payment date.") -> Inquiry:
    return inquiry_record(
        acting_user=handler,
        kind="inquiry",
        channel="phone",
        source="client",
        subject="payment",
        description=description,
        response_due_on=days(due_in),
        received_at=timezone.now() - timedelta(days=30),
    )


def html(response) -> str:
    return response.content.decode()


def set_office(office: Office, **values) -> None:
    Office.objects.filter(pk=office.pk).update(**values)


# The caseworker -------------------------------------------------------------------------------


@pytest.fixture
def caseworker_day(north, caseworker, supervisor, peer):
    """The caseworker's cases, tasks, notes and inquiries, and things of others that must stay off their page."""
    case = new_case(caseworker, last_name="Northcott")
    other = new_case(caseworker, last_name="Second")
    new_case(caseworker, status="closed")
    mine_restricted = new_case(caseworker, restricted=True)
    theirs_restricted = new_case(peer, last_name="Vantongeren", restricted=True)
    peers_case = new_case(peer, last_name="Peercase")
    task(case, due_on=days(-2), title="Overdue lease copy")
    task(other, due_on=days(0), title="Call back today")
    task(mine_restricted, due_on=days(3), title="Safety plan review")
    task(case, due_on=days(12), title="Far future review")
    task_complete(acting_user=caseworker, task=task(case, due_on=days(-5), title="Finished thing"))
    task(case, due_on=days(-1), title="Peer's own task", assignee=peer)
    # A job gave the caseworker a task on a case now restricted to the peer: not theirs to see.
    task(theirs_restricted, due_on=days(-1), title="Hidden restricted task", assignee=caseworker)
    note(case, caseworker, subject="Rent arrears", hours_ago=1)
    note(other, supervisor, subject="Secret subject", body=f"{SECRET} disclosed", confidential=True, hours_ago=3)
    note(theirs_restricted, peer, subject="Restricted contact", body="Not for the caseworker")
    note(peers_case, peer, subject="Peer's contact")
    inquiry(caseworker, due_in=3, description="Mine due soon")
    inquiry(caseworker, due_in=-1, description="Mine overdue")
    inquiry(caseworker, due_in=20, description="Mine due later")
    inquiry(peer, due_in=1, description="Peer's inquiry")
    answered = inquiry(caseworker, due_in=2, description="Already answered")
    inquiry_respond(acting_user=caseworker, inquiry=answered, response="Done.")
    return {"case": case, "other": other, "theirs_restricted": theirs_restricted}


def test_a_caseworkers_home_shows_their_cases_tasks_contacts_and_inquiries(client, caseworker, caseworker_day):
    client.force_login(caseworker)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    worker = response.context["worker"]
    assert worker.active_cases == 3  # two open and one restricted; not the closed one
    assert 'id="active-cases">3<' in html(response)
    assert (worker.task_counts.overdue, worker.task_counts.today, worker.task_counts.week) == (1, 1, 1)
    assert [t.title for t in worker.tasks] == ["Overdue lease copy", "Call back today", "Safety plan review"]
    assert [t.overdue for t in worker.tasks] == [True, False, False]
    assert [n.case_id for n in worker.notes] == [caseworker_day["case"].pk, caseworker_day["other"].pk]
    assert [i.description for i in worker.inquiries_due] == ["Mine overdue", "Mine due soon"]
    page = html(response)
    for shown in ("Overdue lease copy", "Call back today", "Northcott", caseworker_day["case"].number, "Rent arrears"):
        assert shown in page
    assert "Phone call" in page and str(caseworker) in page
    assert "Confidential</span>" in page
    assert "team" not in response.context


def test_a_caseworkers_home_leaves_out_what_is_not_theirs_or_not_theirs_to_see(client, caseworker, caseworker_day):
    client.force_login(caseworker)

    page = html(client.get(reverse("home")))

    assert caseworker_day["theirs_restricted"].number not in page
    for hidden in (
        "Vantongeren",
        "Hidden restricted task",
        "Restricted contact",
        "Not for the caseworker",
        "Far future review",
        "Finished thing",
        "Peer's own task",
        "Peer&#x27;s own task",
        "Peer&#x27;s contact",
        "Already answered",
        "Mine due later",
        "Peer&#x27;s inquiry",
    ):
        assert hidden not in page, hidden


def test_the_body_and_subject_of_a_confidential_note_never_reach_the_page(
    client, caseworker, supervisor, caseworker_day
):
    for user in (caseworker, supervisor):
        client.force_login(user)
        response = client.get(reverse("home"))
        page = html(response)
        assert SECRET not in page and "Secret subject" not in page
        if "worker" in response.context:
            for shown in response.context["worker"].notes:
                assert "body" in shown.get_deferred_fields()  # never even read from the database


# The supervisor -------------------------------------------------------------------------------


@pytest.fixture
def team_state(north, caseworker, supervisor, peer, outsider):
    set_office(north, recommended_caseload=2, maximum_caseload=3, no_contact_alert_days=30)
    quiet = new_case(caseworker, last_name="Quietcase")
    case_record_contact(case=quiet, contact_at=timezone.now() - timedelta(days=40))
    never = new_case(caseworker, last_name="Nevercontacted")
    Case.objects.filter(pk=never.pk).update(opened_on=days(-45))
    recent = new_case(caseworker, last_name="Recentcase")
    case_record_contact(case=recent, contact_at=timezone.now() - timedelta(days=5))
    new_today = new_case(peer, last_name="Newtoday")
    restricted = new_case(peer, last_name="Restrictedquiet", restricted=True)
    case_record_contact(case=restricted, contact_at=timezone.now() - timedelta(days=60))
    outside = new_case(outsider, last_name="Otherteamquiet")
    case_record_contact(case=outside, contact_at=timezone.now() - timedelta(days=90))
    outside_restricted = new_case(outsider, last_name="Otherteamsecret", restricted=True)
    task(quiet, due_on=days(-3), title="Overdue one")
    task(never, due_on=days(-1), title="Overdue two")
    task(new_today, due_on=days(-2), title="Peer overdue")
    task(recent, due_on=days(4), title="Not overdue")
    task(outside, due_on=days(-9), title="Other team overdue")
    task(outside_restricted, due_on=days(-9), title="Other team secret overdue")
    inquiry(caseworker, due_in=-2, description="Team pending overdue")
    inquiry(peer, due_in=5, description="Team pending")
    inquiry(outsider, due_in=1, description="Other team pending")
    done = inquiry(peer, due_in=1, description="Team answered")
    inquiry_respond(acting_user=peer, inquiry=done, response="Answered.")
    return {
        "quiet": quiet,
        "never": never,
        "recent": recent,
        "new_today": new_today,
        "restricted": restricted,
        "outside": outside,
        "outside_restricted": outside_restricted,
    }


def test_a_supervisors_home_shows_the_teams_caseloads_against_the_offices_limits(
    client, supervisor, caseworker, peer, team_state
):
    client.force_login(supervisor)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    team = response.context["team"]
    loads = {load.worker: load for load in team.team}
    assert set(loads) == {caseworker, peer, supervisor}  # not the other team
    assert (loads[caseworker].active_cases, loads[caseworker].level) == (3, "at_maximum")
    assert (loads[peer].active_cases, loads[peer].level) == (2, "ok")
    assert (loads[caseworker].overdue_tasks, loads[peer].overdue_tasks) == (2, 1)
    assert (loads[caseworker].recommended, loads[caseworker].maximum) == (2, 3)
    page = html(response)
    assert "At maximum</span>" in page
    assert "3 / 2 recommended, 3 maximum" in page


def test_caseload_levels():
    def level(n):
        return WorkerLoad(worker=None, active_cases=n, overdue_tasks=0, recommended=2, maximum=4).level

    assert [level(n) for n in range(6)] == ["ok", "ok", "ok", "over_recommended", "at_maximum", "over"]


def test_a_supervisors_home_lists_the_teams_cases_without_contact(client, supervisor, team_state):
    client.force_login(supervisor)

    team = client.get(reverse("home")).context["team"]

    assert team.no_contact_days == 30
    assert [c.pk for c in team.no_contact_cases] == [
        team_state["never"].pk,  # never contacted, opened 45 days ago
        team_state["restricted"].pk,  # 60 days: the supervisor sees the team's restricted cases
        team_state["quiet"].pk,  # 40 days
    ]
    assert team.no_contact_count == 3


def test_a_supervisors_home_lists_the_teams_pending_inquiries(client, supervisor, team_state):
    client.force_login(supervisor)

    response = client.get(reverse("home"))

    team = response.context["team"]
    assert [i.description for i in team.pending_inquiries] == ["Team pending overdue", "Team pending"]
    assert [i.overdue for i in team.pending_inquiries] == [True, False]
    assert ">Overdue</span>" in html(response)


def test_a_supervisors_home_leaves_out_other_teams_and_their_restricted_cases(client, supervisor, team_state):
    client.force_login(supervisor)

    page = html(client.get(reverse("home")))

    for hidden in ("Otherteamquiet", "Otherteamsecret", "Other team", "Outsider", "Team answered", "Recentcase"):
        assert hidden not in page, hidden
    assert team_state["outside_restricted"].number not in page
    assert "Restrictedquiet" in page and "Nevercontacted" in page and "Quietcase" in page


# Admin and auditor, and every persona -----------------------------------------------------------


def test_an_admin_keeps_the_clients_and_audit_cards_and_sees_no_worker_panels(client, admin_user, caseworker_day):
    client.force_login(admin_user)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "worker" not in response.context and "team" not in response.context
    page = html(response)
    assert reverse("audit:trail") in page and reverse("clients:list") in page
    assert reverse("casework:inquiry_statistics") not in page
    assert "Overdue lease copy" not in page and "Northcott" not in page


def test_an_auditor_keeps_the_audit_card_and_gets_the_inquiry_figures(client, auditor, caseworker_day):
    client.force_login(auditor)

    response = client.get(reverse("home"))

    page = html(response)
    assert reverse("audit:trail") in page
    assert reverse("casework:inquiry_statistics") in page
    assert "Find a client" not in page
    assert "worker" not in response.context and "team" not in response.context
    assert "Northcott" not in page and "Overdue lease copy" not in page


NAV = {
    # persona: (Tasks and Inquiries links, inquiry figures link)
    "caseworker": (True, False),
    "supervisor": (True, False),
    "other_caseworker": (True, False),
    "admin": (False, False),
    "auditor": (False, True),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_home_page_and_the_navigation_they_may_use(client, personas, caseworker_day, persona):
    client.force_login(personas[persona])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = html(response)
    work, figures = NAV[persona]
    assert (f'href="{reverse("casework:task_list")}">Tasks</a>' in page) is work
    assert (f'href="{reverse("casework:inquiry_list")}">Inquiries</a>' in page) is work
    assert (f'href="{reverse("casework:inquiry_statistics")}">Inquiry figures</a>' in page) is figures
    if persona == "other_caseworker":
        assert response.context["worker"].active_cases == 0
        assert "Northcott" not in page and "Overdue lease copy" not in page


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Queries --------------------------------------------------------------------------------------

MAX_QUERIES = {
    "caseworker": 24,
    "supervisor": 24,
}  # 4 of them write the read event: a savepoint, its row, its clients in one insert; 2 are the
# appointments card's (today's appointments, who is on call now)


def test_a_caseworkers_home_queries_do_not_grow_with_rows(
    client, north, caseworker, supervisor, django_assert_max_num_queries
):
    set_office(north, recommended_caseload=400, maximum_caseload=500)

    def add_rows(n):
        for i in range(n):
            case = new_case(caseworker, restricted=i % 4 == 0)
            task(case, due_on=days(i % 9 - 3), title=f"Row task {i}")
            note(case, supervisor if i % 2 else caseworker, subject=f"Row note {i}", confidential=i % 3 == 0)
            inquiry(caseworker, due_in=i % 9 - 3, description=f"Row inquiry {i}")

    client.force_login(caseworker)
    page = assert_constant(
        client,
        "home (caseworker)",
        reverse("home"),
        add_rows,
        MAX_QUERIES["caseworker"],
        django_assert_max_num_queries,
    )
    assert 'id="active-cases">50<' in page
    assert page.count("Row task ") == 20
    assert page.count("Phone call") == 10


def test_a_supervisors_home_queries_do_not_grow_with_rows(client, north, supervisor, django_assert_max_num_queries):
    set_office(north, no_contact_alert_days=30)

    def add_rows(n):
        for i in range(n):
            worker = UserFactory(
                username=f"team{next(_serial)}", office=north, team=supervisor.team, roles=["caseworker"]
            )
            case = new_case(worker, restricted=i % 3 == 0)
            case_record_contact(case=case, contact_at=timezone.now() - timedelta(days=31 + i))
            task(case, due_on=days(-1 - i % 4), title=f"Row task {i}")
            inquiry(worker, due_in=i % 7 - 3, description=f"Row inquiry {i}")

    client.force_login(supervisor)
    page = assert_constant(
        client,
        "home (supervisor)",
        reverse("home"),
        add_rows,
        MAX_QUERIES["supervisor"],
        django_assert_max_num_queries,
    )
    assert page.count('role="progressbar"') == 51  # fifty workers and the supervisor
    assert "50 cases, the 25 longest without contact shown" in page
