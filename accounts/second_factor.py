"""The second sign-in factor: a code from an authenticator app (TOTP, RFC 6238), or a recovery code.

django-otp keeps the devices and checks the codes (with its own throttling after failures);
this module decides who must have one and records each step in the audit trail. A person's
authenticator is a `TOTPDevice`; their ten recovery codes are one `StaticDevice`, each code
good once.
"""

import secrets
from collections.abc import Iterable

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, audit_record_many

AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def second_factor_required(user: User) -> bool:
    """Whether `user` may not work without a second factor: the roles that approve money, see
    every office or read the trail (settings.SECOND_FACTOR_REQUIRED_ROLES), when enforced."""
    return settings.SECOND_FACTOR_ENFORCED and bool(user.roles & set(settings.SECOND_FACTOR_REQUIRED_ROLES))


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


NEEDS_CODE = "code"
NEEDS_SETUP = "setup"
NOTHING = "none"


def second_factor_state(user: User) -> str:
    """What a new session of `user` owes before any page: a code, an authenticator, or nothing."""
    if has_second_factor(user):
        return NEEDS_CODE
    if second_factor_required(user):
        return NEEDS_SETUP
    return NOTHING


def authenticator_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (an earlier unconfirmed one is dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def pending_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def authenticator_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a code it shows now; returns the new recovery codes, or None if the
    code is wrong. Any earlier authenticator and recovery codes stop working. The session
    counts as verified from here."""
    user = device.user
    if not device.verify_token(token.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            target=user,
            object_repr=f"{user.username}: second factor set up",
            changes={"second_factor": [None, AUTHENTICATOR]},
        )
    django_otp.login(request, device)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def second_factor_verify(*, request, token: str) -> bool:
    """Check a code from the authenticator, or a recovery code (used up), for the signed-in
    user; on success the session is verified. Both outcomes go in the trail."""
    user = request.user
    code = token.strip().replace(" ", "").replace("-", "")
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True)]
    if len(code) == 10:
        devices += [*StaticDevice.objects.filter(user=user, confirmed=True)]
    for device in devices:
        if device.verify_token(code):  # refuses while the device is throttled after failures
            django_otp.login(request, device)
            audit_record(
                actor=user,
                action=AuditEvent.Action.LOGIN,
                target=user,
                object_repr=f"{user.username}: second factor ({device.name.lower()})",
            )
            return True
    audit_record(
        actor=user,
        action=AuditEvent.Action.LOGIN_FAILED,
        target=user,
        object_repr=f"{user.username}: wrong second-factor code",
    )
    return False


def second_factor_reset(*, acting_user: User, user: User, reason: str) -> None:
    """An administrator removes a person's authenticator and recovery codes (a lost phone);
    they set up a new one at their next sign-in."""
    second_factor_reset_many(acting_user=acting_user, users=[user], reason=reason, only_set_up=False)


def second_factor_reset_many(
    *, acting_user: User, users: Iterable[User], reason: str, only_set_up: bool = True
) -> list[User]:
    """`second_factor_reset` for several people at once, in a fixed number of queries; with
    `only_set_up`, only those who have a confirmed authenticator. Returns whom it reset."""
    users = list(users)
    with transaction.atomic():
        if only_set_up:
            set_up = set(TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True))
            users = [user for user in users if user.pk in set_up]
        if not users:
            return []
        TOTPDevice.objects.filter(user__in=users).delete()
        StaticDevice.objects.filter(user__in=users).delete()
        audit_record_many(
            actor=acting_user,
            action=AuditEvent.Action.DELETE,
            records=[
                {"target": user, "object_repr": f"{user.username}: second factor removed", "reason": reason}
                for user in users
            ],
        )
    return users
