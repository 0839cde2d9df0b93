"""Response headers every page gets."""

from django.db import transaction
from django.utils.cache import add_never_cache_headers


class RequestTransactionMiddleware:
    """Each request in one database transaction: its writes, its audit events and the jobs it
    leaves in the outbox commit together (one COMMIT a page, not one per write).

    Unlike ATOMIC_REQUESTS, the transaction also holds the read events the audit middleware
    writes after the view. An error page (5xx) rolls back; jobs sent with on_commit go after the
    commit, as before. A streamed response's body is produced after the commit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response


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
