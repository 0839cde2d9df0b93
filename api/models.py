"""Partner systems: which office or directory organization each OAuth2 application acts for,
the answers kept for an `Idempotency-Key`, and webhook subscriptions."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PartnerBinding(models.Model):
    """An OAuth2 application (django-oauth-toolkit) bound to one office or one directory organization.

    The application's `user` is its account: bound to an office, a partner-role user of that
    office (it sees what the office shares, by the access rule in accounts.access); bound to an
    organization, the organization's account (referrals.partners), which sees referrals sent to it.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="binding"
    )
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(office__isnull=True, organization__isnull=False)
                | Q(office__isnull=False, organization__isnull=True),
                name="partner_bound_to_office_or_organization",
                violation_error_message="A partner system is bound to an office or to an organization, not both.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.office or self.organization}"


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`: the same key and body again get it
    back; the same key with another body is refused (as the assistance form does)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """A partner system's URL that receives referral and appointment events, signed with the subscription's secret."""

    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=new_secret)
    events = models.JSONField(
        default=list, blank=True, help_text="Event names; empty for every referral and appointment event."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)
