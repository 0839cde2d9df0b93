"""Handing a message to the outside world: email through Django's email backend, text messages
through the provider backend named in `CORRESPONDENCE_TEXT_BACKEND`.

Development and tests write texts to files (`FileTextBackend`); production uses an HTTP
provider (`TwilioTextBackend`). Mail goes in the day's print batch instead (services).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from correspondence.models import Correspondence
    from correspondence.services import Delivery


class Refused(Exception):
    """The message may not go (the channel became unsafe); it is not tried again."""


class TextBackend:
    def send(self, *, to: str, body: str, reference: str) -> Delivery:
        raise NotImplementedError


class FileTextBackend(TextBackend):
    """Each text message a JSON line in `CORRESPONDENCE_TEXT_FILE_PATH/texts.jsonl`; delivered at once."""

    def send(self, *, to: str, body: str, reference: str) -> Delivery:
        from correspondence.services import Delivery

        folder = Path(settings.CORRESPONDENCE_TEXT_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": to, "body": body, "reference": reference}
        with (folder / "texts.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return Delivery(delivered=True, provider_id=f"file-{reference}")


class TwilioTextBackend(TextBackend):
    """Twilio's Programmable Messaging REST API: POST /2010-04-01/Accounts/{sid}/Messages.json
    with To, From and Body, basic auth by account SID and auth token
    (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).

    The provider answers "queued" or "accepted": the message is sent, not yet delivered; its
    status report (StatusCallback) may later confirm delivery (`correspondence_mark_delivered`).
    """

    API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    TIMEOUT_SECONDS = 15

    def send(self, *, to: str, body: str, reference: str) -> Delivery:
        from correspondence.services import Delivery

        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        data = {"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}
        if getattr(settings, "TWILIO_STATUS_CALLBACK_URL", ""):
            data["StatusCallback"] = settings.TWILIO_STATUS_CALLBACK_URL
        request = urllib.request.Request(
            self.API.format(sid=urllib.parse.quote(sid)),
            data=urllib.parse.urlencode(data).encode(),
            headers={"Authorization": "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()},
            method="POST",
        )
        # An HTTP error (4xx, 5xx) or a timeout raises, and the message is tried again later.
        with urllib.request.urlopen(request, timeout=self.TIMEOUT_SECONDS) as response:
            answer = json.load(response)
        if answer.get("status") in ("failed", "undelivered"):
            raise RuntimeError(f"The provider refused the message: {answer.get('error_message') or answer['status']}")
        return Delivery(delivered=answer.get("status") == "delivered", provider_id=str(answer.get("sid", "")))


def twilio_signature(*, url: str, params: Mapping[str, Iterable[str]], token: str) -> str:
    """What Twilio puts in `X-Twilio-Signature`: the base64 HMAC-SHA1, keyed by the auth token, of the
    full URL it called followed by each POST parameter's name and value, sorted by name, with no
    separators (https://www.twilio.com/docs/usage/webhooks/webhooks-security)."""
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(params[name]))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def twilio_request_valid(*, url: str, params: Mapping[str, Iterable[str]], signature: str, token: str) -> bool:
    """Whether a request claiming to come from Twilio was signed with our auth token (constant time)."""
    if not (token and signature):
        return False
    return hmac.compare_digest(twilio_signature(url=url, params=params, token=token), signature)


def text_backend() -> TextBackend:
    return import_string(settings.CORRESPONDENCE_TEXT_BACKEND)()


def deliver(item: Correspondence) -> Delivery:
    """Send one email or text message. An email accepted by the mail server counts as delivered."""
    from correspondence.models import Channel
    from correspondence.services import Delivery

    if item.channel == Channel.EMAIL:
        message = EmailMessage(
            subject=item.subject,
            body=item.body,
            from_email=settings.CORRESPONDENCE_FROM_EMAIL,
            to=[item.address],
            headers={"Content-Language": item.language, "X-Casework-Reference": str(item.pk)},
        )
        if message.send() != 1:
            raise RuntimeError("The mail server did not take the message.")
        return Delivery(delivered=True)
    if item.channel == Channel.TEXT:
        return text_backend().send(to=item.address, body=item.body, reference=str(item.pk))
    raise Refused(f"{item.channel} is not sent by the worker process.")
