"""Who may see which client: the one place this rule is decided.

Every selector that returns clients, or records hanging off a client, filters
with `client_scope(user)` (or `client_scope(user, prefix="client__")` from a
related model). The rule, for now:

- a caseworker or supervisor sees the clients of their own office that are
  not restricted;
- a restricted client (a victim of domestic violence, say) is seen only by
  the worker named on it and that worker's team supervisor;
- an admin sees every client that is not restricted, and a restricted one
  only through a live break-glass grant, given with a written reason;
- an auditor reads the audit trail, not client files;
- a merged client is not listed: its records live on the surviving client.

The rule works on field names only, so this app needs no import of the
client registry.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.models import BreakGlassGrant, Role

NOTHING = Q(pk__in=[])


def client_scope(user, *, prefix: str = "", include_merged: bool = False) -> Q:
    """A filter on Client (or, with `prefix`, on a model related to it) for what `user` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING

    def f(**lookups) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    roles = user.roles
    allowed: list[Q] = []
    if Role.CASEWORKER in roles or Role.SUPERVISOR in roles:
        if user.office_id:
            allowed.append(f(office_id=user.office_id, restricted=False))
        allowed.append(f(restricted=True, restricted_worker_id=user.pk))
    if Role.SUPERVISOR in roles:
        allowed.append(f(restricted=True, restricted_worker__team__supervisor_id=user.pk))
    if Role.ADMIN in roles:
        allowed.append(f(restricted=False))
        granted = BreakGlassGrant.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())
        allowed.append(f(id__in=granted.values("client_id")))
    if not allowed:
        return NOTHING
    scope = allowed[0]
    for q in allowed[1:]:
        scope |= q
    if not include_merged:
        scope &= f(merged_into__isnull=True)
    return scope


def may_reveal_identifier(user) -> bool:
    """Full national identifiers are for supervisors and admins; others see the last four."""
    return bool({Role.SUPERVISOR, Role.ADMIN} & user.roles)


def may_register_clients(user) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR} & user.roles)


def may_edit_clients(user) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN} & user.roles)


def may_merge_clients(user) -> bool:
    return Role.SUPERVISOR in user.roles


def may_break_glass(user) -> bool:
    return Role.ADMIN in user.roles


def may_read_audit_trail(user) -> bool:
    return bool({Role.AUDITOR, Role.ADMIN} & user.roles)


def may_verify_documents(user) -> bool:
    return bool({Role.CASEWORKER, Role.SUPERVISOR} & user.roles)
