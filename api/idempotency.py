"""`Idempotency-Key` on POSTs, with the assistance form's meaning (assistance.services.issuances):
the same key again with the same request gives back the first answer (a retry after a timeout
creates nothing twice); the same key with other details is refused. Keys belong to the caller
(the application's account, or the person), so two partners never share one."""

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
REUSED = "This request was already sent with other details. Start a new request to ask for something else."


def _fingerprint(request) -> str:
    body = json.dumps({"path": request.path, "data": request.data}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(existing: IdempotentRequest, fingerprint: str) -> Response:
    if existing.fingerprint != fingerprint:
        raise ValidationError({"non_field_errors": [REUSED]})
    return Response(existing.body, status=existing.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(method):
    """Wrap a view's POST handler."""

    @wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > 100:
            raise ValidationError({"non_field_errors": [f"The {HEADER} header is longer than 100 characters."]})
        fingerprint = _fingerprint(request)
        existing = IdempotentRequest.objects.filter(user=request.user, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                response = method(self, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    # The unique key: of two copies sent at once, the second rolls back here.
                    IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=json.loads(json.dumps(response.data, default=str)),
                    )
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(user=request.user, key=key).first()
            if existing is None:
                raise
            return _replay(existing, fingerprint)
        return response

    return wrapper
