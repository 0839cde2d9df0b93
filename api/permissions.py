from rest_framework.permissions import BasePermission


class ScopedAccess(BasePermission):
    """Signed in, and for a partner's token the view's scope: `<resource>:read` for reads,
    `<resource>:write` for writes. Who may see which record is the selectors' answer; who may
    do what, the services'."""

    message = "This token's scopes do not include this resource."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if token is None or not hasattr(token, "is_valid"):
            return True  # a staff member's session
        resource = getattr(view, "scope_resource", None)
        if resource is None:
            return False
        if resource == "webhooks":
            return token.is_valid(["webhooks"])
        verb = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
        return token.is_valid([f"{resource}:{verb}"])
