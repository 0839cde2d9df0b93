from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import CaseAccess, Office, OnCallShift, Role, Team, User
from audit.models import AuditEvent
from audit.services import audit_record


def user_create(
    *,
    acting_user,
    username: str,
    password: str | None,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    office: Office | None = None,
    team: Team | None = None,
) -> User:
    """An account with its roles. Admins get the Django admin; nobody gets superuser here.

    `password` None: an account nobody signs in to with a password (a partner system's, which
    acts through its OAuth2 application's tokens, or a directory organization's link)."""
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
        if password is None:
            user.set_unusable_password()
        else:
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


def on_call_shift_add(
    *, acting_user: User, office: Office, user: User, starts_at: datetime, ends_at: datetime, phone: str = ""
) -> OnCallShift:
    """Put a worker of the office on call from `starts_at` to `ends_at`.

    Kept by the office's supervisors and administrators. The worker is an active caseworker or
    supervisor of that office, and is not on call twice at once.
    """
    if not access.may_keep_on_call_roster(acting_user, office.pk):
        raise PermissionDenied(_("Only the office's supervisors and administrators keep its on-call roster."))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})
    if not user.is_active or user.office_id != office.pk or not access.may_work_cases(user):
        raise ValidationError(
            {"user": _("%(user)s is not a caseworker or supervisor of %(office)s.") % {"user": user, "office": office}}
        )
    with transaction.atomic():
        # Locking the worker serialises two supervisors rostering them at once.
        User.objects.select_for_update().filter(pk=user.pk).first()
        clash = (
            OnCallShift.objects.filter(
                user=user, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
            )
            .order_by("starts_at")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                f"{user} is already on call from {timezone.localtime(clash.starts_at):%Y-%m-%d %H:%M} "
                f"to {timezone.localtime(clash.ends_at):%Y-%m-%d %H:%M}."
            )
        shift = OnCallShift.objects.create(
            office=office, user=user, starts_at=starts_at, ends_at=ends_at, phone=phone, created_by=acting_user
        )
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=shift,
            changes={
                "user": [None, user.username],
                "starts_at": [None, starts_at.isoformat()],
                "ends_at": [None, ends_at.isoformat()],
            },
        )
    return shift


def on_call_shift_cancel(*, acting_user: User, shift: OnCallShift, reason: str = "") -> OnCallShift:
    """Take a shift off the roster; it ends its worker's on-call access at once."""
    if not access.may_keep_on_call_roster(acting_user, shift.office_id):
        raise PermissionDenied(_("Only the office's supervisors and administrators keep its on-call roster."))
    with transaction.atomic():
        shift = OnCallShift.objects.select_for_update().get(pk=shift.pk)
        if shift.cancelled_at is not None:
            raise ValidationError(_("This shift is already off the roster."))
        shift.cancelled_at = timezone.now()
        shift.save(update_fields=["cancelled_at"])
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            target=shift,
            changes={"cancelled_at": [None, shift.cancelled_at.isoformat()]},
            reason=reason,
        )
    return shift


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


def user_language_set(*, acting_user: User, user: User, language: str) -> User:
    """The language of the pages `user` sees; an empty value follows their browser.

    People choose their own; administrators may set anyone's.
    """
    if acting_user.pk != user.pk and not acting_user.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only administrators change another person's language."))
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.language
        if before == language:
            return locked
        locked.language = language
        locked.save(update_fields=["language"])
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            target=locked,
            changes={"language": [before, language]},
        )
    user.language = language
    return locked
