from rest_framework.throttling import SimpleRateThrottle


class PerClient(SimpleRateThrottle):
    """One budget per OAuth2 application, or per person on a session."""

    scope = "client"

    def get_cache_key(self, request, view):
        token = request.auth
        application_id = getattr(token, "application_id", None)
        if application_id:
            ident = f"app-{application_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
