import logging
import urllib.error
import urllib.request

from celery import shared_task

from api.models import WebhookSubscription
from api.webhooks import EVENT_HEADER, SIGNATURE_HEADER, encode, signature

logger = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    pass


@shared_task(
    name="api.tasks.webhook_deliver",
    autoretry_for=(DeliveryFailed,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def webhook_deliver(*, subscription_id: int, event: str, body: dict) -> int | None:
    """POST one event to a subscriber; a failure (no answer, or not 2xx) is retried with a growing wait.

    Safe to run twice: the partner may receive an event again, and tells by its `occurred_at`."""
    subscription = WebhookSubscription.objects.filter(pk=subscription_id, active=True).first()
    if subscription is None:
        return None
    data = encode(body)
    request = urllib.request.Request(
        subscription.url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(subscription.secret, data),
            EVENT_HEADER: event,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        logger.warning("Webhook %s to %s failed: %s", event, subscription.url, error)
        raise DeliveryFailed(str(error)) from error
