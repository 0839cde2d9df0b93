"""Checks and helpers shared by the plan verbs."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_value
from casework.models import (
    Case,
    Plan,
)
from clients.models import Client, HouseholdMembership

Action = AuditEvent.Action

MAX_WEEKLY_HOURS = Decimal("80")  # the table's check constraint

# Checks shared by the verbs -----------------------------------------------------------------


def _check_may_work(user: User) -> None:
    if not access.may_work_cases(user):
        raise PermissionDenied(_("Only caseworkers and supervisors write plans."))


def _check_case_active(case: Case) -> None:
    if not case.is_active:
        raise ValidationError(_("The case is closed; reopen it to plan with the client."))


def check_client_of_case(*, case: Case, client: Client) -> None:
    """A plan (or a schedule) is for the case's primary client or a current member of its household."""
    if client.pk == case.primary_client_id:
        return
    if not HouseholdMembership.objects.filter(
        household_id=case.household_id, client_id=client.pk, end_date__isnull=True
    ).exists():
        raise ValidationError(
            {"client": _("%(client)s is not a current member of this case's household.") % {"client": client}}
        )


def _lock_draft(plan: Plan) -> Plan:
    """The plan, locked; refused unless it is still a draft (an agreed plan changes only by revision)."""
    plan = Plan.objects.select_for_update().select_related("case", "client").get(pk=plan.pk)
    if plan.status == Plan.Status.AGREED:
        raise ValidationError(
            f"Version {plan.version} was agreed on {plan.agreed_on:%Y-%m-%d}; revise it to change it."
        )
    if plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError(
            _("Version %(version)s has been replaced by a later version; it stays as it was.")
            % {"version": plan.version}
        )
    return plan


def _check_review_on(review_on: date | None) -> None:
    if review_on is not None and review_on <= timezone.localdate():
        raise ValidationError({"review_on": _("A review date is in the future.")})


def _check_employment(plan: Plan, what: str) -> None:
    if plan.kind != Plan.Kind.EMPLOYMENT:
        raise ValidationError(_("Only an employment plan has %(what)s.") % {"what": what})


def _audit(*, acting_user: User, action: str, target, plan: Plan, changes: dict) -> None:
    audit_record(
        actor=acting_user,
        action=action,
        target=target,
        client_ids=[plan.client_id],
        changes={name: [audit_value(old), audit_value(new)] for name, (old, new) in changes.items()},
    )


def _changed(instance, values: dict) -> dict:
    """Set `values` on `instance`; return {field: (old, new)} for those that differ."""
    changes = {}
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changes[name] = (old, new)
            setattr(instance, name, new)
    return changes


# The plan ------------------------------------------------------------------------------------
