"""The consent rule: what lets a client's information leave the agency with a referral.

The agency's policy, as the referrals issue states it (not a statute's text): a referral that
shares any of the client's information with an outside organization needs the client's
consent for the purpose "referral", naming that organization, in force on the day the
information leaves (the day the referral is sent; it is checked when a referral is made, when
its letter is printed and when the partner opens its link, too). A supervisor may override
with a written reason, which is kept on the referral and in the audit trail. A referral that
shares nothing, or goes to one of the agency's own programs (the information stays inside the
agency), needs none. A restricted client's address, or a confidential one, is never shared.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Case
from clients.models import Client, Consent
from referrals.models import Referral, Service, SharedInfo
from referrals.rules import may_override_consent
from referrals.selectors.referrals import consent_covering

# Set on the referral when it is made or sent (`consent_settle`): saved with it, audited when they change.
CONSENT_FIELDS = ("consent_id", "consent_override_reason", "consent_override_by_id")


def address_protected(client: Client, case: Case) -> bool:
    """Whether the client's address may never be shared: a restricted client or case, or a confidential address."""
    return client.restricted or client.address_confidential or case.restricted


def consent_needed(service: Service, shared: list[str]) -> bool:
    """Sharing something with an organization outside the agency needs the client's consent."""
    return bool(shared) and not service.is_internal


def override_refusal(acting_user, override: str) -> str | None:
    """Why `acting_user` may not give this override, or None when they may (or give none)."""
    if override.strip() and not may_override_consent(acting_user):
        return _("Only a supervisor may override the consent rule.")
    return None


def consent_today(referral: Referral, *, override: str = "") -> Consent | None:
    """The rule, today: the consent in force that covers the organization; None when the sharing
    needs none or a supervisor overrides (now, or as kept on the referral); otherwise refused."""
    if not consent_needed(referral.service, referral.shared):
        return None
    consent = consent_covering(client=referral.client, organization=referral.organization, day=timezone.localdate())
    if consent is None and not (override or referral.consent_override_reason):
        raise ValidationError(
            _(
                "%(name)s has no consent in force today to share their information with %(organization)s "
                "for a referral. Record their consent (purpose: referral, naming the organization) on the "
                "client's consent page, share nothing, or ask a supervisor to override with a written reason."
            )
            % {"name": referral.client.full_name, "organization": referral.organization.name},
            code="no_consent",
        )
    return consent


def consent_settle(acting_user, referral: Referral, override: str) -> None:
    """Keep on a referral being made or sent what lets its information go today (`consent_today`):
    the consent in force, or failing that a supervisor's new `override`."""
    consent = consent_today(referral, override=override)
    if consent is not None:
        referral.consent = consent
    elif override and consent_needed(referral.service, referral.shared):
        referral.consent = None
        referral.consent_override_reason, referral.consent_override_by = override, acting_user


def sending_check(acting_user, referral: Referral, override: str) -> None:
    """The address and consent rules on the day the information leaves the agency; settles the consent."""
    if SharedInfo.ADDRESS in referral.shared and address_protected(referral.client, referral.case):
        raise ValidationError(
            _(
                "This referral would share an address that is now restricted or confidential; "
                "withdraw it and refer again without the address."
            )
        )
    consent_settle(acting_user, referral, override)
