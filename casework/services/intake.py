"""Intake: a household registered and its case opened, in one step."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from casework.models import Case
from casework.services.cases import case_open
from casework.services.tasks import task_create
from clients.models import HouseholdMembership
from clients.services import MemberInput, household_register


def case_intake(*, acting_user: User, members: list[MemberInput], name: str = "", restricted: bool = False) -> Case:
    """Register the household and open its case in intake, assigned to the worker doing the intake.

    Nothing is saved unless all of it is. The worker gets a task to finish the intake within a week.
    """
    with transaction.atomic():
        household = household_register(acting_user=acting_user, office=acting_user.office, members=members, name=name)
        head = HouseholdMembership.objects.get(household=household, relationship="head", end_date__isnull=True)
        case = case_open(
            acting_user=acting_user, household=household, primary_client=head.client, restricted=restricted
        )
        task_create(
            case=case,
            kind="intake",
            title=f"Finish intake for {head.client}",
            due_on=timezone.localdate() + timedelta(days=7),
            created_by=acting_user,
        )
    return case
