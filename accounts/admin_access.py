"""What the Django admin lets each role do, by role rather than per-model permissions."""

from django.contrib import admin

from accounts.models import Role


def _is_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and (user.is_superuser or Role.ADMIN in user.roles)


class RoleAdmin(admin.ModelAdmin):
    """Configuration that administrators edit: offices, teams, users, programs, limits."""

    def has_module_permission(self, request) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyRoleAdmin(RoleAdmin):
    """Records whose changes go through the product's pages and services, so they stay audited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
