"""A person's roles and permissions from the cache (Redis in production), not the database on
every request.

Each page asks who the user is allowed to be: their roles (groups) decide what the access rule
lets them see, and their permissions which menu entries they get. Both change rarely, through
the admin; any change to a user's groups or permissions, to a group's permissions, or to a
user or group row makes every cached answer stale at once (a new generation), so nobody keeps
a role they have lost. Entries also expire after `ACCESS_CACHE_SECONDS`.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION = "access:generation"


def _key(user, what: str) -> str:
    generation = cache.get(GENERATION) or 0
    # The moment the account was made as well as its id: a new account never reads an old one's answer.
    return f"access:{generation}:{user.pk}:{user.date_joined.timestamp():.6f}:{what}"


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
        # drops this copy at once (_user_changed); a change to an office, every copy.
        key = f"access:{cache.get(GENERATION) or 0}:user:{user_id}"
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


def _user_changed(sender, instance, **kwargs) -> None:
    cache.delete(f"access:{cache.get(GENERATION) or 0}:user:{instance.pk}")


def _changed(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # signing in, or a new password: neither changes what the person may do
    access_cache_clear()


def access_cache_connect() -> None:
    """Called once the apps are ready (`accounts.apps`)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Office, User

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"access_cache_{through.__name__}")
    for model in (User, Group):
        post_save.connect(_changed, sender=model, dispatch_uid=f"access_cache_save_{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"access_cache_delete_{model.__name__}")
    post_save.connect(_user_changed, sender=User, dispatch_uid="access_cache_user_save")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="access_cache_user_delete")
    post_save.connect(_changed, sender=Office, dispatch_uid="access_cache_save_Office")
    for model in (TOTPDevice, StaticDevice):
        post_save.connect(_device_changed, sender=model, dispatch_uid=f"otp_device_save_{model.__name__}")
        post_delete.connect(_device_changed, sender=model, dispatch_uid=f"otp_device_delete_{model.__name__}")
