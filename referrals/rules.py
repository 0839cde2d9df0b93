"""Who may do what with referrals and the directory, registered with django-rules
(autodiscovered, like accounts/rules.py). Which *referral* a user may see follows the
case and client access rule in `accounts.access` (see referrals.selectors.referrals)."""

import rules

from accounts import access
from accounts.models import Role


def may_refer(user) -> bool:
    """Caseworkers and supervisors refer clients from the cases they may see."""
    return access.may_work_cases(user)


def may_override_consent(user) -> bool:
    return access.may_supervise(user)


def may_manage_directory(user) -> bool:
    """Administrators import and export the directory (and edit it in the Django admin)."""
    return Role.ADMIN in user.roles


def may_read_referral_figures(user) -> bool:
    """Counts without names: supervisors (their office), auditors and administrators (every office)."""
    return bool({Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN} & user.roles)


rules.add_perm("referrals.refer", rules.predicate(may_refer))
rules.add_perm("referrals.override_consent", rules.predicate(may_override_consent))
rules.add_perm("referrals.manage_directory", rules.predicate(may_manage_directory))
rules.add_perm("referrals.read_figures", rules.predicate(may_read_referral_figures))
