"""Plans and schedules made through the real services, for the plan, attendance and participation tests."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from casework.models import Plan
from casework.services import plans as plan_services
from casework.services.cases import case_access_sync
from tests.factories import ClientFactory, HouseholdFactory, MembershipFactory, case_for


def today() -> date:
    return timezone.localdate()


def household_case(*, office, worker, members: int = 0, restricted: bool = False, **client_fields):
    """A case for a new household: a head (the primary client) and `members` others, all with access rows."""
    household = HouseholdFactory(office=office)
    head = ClientFactory(office=office, **client_fields)
    MembershipFactory(client=head, household=household, relationship="head")
    for _ in range(members):
        MembershipFactory(client=ClientFactory(office=office), household=household, relationship="child")
    return case_for(head, worker, restricted=restricted)


def add_member(case, *, office, **client_fields):
    """A new current member of the case's household, with the access row casework keeps for them."""
    member = ClientFactory(office=office, **client_fields)
    MembershipFactory(client=member, household=case.household, relationship="child")
    case_access_sync(case=case)
    return member


def draft_plan(
    *,
    worker,
    case,
    client=None,
    kind: str = Plan.Kind.EMPLOYMENT,
    goals: int = 1,
    review_on: date | None = None,
    summary: str = "Find steady work within six months",
) -> Plan:
    """A draft with `goals` goals of one step each; an employment plan also gets an activity and a service."""
    plan = plan_services.plan_create(
        acting_user=worker,
        case=case,
        client=client or case.primary_client,
        kind=kind,
        summary=summary,
        review_on=review_on,
    )
    for i in range(goals):
        goal = plan_services.plan_goal_add(
            acting_user=worker, plan=plan, description=f"Get reliable childcare {i + 1}", barrier="childcare"
        )
        plan_services.plan_step_add(
            acting_user=worker,
            goal=goal,
            description=f"Apply for a childcare subsidy {i + 1}",
            responsible="client",
            target_on=today() + timedelta(days=30),
        )
    if kind == Plan.Kind.EMPLOYMENT:
        plan_services.plan_activity_add(
            acting_user=worker, plan=plan, kind="job_club", weekly_hours=Decimal("20"), provider="Riverton Job Center"
        )
        plan_services.plan_service_add(
            acting_user=worker,
            plan=plan,
            kind="transportation",
            description="Monthly bus pass",
            estimated_monthly_cost=Decimal("45.00"),
        )
    return plan


def agreed_plan(*, worker, case, client=None, kind: str = Plan.Kind.EMPLOYMENT, **options) -> Plan:
    plan = draft_plan(worker=worker, case=case, client=client, kind=kind, **options)
    return plan_services.plan_agree(acting_user=worker, plan=plan, agreed_on=today())
