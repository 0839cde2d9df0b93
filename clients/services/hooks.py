"""What apps above the registry hand in: what must follow a merged client, and what must follow a
change to who a client lives with or whether they are restricted."""

from collections.abc import Callable

from clients.models import Client

# Apps above the registry (casework's cases, assistance's ledger, referrals...) hand in what must
# follow a merged client: each moves its own rows.
_merge_hooks: list[Callable[..., dict[str, list[int]] | None]] = []


def merge_hooks_register(hook: Callable[..., dict[str, list[int]] | None]) -> None:
    """`hook(acting_user=..., survivor=..., duplicate=...)` runs inside every merge's transaction.

    It returns what it moved, `{model name: [ids]}`, for the merge's audit event (or None).
    """
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)


def merge_hooks_run(*, acting_user, survivor: Client, duplicate: Client) -> dict[str, list[int]]:
    """Every merge hook, in the merge's transaction: what each moved, by model name (empty lists left out)."""
    moved: dict[str, list[int]] = {}
    for hook in _merge_hooks:
        for name, ids in (hook(acting_user=acting_user, survivor=survivor, duplicate=duplicate) or {}).items():
            if ids:
                moved[name] = ids
    return moved


def merge_move(model, *, survivor: Client, duplicate: Client, field: str = "client") -> list[int]:
    """Point the rows of `model` that belong to the duplicate at the survivor; returns their ids."""
    ids = list(model.objects.select_for_update().filter(**{field: duplicate}).values_list("pk", flat=True))
    if ids:
        model.objects.filter(pk__in=ids).update(**{field: survivor})
    return ids


# ...and what must follow a change to who a client lives with or whether they are restricted
# (casework rewrites the access rows of the client's cases).
_change_hooks: list[Callable[..., None]] = []


def change_hooks_register(hook: Callable[..., None]) -> None:
    """`hook(client=...)` runs inside the transaction of a change to a client's restriction or household."""
    if hook not in _change_hooks:
        _change_hooks.append(hook)


def client_changed_notify(client: Client) -> None:
    """Run every change hook for `client`, in the caller's transaction."""
    for hook in _change_hooks:
        hook(client=client)
