"""Service and employment plans: versions, agreement, review tasks, the printable copy, access and query counts.

Plans are made through `casework.services.plans` (see plan_helpers); the personas come from
the root conftest: `caseworker` and `supervisor` (North office, same team), `other_caseworker`
(South office), `admin_user` and `auditor`.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from casework import urls as casework_urls
from casework.models import Goal, Plan, PlanStep, ProgressNote, SupportiveService, Task, WorkActivity
from casework.services import plans as services
from casework.services.cases import case_transition
from casework.tests.plan_helpers import add_member, agreed_plan, draft_plan, household_case, today
from tests.factories import ClientFactory, UserFactory

# One frozen moment (10:00 in Chicago on 12 March 2026): plan, schedule and month dates stay put while a test runs.
pytestmark = pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)

PERSONAS = ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"]


@pytest.fixture
def case(north, caseworker):
    return household_case(office=north, worker=caseworker, members=1, first_name="Ottoline", last_name="Northcott")


def snapshot(plan: Plan) -> dict:
    """Everything a version holds, as plain values, to show it did not change."""
    plan.refresh_from_db()
    return {
        "plan": (plan.version, plan.status, plan.summary, plan.agreed_on, plan.review_on),
        "goals": list(Goal.objects.filter(plan=plan).values_list("pk", "description", "barrier", "position")),
        "steps": list(
            PlanStep.objects.filter(goal__plan=plan).values_list(
                "pk", "description", "responsible", "target_on", "status"
            )
        ),
        "activities": list(WorkActivity.objects.filter(plan=plan).values_list("pk", "kind", "weekly_hours")),
        "services": list(SupportiveService.objects.filter(plan=plan).values_list("pk", "kind", "description")),
    }


# Making a plan ----------------------------------------------------------------------------------


def test_plan_is_for_the_primary_client_or_a_current_household_member(case, caseworker, north):
    member = case.household.memberships.exclude(client=case.primary_client).get().client
    outsider = ClientFactory(office=north)

    for_primary = services.plan_create(acting_user=caseworker, case=case, client=case.primary_client, kind="service")
    for_member = services.plan_create(acting_user=caseworker, case=case, client=member, kind="employment")
    with pytest.raises(ValidationError) as refused:
        services.plan_create(acting_user=caseworker, case=case, client=outsider, kind="service")

    assert (for_primary.version, for_primary.status) == (1, Plan.Status.DRAFT)
    assert for_member.client == member
    assert "not a current member" in str(refused.value.message_dict["client"])
    event = AuditEvent.objects.get(object_type="casework.plan", object_id=str(for_primary.pk), action="create")
    assert event.changes["kind"] == [None, "service"]
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_a_member_who_left_the_household_gets_no_new_plan(case, caseworker):
    membership = case.household.memberships.exclude(client=case.primary_client).get()
    membership.end_date = today()
    membership.save(update_fields=["end_date"])

    with pytest.raises(ValidationError):
        services.plan_create(acting_user=caseworker, case=case, client=membership.client, kind="service")


def test_a_second_plan_of_the_same_kind_is_refused_in_favour_of_a_revision(case, caseworker):
    agreed_plan(worker=caseworker, case=case)

    with pytest.raises(ValidationError) as refused:
        services.plan_create(acting_user=caseworker, case=case, client=case.primary_client, kind="employment")

    assert "revise it instead" in str(refused.value)


def test_only_caseworkers_and_supervisors_write_plans(case, auditor, admin_user):
    for user in (auditor, admin_user):
        with pytest.raises(PermissionDenied):
            services.plan_create(acting_user=user, case=case, client=case.primary_client, kind="service")


def test_a_closed_case_gets_no_new_plan(case, caseworker):
    case_transition(acting_user=caseworker, case=case, to="closed", closure_reason="goals_met")

    with pytest.raises(ValidationError):
        services.plan_create(acting_user=caseworker, case=case, client=case.primary_client, kind="service")


def test_a_service_plan_has_no_work_activities_or_supportive_services(case, caseworker):
    plan = draft_plan(worker=caseworker, case=case, kind="service")

    with pytest.raises(ValidationError, match="employment plan"):
        services.plan_activity_add(acting_user=caseworker, plan=plan, kind="job_search", weekly_hours=Decimal("10"))
    with pytest.raises(ValidationError, match="employment plan"):
        services.plan_service_add(acting_user=caseworker, plan=plan, kind="childcare")


def test_weekly_hours_of_a_work_activity_are_above_0_and_at_most_80(case, caseworker):
    plan = draft_plan(worker=caseworker, case=case, goals=0)
    for hours in (Decimal("0"), Decimal("-1"), Decimal("80.5")):
        with pytest.raises(ValidationError) as refused:
            services.plan_activity_add(acting_user=caseworker, plan=plan, kind="job_search", weekly_hours=hours)
        assert "weekly_hours" in refused.value.message_dict


# Agreeing -----------------------------------------------------------------------------------------


def test_a_plan_needs_a_goal_and_a_step_for_each_goal_to_be_agreed(case, caseworker):
    plan = draft_plan(worker=caseworker, case=case, goals=0)
    with pytest.raises(ValidationError, match="at least one goal"):
        services.plan_agree(acting_user=caseworker, plan=plan, agreed_on=today())

    services.plan_goal_add(acting_user=caseworker, plan=plan, description="Finish the GED", barrier="education")
    with pytest.raises(ValidationError, match="Finish the GED"):
        services.plan_agree(acting_user=caseworker, plan=plan, agreed_on=today())

    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_a_plan_cannot_be_agreed_on_a_date_still_to_come(case, caseworker):
    plan = draft_plan(worker=caseworker, case=case)

    with pytest.raises(ValidationError) as refused:
        services.plan_agree(acting_user=caseworker, plan=plan, agreed_on=today() + timedelta(days=1))

    assert "agreed_on" in refused.value.message_dict
    plan.refresh_from_db()
    assert (plan.status, plan.agreed_on) == (Plan.Status.DRAFT, None)


def test_agreeing_records_the_date_and_an_audit_event(case, caseworker):
    plan = agreed_plan(worker=caseworker, case=case)

    plan.refresh_from_db()
    assert (plan.status, plan.agreed_on) == (Plan.Status.AGREED, today())
    event = AuditEvent.objects.filter(object_type="casework.plan", object_id=str(plan.pk), action="update").get()
    assert event.changes == {"status": ["draft", "agreed"], "agreed_on": [None, today().isoformat()]}


def test_an_agreed_plan_is_not_editable_by_any_service(case, caseworker):
    plan = agreed_plan(worker=caseworker, case=case)
    goal = plan.goals.get()
    step = goal.steps.get()
    before = snapshot(plan)
    attempts = [
        lambda: services.plan_change(acting_user=caseworker, plan=plan, summary="Changed", review_on=None),
        lambda: services.plan_goal_add(acting_user=caseworker, plan=plan, description="New", barrier="health"),
        lambda: services.plan_goal_change(acting_user=caseworker, goal=goal, description="Changed", barrier="legal"),
        lambda: services.plan_goal_remove(acting_user=caseworker, goal=goal),
        lambda: services.plan_step_add(
            acting_user=caseworker, goal=goal, description="New", responsible="worker", target_on=today()
        ),
        lambda: services.plan_step_change(
            acting_user=caseworker, step=step, description="x", responsible="worker", target_on=today(), status="done"
        ),
        lambda: services.plan_step_remove(acting_user=caseworker, step=step),
        lambda: services.plan_activity_add(acting_user=caseworker, plan=plan, kind="training", weekly_hours=Decimal(5)),
        lambda: services.plan_activity_remove(acting_user=caseworker, activity=plan.work_activities.get()),
        lambda: services.plan_service_add(acting_user=caseworker, plan=plan, kind="childcare"),
        lambda: services.plan_service_remove(acting_user=caseworker, service=plan.supportive_services.get()),
        lambda: services.plan_agree(acting_user=caseworker, plan=plan, agreed_on=today()),
    ]

    for attempt in attempts:
        with pytest.raises(ValidationError, match="revise it to change it"):
            attempt()

    assert snapshot(plan) == before


def test_an_agreed_plan_refuses_changes_through_the_pages_too(client, case, caseworker):
    plan = agreed_plan(worker=caseworker, case=case)
    goal = plan.goals.get()
    before = snapshot(plan)
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:plan_goal_add", args=[case.pk, plan.pk]),
        {"goal-description": "Another goal", "goal-barrier": "housing"},
    )
    step = client.post(
        reverse("casework:plan_step_add", args=[case.pk, plan.pk, goal.pk]),
        {
            f"step-{goal.pk}-description": "Late step",
            f"step-{goal.pk}-responsible": "client",
            f"step-{goal.pk}-target_on": today().isoformat(),
            f"step-{goal.pk}-status": "not_started",
        },
    )
    edit_page = client.get(reverse("casework:plan_goal_edit", args=[case.pk, plan.pk, goal.pk]))

    for refused in (response, step):
        assert refused.status_code == 400
        assert "revise it to change it" in refused.content.decode()
    assert edit_page.status_code == 302  # edit pages are for drafts
    assert snapshot(plan) == before


# Versions -----------------------------------------------------------------------------------------


def test_revise_copies_the_agreed_plan_into_a_new_draft_and_leaves_version_1_as_it_was(case, caseworker):
    v1 = agreed_plan(worker=caseworker, case=case, goals=2)
    before = snapshot(v1)

    v2 = services.plan_revise(acting_user=caseworker, plan=v1)
    goal = v2.goals.order_by("position").first()
    step = goal.steps.get()
    services.plan_step_change(
        acting_user=caseworker,
        step=step,
        description=step.description,
        responsible=step.responsible,
        target_on=step.target_on,
        status="done",
    )
    services.plan_goal_add(
        acting_user=caseworker, plan=v2, description="Get a driving licence", barrier="transportation"
    )
    services.plan_activity_add(acting_user=caseworker, plan=v2, kind="training", weekly_hours=Decimal("10"))

    assert (v2.version, v2.status, v2.previous_id) == (2, Plan.Status.DRAFT, v1.pk)
    copy = snapshot(v2)
    assert [g[1:] for g in copy["goals"][:2]] == [g[1:] for g in before["goals"]]
    assert {s[0] for s in copy["steps"]}.isdisjoint({s[0] for s in before["steps"]})  # new rows, not shared
    assert len(copy["activities"]) == 2 and len(copy["services"]) == 1
    assert snapshot(v1) == before  # v1 untouched, still agreed
    assert before["plan"][1] == Plan.Status.AGREED


def test_agreeing_the_revision_supersedes_the_earlier_version_which_stays_readable_as_it_was(client, case, caseworker):
    v1 = agreed_plan(worker=caseworker, case=case)
    v2 = services.plan_revise(acting_user=caseworker, plan=v1)
    services.plan_goal_change(
        acting_user=caseworker, goal=v2.goals.get(), description="Keep a full-time job", barrier="transportation"
    )
    before = snapshot(v1)

    services.plan_agree(acting_user=caseworker, plan=v2, agreed_on=today())

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (Plan.Status.SUPERSEDED, Plan.Status.AGREED)
    after = snapshot(v1)
    assert after["plan"][1] == Plan.Status.SUPERSEDED
    assert {k: v for k, v in after.items() if k != "plan"} == {k: v for k, v in before.items() if k != "plan"}
    client.force_login(caseworker)
    page = client.get(reverse("casework:plan_detail", args=[case.pk, v1.pk])).content.decode()
    assert "Get reliable childcare 1" in page
    assert "Keep a full-time job" not in page
    assert "replaced by a later one" in page
    assert ">Revise this plan<" not in page
    with pytest.raises(ValidationError):
        services.plan_goal_add(acting_user=caseworker, plan=v1, description="Late change", barrier="other")


def test_only_the_current_agreed_version_is_revised_and_only_once(case, caseworker):
    v1 = agreed_plan(worker=caseworker, case=case)
    v2 = services.plan_revise(acting_user=caseworker, plan=v1)

    with pytest.raises(ValidationError, match="already has a later version"):
        services.plan_revise(acting_user=caseworker, plan=v1)
    with pytest.raises(ValidationError, match="still a draft"):
        services.plan_revise(acting_user=caseworker, plan=v2)
    services.plan_agree(acting_user=caseworker, plan=v2, agreed_on=today())
    with pytest.raises(ValidationError, match="already has a later version"):
        services.plan_revise(acting_user=caseworker, plan=v1)
    assert services.plan_revise(acting_user=caseworker, plan=v2).version == 3


# Review tasks ----------------------------------------------------------------------------------------


def test_agreeing_a_plan_with_a_review_date_makes_one_review_task_for_the_case_worker(case, caseworker, supervisor):
    review_on = today() + timedelta(days=90)
    plan = draft_plan(worker=caseworker, case=case, review_on=review_on)
    assert not Task.objects.exists()  # a draft has nothing to review yet

    services.plan_agree(acting_user=supervisor, plan=plan, agreed_on=today())
    plan.refresh_from_db()
    again = services.plan_review_task_ensure(plan=plan)

    task = Task.objects.get()
    assert again == task
    assert (task.kind, task.due_on, task.assignee, task.case) == ("plan_review", review_on, caseworker, case)
    assert task.dedupe_key == f"plan-review:{plan.pk}:{review_on}"


def test_agreeing_a_revision_cancels_the_old_review_task_and_makes_its_own(case, caseworker):
    v1 = agreed_plan(worker=caseworker, case=case, review_on=today() + timedelta(days=90))
    v2 = services.plan_revise(acting_user=caseworker, plan=v1)
    assert v2.review_on is None
    services.plan_change(acting_user=caseworker, plan=v2, summary=v2.summary, review_on=today() + timedelta(days=180))

    services.plan_agree(acting_user=caseworker, plan=v2, agreed_on=today())

    old, new = Task.objects.order_by("pk")
    assert (old.status, new.status) == (Task.Status.CANCELLED, Task.Status.OPEN)
    assert new.dedupe_key == f"plan-review:{v2.pk}:{today() + timedelta(days=180)}"


def test_a_review_date_comes_after_the_agreement(case, caseworker):
    with pytest.raises(ValidationError) as refused:
        draft_plan(worker=caseworker, case=case, review_on=today())

    assert "review_on" in refused.value.message_dict


# Progress notes ---------------------------------------------------------------------------------------


def test_progress_is_noted_on_the_agreed_version_only(case, caseworker):
    v1 = agreed_plan(worker=caseworker, case=case)
    note = services.plan_progress_note_add(
        acting_user=caseworker, plan=v1, goal=v1.goals.get(), body="Subsidy application sent."
    )
    v2 = services.plan_revise(acting_user=caseworker, plan=v1)

    with pytest.raises(ValidationError, match="agree this draft first"):
        services.plan_progress_note_add(acting_user=caseworker, plan=v2, body="Too early")
    services.plan_agree(acting_user=caseworker, plan=v2, agreed_on=today())
    with pytest.raises(ValidationError, match="current version"):
        services.plan_progress_note_add(acting_user=caseworker, plan=v1, body="Too late")
    assert list(ProgressNote.objects.all()) == [note]
    assert not v2.progress_notes.exists()  # notes stay with the version they were written about


# Pages ------------------------------------------------------------------------------------------------


def test_a_caseworker_builds_and_agrees_a_plan_through_the_pages(client, case, caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("casework:plan_create", args=[case.pk]),
        {"new-client": case.primary_client_id, "new-kind": "employment", "new-summary": "Work in a warehouse"},
    )
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("casework:plan_detail", args=[case.pk, plan.pk])
    client.post(
        reverse("casework:plan_goal_add", args=[case.pk, plan.pk]),
        {"goal-description": "Get a forklift licence", "goal-barrier": "education"},
    )
    goal = plan.goals.get()
    missing_date = client.post(
        reverse("casework:plan_step_add", args=[case.pk, plan.pk, goal.pk]),
        {f"step-{goal.pk}-description": "Enrol in the course", f"step-{goal.pk}-responsible": "client"},
    )
    assert missing_date.status_code == 400
    assert "This field is required." in missing_date.content.decode()
    client.post(
        reverse("casework:plan_step_add", args=[case.pk, plan.pk, goal.pk]),
        {
            f"step-{goal.pk}-description": "Enrol in the course",
            f"step-{goal.pk}-responsible": "client",
            f"step-{goal.pk}-target_on": (today() + timedelta(days=14)).isoformat(),
            f"step-{goal.pk}-status": "not_started",
        },
    )
    client.post(
        reverse("casework:plan_activity_add", args=[case.pk, plan.pk]),
        {"activity-kind": "training", "activity-weekly_hours": "25"},
    )
    client.post(
        reverse("casework:plan_service_add", args=[case.pk, plan.pk]),
        {"service-kind": "training_costs", "service-description": "Course fee"},
    )
    future = client.post(
        reverse("casework:plan_agree", args=[case.pk, plan.pk]),
        {"agree-agreed_on": (today() + timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 400
    assert "Enter a date that has already happened" in future.content.decode()

    agreed = client.post(reverse("casework:plan_agree", args=[case.pk, plan.pk]), {"agree-agreed_on": today()})

    assert agreed.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AGREED
    assert (plan.goals.get().steps.count(), plan.work_activities.count(), plan.supportive_services.count()) == (1, 1, 1)
    page = client.get(reverse("casework:plan_detail", args=[case.pk, plan.pk]))
    assert "Version 1 agreed on" in page.content.decode()


def test_every_input_on_a_draft_plan_page_has_a_label(client, case, caseworker):
    plan = draft_plan(worker=caseworker, case=case, goals=2)
    client.force_login(caseworker)

    html = client.get(reverse("casework:plan_detail", args=[case.pk, plan.pk])).content.decode()

    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in html, field_id


# The printable copy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("confidential", [True, False])
def test_printable_plan_shows_the_plan_and_signature_lines_but_never_the_address(
    client, north, caseworker, confidential
):
    case = household_case(
        office=north,
        worker=caseworker,
        first_name="Marisol",
        last_name="Quintanilla",
        address_line1="742 Evergreen Terrace",
        address_line2="Apartment 3B",
        postal_code="97403",
        address_confidential=confidential,
    )
    plan = agreed_plan(worker=caseworker, case=case)
    client.force_login(caseworker)

    response = client.get(reverse("casework:plan_print", args=[case.pk, plan.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Marisol Quintanilla" in html
    for shown in ("Get reliable childcare 1", "Apply for a childcare subsidy 1", "Job club", "Monthly bus pass"):
        assert shown in html
    assert html.count('class="signature-line"') == 2
    assert "Client: Marisol Quintanilla" in html and "Caseworker:" in html
    for hidden in ("742 Evergreen", "Evergreen Terrace", "Apartment 3B", "97403"):
        assert hidden not in html
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk), changes__page="plans").exists()


def test_printable_plan_of_a_restricted_case_has_no_address_either(client, north, caseworker):
    case = household_case(office=north, worker=caseworker, restricted=True, address_line1="12 Hidden Lane")
    plan = agreed_plan(worker=caseworker, case=case)
    client.force_login(caseworker)

    html = client.get(reverse("casework:plan_print", args=[case.pk, plan.pk])).content.decode()

    assert "Hidden Lane" not in html


# Access ----------------------------------------------------------------------------------------------


@dataclass
class PlanFile:
    case: object
    agreed: Plan  # a service plan, agreed
    draft: Plan  # an employment plan, draft


@pytest.fixture
def plan_file(case, caseworker) -> PlanFile:
    return PlanFile(
        case=case,
        agreed=agreed_plan(worker=caseworker, case=case, kind="service"),
        draft=draft_plan(worker=caseworker, case=case, kind="employment"),
    )


@dataclass(frozen=True)
class Url:
    name: str
    kwargs: object
    method: str = "get"

    def path(self, f: PlanFile) -> str:
        return reverse(f"casework:{self.name}", kwargs=self.kwargs(f))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def _case(f):
    return {"pk": f.case.pk}


def _agreed(f):
    return {"pk": f.case.pk, "plan_pk": f.agreed.pk}


def _draft(f):
    return {"pk": f.case.pk, "plan_pk": f.draft.pk}


def _draft_goal(f):
    return {**_draft(f), "goal_pk": f.draft.goals.get().pk}


def _draft_step(f):
    return {**_draft(f), "step_pk": PlanStep.objects.get(goal__plan=f.draft).pk}


def statuses(caseworker, supervisor, other_caseworker, admin, auditor) -> dict[str, int]:
    return dict(zip(PERSONAS, (caseworker, supervisor, other_caseworker, admin, auditor), strict=True))


READ = statuses(200, 200, 404, 404, 404)  # pages of the case: the case rule decides
WRITE_PAGE = statuses(200, 200, 404, 403, 403)  # refused on the role first (no lookup), then the case rule
BAD_POST = statuses(400, 400, 404, 403, 403)  # an empty form: errors shown next to the fields
ACTION = statuses(302, 302, 404, 403, 403)  # done, back to the plan with a message

TABLE = [
    (Url("case_plans", _case), READ),
    (Url("plan_detail", _agreed), READ),
    (Url("plan_detail", _draft), READ),
    (Url("plan_print", _agreed), READ),
    (Url("plan_create", _case, "post"), BAD_POST),
    (Url("plan_edit", _draft), WRITE_PAGE),
    (Url("plan_edit", _draft, "post"), statuses(302, 302, 404, 403, 403)),  # a blank summary is a summary
    (Url("plan_agree", _draft, "post"), BAD_POST),
    (Url("plan_revise", _agreed, "post"), ACTION),
    (Url("plan_goal_add", _draft, "post"), BAD_POST),
    (Url("plan_goal_edit", _draft_goal), WRITE_PAGE),
    (Url("plan_goal_remove", _draft_goal, "post"), ACTION),
    (Url("plan_step_add", _draft_goal, "post"), BAD_POST),
    (Url("plan_step_edit", _draft_step), WRITE_PAGE),
    (Url("plan_step_remove", _draft_step, "post"), ACTION),
    (Url("plan_activity_add", _draft, "post"), BAD_POST),
    (
        Url("plan_activity_remove", lambda f: {**_draft(f), "activity_pk": f.draft.work_activities.get().pk}, "post"),
        ACTION,
    ),
    (Url("plan_service_add", _draft, "post"), BAD_POST),
    (
        Url("plan_service_remove", lambda f: {**_draft(f), "service_pk": f.draft.supportive_services.get().pk}, "post"),
        ACTION,
    ),
    (Url("plan_note_add", _agreed, "post"), BAD_POST),
]


def test_the_table_covers_every_plan_url():
    names = {p.name for p in casework_urls.urlpatterns if p.name == "case_plans" or p.name.startswith("plan_")}
    assert {url.name for url, _ in TABLE} == names


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), TABLE, ids=[str(url) for url, _ in TABLE])
def test_each_persona_gets_the_status_the_access_rule_gives(client, personas, plan_file, url, expected, persona):
    path = url.path(plan_file)
    client.force_login(personas[persona])

    response = getattr(client, url.method)(path)

    assert response.status_code == expected[persona]
    if response.status_code in (403, 404):
        assert "Northcott" not in response.content.decode()
    if response.status_code == 200:
        assert "Ottoline Northcott" in response.content.decode()


@pytest.mark.parametrize("url", [url for url, _ in TABLE], ids=str)
def test_anonymous_visitor_is_sent_to_sign_in(client, plan_file, url):
    path = url.path(plan_file)

    response = getattr(client, url.method)(path)

    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("accounts:login")


def test_plans_of_a_restricted_case_are_for_its_worker_and_their_supervisor_only(client, north, caseworker, supervisor):
    peer = UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])
    case = household_case(office=north, worker=caseworker, restricted=True)
    plan = agreed_plan(worker=caseworker, case=case)
    tab = reverse("casework:case_plans", args=[case.pk])
    page = reverse("casework:plan_print", args=[case.pk, plan.pk])

    for user, expected in ((caseworker, 200), (supervisor, 200), (peer, 404)):
        client.force_login(user)
        assert client.get(tab).status_code == expected
        assert client.get(page).status_code == expected


def test_a_restricted_member_closes_the_case_and_its_plans_to_colleagues(client, north, caseworker, supervisor):
    """An office colleague would see an unrestricted case through the office; one restricted member closes it."""
    north.share_cases_in_office = True
    north.save(update_fields=["share_cases_in_office"])
    peer = UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])
    case = household_case(office=north, worker=caseworker, first_name="Visible")
    hidden = add_member(case, office=north, first_name="Quietta", restricted=True)
    agreed_plan(worker=caseworker, case=case)
    hidden_plan = agreed_plan(worker=caseworker, case=case, client=hidden)
    client.force_login(peer)

    tab = client.get(reverse("casework:case_plans", args=[case.pk]))
    page = client.get(reverse("casework:plan_detail", args=[case.pk, hidden_plan.pk]))

    assert tab.status_code == 404 and page.status_code == 404
    client.force_login(supervisor)
    assert "Quietta" in client.get(reverse("casework:case_plans", args=[case.pk])).content.decode()


# Query counts ---------------------------------------------------------------------------------------

SMALL, LARGE = 5, 50
MAX_QUERIES = {"plans": 17, "plan": 22}  # measured on SQLite and PostgreSQL


def load(client, path, ceiling, django_assert_max_num_queries) -> tuple[int, str]:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def assert_constant(client, page, path, add_rows, django_assert_max_num_queries) -> str:
    add_rows(SMALL)
    client.get(path)  # warm up
    small, _ = load(client, path, MAX_QUERIES[page], django_assert_max_num_queries)
    add_rows(LARGE - SMALL)
    large, html = load(client, path, MAX_QUERIES[page], django_assert_max_num_queries)
    assert small == large, f"{page}: {small} queries for {SMALL} rows but {large} for {LARGE}"
    return html


def test_plans_tab_queries_do_not_grow_with_plans(client, north, caseworker, django_assert_max_num_queries):
    case = household_case(office=north, worker=caseworker)

    def add_rows(n):
        for _ in range(n):
            member = add_member(case, office=north, last_name="Planholder")
            plan = agreed_plan(worker=caseworker, case=case, client=member)
            services.plan_revise(acting_user=caseworker, plan=plan)  # a draft v2, so v1 is listed as earlier

    client.force_login(caseworker)
    html = assert_constant(
        client, "plans", reverse("casework:case_plans", args=[case.pk]), add_rows, django_assert_max_num_queries
    )
    assert html.count("Planholder</td>") == LARGE
    assert html.count(">version 1</a>, agreed ") == LARGE  # in force while version 2 is drafted
    assert html.count(">version 1</a></td>") == LARGE  # and listed as an earlier version


def test_plan_page_queries_do_not_grow_with_goals_and_steps(client, north, caseworker, django_assert_max_num_queries):
    case = household_case(office=north, worker=caseworker)
    plan = draft_plan(worker=caseworker, case=case, goals=0)

    def add_rows(n):
        for i in range(n):
            goal = services.plan_goal_add(acting_user=caseworker, plan=plan, description=f"Goal {i}", barrier="other")
            for j in range(2):
                services.plan_step_add(
                    acting_user=caseworker,
                    goal=goal,
                    description=f"Step {i}.{j}",
                    responsible="worker",
                    target_on=today(),
                )
            services.plan_activity_add(acting_user=caseworker, plan=plan, kind="job_search", weekly_hours=Decimal(1))

    client.force_login(caseworker)
    html = assert_constant(
        client,
        "plan",
        reverse("casework:plan_detail", args=[case.pk, plan.pk]),
        add_rows,
        django_assert_max_num_queries,
    )
    assert html.count("<td>Step ") == 2 * LARGE


@pytest.mark.parametrize("typed", ["7,5", "1e-2", "Infinity"])
def test_a_supportive_service_cost_that_is_not_an_amount_is_refused_on_the_page(client, case, caseworker, typed):
    plan = services.plan_create(acting_user=caseworker, case=case, client=case.primary_client, kind="employment")
    client.force_login(caseworker)
    response = client.post(
        reverse("casework:plan_service_add", args=[case.pk, plan.pk]),
        {"service-kind": "transportation", "service-estimated_monthly_cost": typed},
    )
    assert response.status_code == 400
    assert "Enter an amount like 1,450.00." in response.content.decode()
    assert not SupportiveService.objects.exists()
