"""Tasks: adding, completing and cancelling, the dedupe key, my list, the team's overdue list, the
case's tab, who may open each page, and the queries each list costs.

Personas (conftest.py): `caseworker` (the assigned worker of `case`) and `supervisor` (their
team's), both North; `other_caseworker` (South); `admin` and `auditor`. This module adds `peer`,
a North caseworker of the same team, and `outsider`, a North caseworker of another team.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import Task
from casework.selectors import tasks as selectors
from casework.services.tasks import NewTask, task_add, task_complete, task_create, task_create_many
from casework.tests.counting import assert_constant
from casework.views import tasks as tasks_views
from tests.factories import ClientFactory, TeamFactory, UserFactory, case_for

PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]
_serial = count(1)
# One frozen moment (10:00 in Chicago on 12 March 2026): due dates and "overdue" are judged against the same day.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def today() -> date:
    return date(2026, 3, 12)


def days(n: int):
    return today() + timedelta(days=n)


# Data -------------------------------------------------------------------------------------


@pytest.fixture
def peer(supervisor, north):
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def outsider(north):
    """A North caseworker of another team, with their own supervisor."""
    boss = UserFactory(username="north_sup2", office=north, roles=["supervisor"])
    team = TeamFactory(office=north, supervisor=boss)
    boss.team = team
    boss.save(update_fields=["team"])
    return UserFactory(username="north_other_team", office=north, team=team, roles=["caseworker"])


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


def make_task(case, *, due_on=None, assignee=None, title="Ask for the lease", **fields) -> Task:
    return task_create(
        case=case, kind=Task.Kind.FOLLOW_UP, title=title, due_on=due_on or days(3), assignee=assignee, **fields
    )


# The services -------------------------------------------------------------------------------


def test_a_worker_adds_a_task_to_a_case_and_it_is_audited(case, caseworker, peer):
    task = task_add(
        acting_user=caseworker,
        case=case,
        kind=Task.Kind.DOCUMENT_REQUEST,
        title="  Ask for the pay stubs ",
        details="Last two months",
        due_on=today(),
        assignee=peer,
    )

    task.refresh_from_db()
    assert (task.title, task.assignee, task.created_by, task.status) == (
        "Ask for the pay stubs",
        peer,
        caseworker,
        "open",
    )
    event = AuditEvent.objects.get(action="create", object_type="casework.task")
    assert event.actor == caseworker
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_a_task_without_an_assignee_goes_to_the_cases_worker(case, supervisor):
    task = task_add(acting_user=supervisor, case=case, kind=Task.Kind.REVIEW, title="Review", due_on=days(1))

    assert task.assignee == case.assigned_worker


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_on": -1}, "due_on"),
        ({"assignee": "other_caseworker"}, "assignee"),
        ({"assignee": "auditor"}, "assignee"),
        ({"kind": "nonsense"}, "kind"),
        ({"title": "   "}, "title"),
    ],
)
def test_task_add_refuses_bad_input_and_saves_nothing(case, caseworker, personas, change, field):
    values = {"kind": Task.Kind.FOLLOW_UP, "title": "Call back", "due_on": days(2), "assignee": caseworker}
    if "due_on" in change:
        values["due_on"] = days(change["due_on"])
    if "assignee" in change:
        values["assignee"] = personas[change["assignee"]]
    for key in ("kind", "title"):
        values[key] = change.get(key, values[key])

    with pytest.raises(ValidationError) as raised:
        task_add(acting_user=caseworker, case=case, **values)

    assert field in raised.value.message_dict
    assert not Task.objects.exists()
    assert not AuditEvent.objects.filter(object_type="casework.task").exists()


def test_task_add_refuses_a_closed_case(north, caseworker):
    closed = case_for(ClientFactory(office=north), caseworker, status="closed")

    with pytest.raises(ValidationError):
        task_add(acting_user=caseworker, case=closed, kind=Task.Kind.FOLLOW_UP, title="Late", due_on=days(1))

    assert not Task.objects.exists()


def test_only_workers_add_tasks(case, auditor):
    with pytest.raises(PermissionDenied):
        task_add(acting_user=auditor, case=case, kind=Task.Kind.FOLLOW_UP, title="No", due_on=days(1))


def test_completing_a_task_closes_it_once_and_a_second_completion_is_refused(case, caseworker, supervisor):
    task = make_task(case)

    done = task_complete(acting_user=caseworker, task=task)

    assert done.status == Task.Status.DONE
    assert done.completed_by == caseworker
    assert done.completed_at is not None
    with pytest.raises(ValidationError, match="already closed"):
        task_complete(acting_user=supervisor, task=task)
    with pytest.raises(ValidationError, match="already closed"):
        task_complete(acting_user=supervisor, task=task, status=Task.Status.CANCELLED)
    task.refresh_from_db()
    assert (task.status, task.completed_by) == (Task.Status.DONE, caseworker)
    assert AuditEvent.objects.filter(action="update", object_type="casework.task").count() == 1


def test_cancelling_a_task(case, caseworker):
    task = task_complete(acting_user=caseworker, task=make_task(case), status=Task.Status.CANCELLED)

    assert task.status == Task.Status.CANCELLED


def test_the_same_dedupe_key_makes_one_task(case):
    first = make_task(case, dedupe_key=f"plan-review:{case.pk}:2026-12-01")
    second = make_task(case, title="Another title", dedupe_key=f"plan-review:{case.pk}:2026-12-01")

    assert second.pk == first.pk
    assert Task.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="casework.task").count() == 1


def test_tasks_made_together_are_each_on_the_list_once_and_audited(case, other_caseworker):
    made_before = make_task(case, dedupe_key="confirm:1")
    wanted = [
        NewTask(case=case, kind="review", title="Confirm A", due_on=today(), dedupe_key="confirm:1"),
        NewTask(case=case, kind="review", title="Confirm B", due_on=today(), dedupe_key="confirm:2"),
        NewTask(case=case, kind="follow_up", title="Call back", due_on=days(2)),
    ]

    tasks = task_create_many(tasks=wanted)
    again = task_create_many(tasks=wanted[:2])

    assert tasks[0].pk == made_before.pk and tasks[0].title == made_before.title
    assert [t.title for t in tasks[1:]] == ["Confirm B", "Call back"]
    assert all(t.assignee == case.assigned_worker for t in tasks)
    assert [t.pk for t in again] == [t.pk for t in tasks[:2]]
    assert Task.objects.count() == 3
    assert AuditEvent.objects.filter(action="create", object_type="casework.task").count() == 3
    with pytest.raises(ValidationError) as refused:
        task_create_many(
            tasks=[NewTask(case=case, kind="review", title="X", due_on=today(), assignee=other_caseworker)]
        )
    assert "assignee" in refused.value.message_dict
    assert Task.objects.count() == 3


# My tasks and the team's overdue tasks --------------------------------------------------------


def test_no_task_is_made_for_someone_who_cannot_see_the_case(case, other_caseworker, auditor):
    # Jobs and other apps go through task_create too: a task nobody can see would be lost.
    for assignee in (other_caseworker, auditor):
        with pytest.raises(ValidationError) as refused:
            task_create(case=case, kind="follow_up", title="Call back", due_on=today(), assignee=assignee)
        assert "assignee" in refused.value.message_dict
    assert not Task.objects.exists()


def test_my_tasks_lists_overdue_ones_first_then_by_due_date(client, case, caseworker, peer):
    later = make_task(case, due_on=days(9), title="Later")
    oldest = make_task(case, due_on=days(-5), title="Oldest overdue")
    due_today = make_task(case, due_on=today(), title="Due today")
    overdue = make_task(case, due_on=days(-1), title="Yesterday's")
    tomorrow = make_task(case, due_on=days(1), title="Tomorrow")
    task_complete(acting_user=caseworker, task=make_task(case, due_on=days(-9), title="Closed"))
    make_task(case, due_on=days(-9), assignee=peer, title="Someone else's")

    tasks = list(selectors.my_tasks(user=caseworker))

    assert tasks == [oldest, overdue, due_today, tomorrow, later]
    assert [t.overdue for t in tasks] == [True, True, False, False, False]
    client.force_login(caseworker)
    page = client.get(reverse("casework:task_list")).content.decode()
    assert page.count(">Overdue</span>") == 2
    assert page.index("Oldest overdue") < page.index("Yesterday&#x27;s") < page.index("Due today") < page.index("Later")
    assert case.number in page and "Ottoline Northcott" in page
    assert "Someone else" not in page and "Closed" not in page


def test_my_tasks_leave_out_a_task_on_a_case_i_may_no_longer_see(north, caseworker, peer):
    """A job may have given me a task on a case now restricted to another worker: it is not shown."""
    theirs = case_for(ClientFactory(office=north), peer, restricted=True)
    make_task(theirs, assignee=caseworker, due_on=days(-1))

    assert list(selectors.my_tasks(user=caseworker)) == []


def test_a_supervisors_team_overdue_list_leaves_out_other_teams_and_tasks_not_overdue(
    client, north, case, caseworker, supervisor, peer, outsider, restricted_case
):
    mine = make_task(case, due_on=days(-3), title="Team overdue")
    peers = make_task(case, due_on=days(-1), assignee=peer, title="Peer overdue")
    restricted = make_task(restricted_case, due_on=days(-2), title="Restricted overdue")
    make_task(case, due_on=today(), title="Due today, not overdue")
    task_complete(acting_user=caseworker, task=make_task(case, due_on=days(-4), title="Closed overdue"))
    other_team_case = case_for(ClientFactory(office=north), outsider)
    make_task(other_team_case, due_on=days(-6), title="Other team overdue")

    tasks = list(selectors.team_overdue_tasks(supervisor=supervisor))

    assert tasks == [mine, restricted, peers]
    client.force_login(supervisor)
    page = client.get(reverse("casework:task_list"), {"scope": "team"}).content.decode()
    assert "Team overdue" in page and "Peer overdue" in page and "Restricted overdue" in page
    assert "Other team overdue" not in page and "not overdue" not in page and "Closed overdue" not in page


def test_a_caseworker_asking_for_the_team_list_gets_their_own(client, case, caseworker, peer):
    make_task(case, due_on=days(-1), assignee=peer, title="Peer overdue")
    client.force_login(caseworker)

    response = client.get(reverse("casework:task_list"), {"scope": "team"})

    assert response.context["scope"] == "mine"
    assert "Peer overdue" not in response.content.decode()


# The case's tab and the pages that change tasks -----------------------------------------------


def test_the_case_tab_lists_the_cases_tasks_open_first_and_records_a_view(client, north, case, caseworker):
    open_task = make_task(case, due_on=days(5), title="Open one")
    closed = task_complete(acting_user=caseworker, task=make_task(case, due_on=days(-5), title="Done one"))
    make_task(case_for(ClientFactory(office=north), caseworker), title="On another case")
    client.force_login(caseworker)

    response = client.get(reverse("casework:case_tasks", args=[case.pk]))

    assert response.status_code == 200
    assert [t.pk for t in response.context["tasks"]] == [open_task.pk, closed.pk]
    assert "On another case" not in response.content.decode()
    assert 'aria-current="page" href="{}"'.format(reverse("casework:case_tasks", args=[case.pk])) in (
        response.content.decode()
    )
    view = AuditEvent.objects.get(action="view", object_type="casework.case")
    assert view.changes == {"page": "tasks"}


def test_adding_a_task_through_the_page(client, case, caseworker, peer):
    client.force_login(caseworker)
    url = reverse("casework:task_add", args=[case.pk])
    page = client.get(url)
    assert page.context["form"]["assignee"].value() == caseworker.pk

    response = client.post(
        url,
        {"kind": "home_visit", "title": "Visit", "details": "", "due_on": days(2).isoformat(), "assignee": peer.pk},
    )

    assert response.status_code == 302
    assert response.url == reverse("casework:case_tasks", args=[case.pk])
    task = Task.objects.get()
    assert (task.kind, task.assignee, task.created_by) == ("home_visit", peer, caseworker)
    followed = client.get(response.url).content.decode()
    assert "Task “Visit” added" in followed


def test_the_add_page_shows_errors_next_to_the_fields_and_saves_nothing(client, case, caseworker, other_caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:task_add", args=[case.pk]),
        {"kind": "", "title": "", "due_on": days(-1).isoformat(), "assignee": other_caseworker.pk},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"kind", "title", "assignee"}  # the South worker is not among the choices
    assert not Task.objects.exists()
    response = client.post(
        reverse("casework:task_add", args=[case.pk]),
        {"kind": "other", "title": "Late", "due_on": days(-1).isoformat(), "assignee": caseworker.pk},
    )
    assert response.context["form"].errors == {"due_on": ["The due date cannot be in the past."]}
    assert 'id="error_1_id_due_on"' in response.content.decode()  # crispy puts it under the field
    assert not Task.objects.exists()


def test_completing_twice_through_the_page_says_it_is_already_closed(client, case, caseworker):
    task = make_task(case)
    client.force_login(caseworker)
    url = reverse("casework:task_complete", args=[task.pk])

    first = client.post(url, {"next": reverse("casework:task_list")})
    second = client.post(url, follow=True)

    assert first.status_code == 302 and first.url == reverse("casework:task_list")
    assert "This task is already closed." in second.content.decode()
    assert Task.objects.get().status == Task.Status.DONE


def test_closing_a_task_ignores_a_next_address_on_another_site(client, case, caseworker):
    task = make_task(case)
    client.force_login(caseworker)

    response = client.post(reverse("casework:task_cancel", args=[task.pk]), {"next": "https://evil.example/"})

    assert response.url == reverse("casework:case_tasks", args=[case.pk])
    assert Task.objects.get().status == Task.Status.CANCELLED


# Every URL, every persona ---------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    needs: str = ""  # "case" or "task": what the URL takes the id of
    method: str = "get"

    def path(self, case, task) -> str:
        if self.needs == "case":
            return reverse(self.name, args=[case.pk])
        if self.needs == "task":
            return reverse(self.name, args=[task.pk])
        return reverse(self.name)

    def __str__(self) -> str:
        return self.name


def statuses(caseworker, supervisor, other_caseworker, admin, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, (caseworker, supervisor, other_caseworker, admin, auditor), strict=True))


TABLE = [
    #                                                          cw   sup  other admin auditor
    (Url("casework:task_list"), statuses(200, 200, 200, 403, 403)),
    (Url("casework:case_tasks", "case"), statuses(200, 200, 404, 404, 404)),
    (Url("casework:task_add", "case"), statuses(200, 200, 404, 403, 403)),
    (Url("casework:task_complete", "task", "post"), statuses(302, 302, 404, 403, 403)),
    (Url("casework:task_cancel", "task", "post"), statuses(302, 302, 404, 403, 403)),
]
# On a restricted case of `caseworker`: their supervisor sees it, a peer of the same team does not.
RESTRICTED = {"caseworker": "ok", "supervisor": "ok", "peer": 404}


def test_the_table_covers_every_task_url():
    names = {f"casework:{p.name}" for p in casework_urls.urlpatterns if p.callback.__module__ == tasks_views.__name__}
    assert {str(url) for url, _ in TABLE} == names


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives(client, people, case, url, expected, persona):
    task = make_task(case, title="Ask Ottoline for the lease")
    client.force_login(people[persona])

    response = getattr(client, url.method)(url.path(case, task))

    assert response.status_code == expected[persona]
    if response.status_code in (403, 404):
        assert "Northcott" not in response.content.decode()
        assert Task.objects.get().status == Task.Status.OPEN


@pytest.mark.parametrize("persona", list(RESTRICTED))
@pytest.mark.parametrize(("url", "_"), TABLE[1:], ids=[str(url) for url, _ in TABLE[1:]])
def test_a_restricted_cases_tasks_are_for_its_worker_and_their_supervisor(
    client, people, restricted_case, url, _, persona
):
    task = make_task(restricted_case, title="Safety plan")
    client.force_login(people[persona])

    response = getattr(client, url.method)(url.path(restricted_case, task))

    if RESTRICTED[persona] == 404:
        assert response.status_code == 404
        assert "Vantongeren" not in response.content.decode()
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("url", "_"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, case, url, _):
    task = make_task(case)
    path = url.path(case, task)

    response = getattr(client, url.method)(path)

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("accounts:login")
    assert parse_qs(location.query)["next"] == [path]


# Queries --------------------------------------------------------------------------------------

MAX_QUERIES = {
    "mine": 15,
    "team": 15,
    "case_tab": 16,
}  # 4 of them write the read event: a savepoint, its row, its clients in one insert


def new_case(office, worker):
    return case_for(ClientFactory(office=office, last_name=f"Listed{next(_serial)}"), worker)


def test_my_tasks_queries_do_not_grow_with_tasks(client, north, caseworker, django_assert_max_num_queries):
    def add_rows(n):
        for i in range(n):
            make_task(new_case(north, caseworker), due_on=days(i % 7 - 3), assignee=caseworker, title=f"Row {i}")

    client.force_login(caseworker)
    html = assert_constant(
        client,
        "task list (mine)",
        reverse("casework:task_list"),
        add_rows,
        MAX_QUERIES["mine"],
        django_assert_max_num_queries,
    )
    assert html.count(">Row ") == 50


def test_team_overdue_tasks_queries_do_not_grow_with_tasks(client, north, supervisor, django_assert_max_num_queries):
    def add_rows(n):
        for i in range(n):
            worker = UserFactory(
                username=f"team{next(_serial)}", office=north, team=supervisor.team, roles=["caseworker"]
            )
            make_task(new_case(north, worker), due_on=days(-1 - i % 5), title=f"Row {i}")

    client.force_login(supervisor)
    html = assert_constant(
        client,
        "task list (team)",
        reverse("casework:task_list"),
        add_rows,
        MAX_QUERIES["team"],
        django_assert_max_num_queries,
        params={"scope": "team"},
    )
    assert html.count(">Row ") == 50


def test_case_tab_queries_do_not_grow_with_tasks(client, north, case, caseworker, django_assert_max_num_queries):
    def add_rows(n):
        for i in range(n):
            worker = UserFactory(username=f"assignee{next(_serial)}", office=north, roles=["caseworker"])
            task = make_task(case, due_on=days(i % 9 - 4), assignee=worker, title=f"Row {i}", created_by=caseworker)
            if i % 3 == 0:
                task_complete(acting_user=worker, task=task)

    client.force_login(caseworker)
    html = assert_constant(
        client,
        "case tasks tab",
        reverse("casework:case_tasks", args=[case.pk]),
        add_rows,
        MAX_QUERIES["case_tab"],
        django_assert_max_num_queries,
    )
    assert html.count("<td>Row ") == 50
