from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Office, Role, Team, User
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
