from django.conf import settings

from audit import context
from audit.services import audit_reads_write


def client_ip(request) -> str | None:
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Who is asking from where, for the events of this request; and its read events, written
    once the page is built (inside core.middleware.RequestTransactionMiddleware's transaction,
    so a page and the record that it was shown commit together)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.bind(context.RequestContext(ip_address=client_ip(request), reads=[]))
        try:
            response = self.get_response(request)
            if response.status_code < 500:
                audit_reads_write()
            return response
        finally:
            context.reset(token)
