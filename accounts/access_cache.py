"""A person's roles and permissions from the cache (Redis in production), not the database on
every request.

Each page asks who the user is allowed to be: their roles (groups) decide what the access rule
lets them see, and their permissions which menu entries they get. Both change rarely, through
the admin. A change to one person's row (their language, their name, a new password) drops
that person's entries only; a change of anyone's roles, office or team, of a group or its
permissions, or of an office makes every cached answer stale at once (a new generation), so
nobody keeps a role they have lost. Entries also expire after `ACCESS_CACHE_SECONDS`.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

GENERATION = "access:generation"


# A user's fields that the access rule reads beside their roles: a change to one of them clears
# everyone's entries, as a change of roles does.
SHARED_FIELDS = frozenset({"office", "office_id", "team", "team_id"})


def _key(user, what: str, generation: int | None = None) -> str:
    if generation is None:
        generation = cache.get(GENERATION) or 0
    # The moment the account was made as well as its id: a new account never reads an old one's answer.
    return f"access:{generation}:{user.pk}:{user.date_joined.timestamp():.6f}:{what}"


def _user_key(user_id: int, generation: int) -> str:
    return f"access:{generation}:user:{user_id}"


def cached(user, what: str, compute: Callable[[], frozenset[str]]) -> frozenset[str]:
    key = _key(user, what)
    found = cache.get(key)
    if found is None:
        found = frozenset(compute())
        cache.set(key, found, settings.ACCESS_CACHE_SECONDS)
    return found


def access_cache_clear() -> None:
    """Every cached role and permission answer is stale from now on."""
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.set(GENERATION, 1, None)


class CachedModelBackend(ModelBackend):
    """Django's permissions (users' own and their groups'), read through the cache; the signed-in
    user is loaded with their office, which the access rule reads on every page."""

    def get_user(self, user_id):
        # Any save of the user (a new password included: the session's hash is checked against it)
        # drops this copy at once (_user_saved); a change to an office, every copy.
        key = _user_key(user_id, cache.get(GENERATION) or 0)
        user = cache.get(key)
        if user is None:
            try:
                user = self._get_user_model()._default_manager.select_related("office").get(pk=user_id)
            except self._get_user_model().DoesNotExist:
                return None
            cache.set(key, user, settings.ACCESS_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _get_user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = cached(
                user_obj, "permissions", lambda: ModelBackend.get_all_permissions(self, user_obj)
            )
        return user_obj._perm_cache


def _device_key(persistent_id: str) -> str:
    return f"access:otp-device:{persistent_id}"


def otp_device(persistent_id: str, load: Callable[[], object]):
    """The second-factor device a session was verified with, kept in the cache: a verified person
    pays no query for it on each page. Saving or deleting the device (a new code, an
    administrator's reset) drops the cached copy at once."""
    key = _device_key(persistent_id)
    device = cache.get(key)
    if device is None:
        device = load()
        if device is not None:
            cache.set(key, device, settings.ACCESS_CACHE_SECONDS)
    return device


def _device_changed(sender, instance, **kwargs) -> None:
    cache.delete(_device_key(instance.persistent_id))


def access_cache_clear_user(user) -> None:
    """This person's cached copy, roles and permissions are stale from now on; nobody else's."""
    generation = cache.get(GENERATION) or 0
    keys = [_user_key(user.pk, generation)]
    if user.date_joined is not None:
        keys += [_key(user, what, generation) for what in ("roles", "permissions")]
    cache.delete_many(keys)


def _user_before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # A full save (the admin's form) does not say what changed: the stored office and team, to
    # compare with once saved. A save naming its fields says it, and costs nothing here.
    instance._access_shared_before = None
    if not raw and instance.pk and update_fields is None:
        instance._access_shared_before = (
            sender._default_manager.filter(pk=instance.pk).values_list("office_id", "team_id").first()
        )


def _user_saved(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if update_fields is not None:
        shared = bool(SHARED_FIELDS & set(update_fields))
    else:
        before = getattr(instance, "_access_shared_before", None)
        shared = not created and before != (instance.office_id, instance.team_id)
    if shared:
        access_cache_clear()
    else:
        access_cache_clear_user(instance)


def _user_deleted(sender, instance, **kwargs) -> None:
    access_cache_clear()  # a supervisor gone: their teams' entries with them


def _changed(**kwargs) -> None:
    access_cache_clear()


def access_cache_connect() -> None:
    """Called once the apps are ready (`accounts.apps`)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Office, User

    # Roles (groups) and permissions, given or taken, whichever side of the relation says so.
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"access_cache_{through.__name__}")
    post_save.connect(_changed, sender=Group, dispatch_uid="access_cache_save_Group")
    post_delete.connect(_changed, sender=Group, dispatch_uid="access_cache_delete_Group")
    pre_save.connect(_user_before_save, sender=User, dispatch_uid="access_cache_user_before_save")
    post_save.connect(_user_saved, sender=User, dispatch_uid="access_cache_user_save")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="access_cache_user_delete")
    post_save.connect(_changed, sender=Office, dispatch_uid="access_cache_save_Office")
    for model in (TOTPDevice, StaticDevice):
        post_save.connect(_device_changed, sender=model, dispatch_uid=f"otp_device_save_{model.__name__}")
        post_delete.connect(_device_changed, sender=model, dispatch_uid=f"otp_device_delete_{model.__name__}")
