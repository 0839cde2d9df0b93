"""Service and employment plans: drafting, agreeing, revising, and noting progress.

A plan is drafted (goals with a barrier, steps with who, by when and where they stand;
an employment plan also work activities with weekly hours and supportive services),
then agreed with the client on a date. Only a draft changes. To change an agreed plan a
worker revises it: a new draft (version + 1) copied from it; agreeing that draft marks
the earlier version superseded, and the earlier version stays as it was agreed.
"""

from casework.services.plans.common import MAX_WEEKLY_HOURS, check_client_of_case
from casework.services.plans.contents import (
    plan_activity_add,
    plan_activity_in_force,
    plan_activity_remove,
    plan_goal_add,
    plan_goal_change,
    plan_goal_remove,
    plan_service_add,
    plan_service_remove,
    plan_step_add,
    plan_step_change,
    plan_step_remove,
)
from casework.services.plans.lifecycle import (
    plan_agree,
    plan_change,
    plan_create,
    plan_progress_note_add,
    plan_review_key,
    plan_review_task_ensure,
    plan_revise,
)

__all__ = [
    "MAX_WEEKLY_HOURS",
    "check_client_of_case",
    "plan_activity_add",
    "plan_activity_in_force",
    "plan_activity_remove",
    "plan_agree",
    "plan_change",
    "plan_create",
    "plan_goal_add",
    "plan_goal_change",
    "plan_goal_remove",
    "plan_progress_note_add",
    "plan_review_key",
    "plan_review_task_ensure",
    "plan_revise",
    "plan_service_add",
    "plan_service_remove",
    "plan_step_add",
    "plan_step_change",
    "plan_step_remove",
]
