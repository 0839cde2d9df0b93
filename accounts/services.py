from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import CaseAccess, Office, Role, Team, User
from audit.models import AuditEvent
from audit.services import audit_record


def user_create(
    *,
    acting_user,
    username: str,
    password: str,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    office: Office | None = None,
    team: Team | None = None,
) -> User:
    """A staff account with its roles. Admins get the Django admin; nobody gets superuser here."""
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            office=office,
            team=team,
            is_staff=Role.ADMIN in roles,
        )
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=user,
            changes={"username": [None, username], "roles": [None, sorted(roles)]},
        )
    return user


def case_access_staff_sync(*, worker: User | None = None, team: Team | None = None) -> int:
    """Copy a worker's team and that team's supervisor onto the access rows of their cases (all the
    team's workers, given `team`), so the access rule reads who supervises a case from the row.

    Runs whenever a user or a team is saved (accounts.signals), in the same transaction; returns
    how many rows changed.
    """
    changed = 0
    if worker is not None and worker.pk:
        supervisor_id = (
            Team.objects.filter(pk=worker.team_id).values_list("supervisor_id", flat=True).first()
            if worker.team_id
            else None
        )
        changed += (
            CaseAccess.objects.filter(worker_id=worker.pk)
            .exclude(team_id=worker.team_id, supervisor_id=supervisor_id)
            .update(team_id=worker.team_id, supervisor_id=supervisor_id)
        )
    if team is not None and team.pk:
        changed += (
            CaseAccess.objects.filter(worker__team_id=team.pk)
            .exclude(team_id=team.pk, supervisor_id=team.supervisor_id)
            .update(team_id=team.pk, supervisor_id=team.supervisor_id)
        )
    return changed
