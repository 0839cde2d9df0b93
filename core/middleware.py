"""Response headers every page gets."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or a proxy.

    Every page behind sign-in may show a client's name, address or money, and a shared office
    computer's back button or disk cache must not bring it back after sign-out (`no-store`,
    RFC 9111 section 5.2.2.5). Static files are served before this runs and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
