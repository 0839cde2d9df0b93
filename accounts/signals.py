"""Sign-ins and sign-outs go in the audit trail. Django announces them only by signal."""

from django.contrib.auth import signals
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.middleware import SECOND_FACTOR_STATE_KEY
from accounts.models import Team, User
from accounts.second_factor import second_factor_state
from accounts.services import case_access_staff_sync
from audit.models import AuditEvent
from audit.services import audit_record


@receiver(signals.user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, target=user)
    if request is not None and hasattr(request, "session"):
        # What the new session owes (a code, an authenticator, or nothing), decided once.
        request.session[SECOND_FACTOR_STATE_KEY] = second_factor_state(user)


@receiver(signals.user_logged_out)
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, target=user)


@receiver(signals.user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username as typed, so repeated guessing shows in the trail; never the password.
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=str(credentials.get("username", ""))[:150],
    )


@receiver(post_save, sender=User)
def user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A worker moved to another team (however saved: the admin, a command): their cases' access
    rows name the new team's supervisor."""
    if update_fields is not None and "team" not in update_fields:
        return  # signing in, a new password: the team is as it was
    case_access_staff_sync(worker=instance)


@receiver(post_save, sender=Team)
def team_saved(sender, instance, **kwargs) -> None:
    """A team given another supervisor: its workers' cases are theirs to see now."""
    case_access_staff_sync(team=instance)
