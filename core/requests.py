"""The id of the request being served, for log lines (and the `X-Request-ID` response header).

A proxy in front of the site may pass its own id in `X-Request-ID` so one id follows the
request through the proxy's log and ours; anything else gets a fresh one. The id stays bound
until the response is finished, so Django's own line about the response carries it too.
"""

import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

NONE = "-"
_request_id: ContextVar[str] = ContextVar("request_id", default=NONE)
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        _request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


@receiver(request_finished, dispatch_uid="core.requests.unbind")
def _unbind(**kwargs) -> None:
    _request_id.set(NONE)
