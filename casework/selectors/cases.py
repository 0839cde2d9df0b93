from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.access import case_scope, client_scope
from accounts.models import User
from casework.models import Case, CaseAssignment, CaseStatusChange, Task
from clients.models import HouseholdMembership


def cases_visible(*, user) -> QuerySet[Case]:
    return Case.objects.filter(case_scope(user))


def case_get(*, user, pk: int) -> Case:
    """The case if `user` may see it, else 404."""
    return get_object_or_404(
        cases_visible(user=user).select_related("primary_client", "household", "office", "assigned_worker"), pk=pk
    )


def case_list(
    *, user, worker: User | None = None, status: str = "", client_id: int | None = None, team_of: User | None = None
) -> QuerySet[Case]:
    """Cases for a caseload page: each with its next open task's due date, in one query."""
    next_due = Task.objects.filter(case=OuterRef("pk"), status=Task.Status.OPEN).order_by("due_on").values("due_on")[:1]
    cases = cases_visible(user=user).select_related("primary_client", "assigned_worker", "office")
    if worker is not None:
        cases = cases.filter(assigned_worker=worker)
    if team_of is not None:
        cases = cases.filter(assigned_worker__team__supervisor=team_of)
    if status == "active":
        cases = cases.filter(status__in=Case.ACTIVE)
    elif status:
        cases = cases.filter(status=status)
    if client_id is not None:
        cases = cases.filter(Q(primary_client_id=client_id) | Q(household__memberships__client_id=client_id)).distinct()
    return cases.annotate(next_task_due=Subquery(next_due)).order_by("primary_client__last_name", "number")


def case_detail(*, user, case: Case) -> dict:
    """What the case page shows besides the case: members the user may see, and its history."""
    members = list(
        HouseholdMembership.objects.filter(client_scope(user, prefix="client__"), household_id=case.household_id)
        .select_related("client")
        .order_by("end_date", "start_date", "id")
    )
    return {
        "members": members,
        "status_changes": list(CaseStatusChange.objects.filter(case=case).select_related("changed_by")),
        "assignments": list(
            CaseAssignment.objects.filter(case=case).select_related("worker", "assigned_by").order_by("-started_at")
        ),
    }


def workers_for_transfer(*, supervisor: User) -> QuerySet[User]:
    """Workers of the supervisor's office who can take cases, each with their active caseload."""
    return (
        User.objects.filter(
            office_id=supervisor.office_id, is_active=True, groups__name__in=["caseworker", "supervisor"]
        )
        .distinct()
        .annotate(
            active_cases=Count("cases", filter=Q(cases__status__in=Case.ACTIVE), distinct=True),
        )
        .order_by("last_name", "first_name")
    )
