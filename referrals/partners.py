"""The receiving organization's side of a referral: what it may see, and what it may do without
an agency account (its signed link) or through its own system (the API, as its account).

The link is signed with the site's key (django.core.signing) and names the referral and its
organization; it expires after REFERRAL_PARTNER_LINK_DAYS. Each use checks again that the
referral still lets information go to the organization: the consent it relied on still in
force (or a supervisor's override kept on it). Once the consent is revoked the link shows
nothing and does nothing. Every look and every action is in the audit trail under the
organization's account.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from accounts.models import Role
from accounts.services import user_create
from audit.models import AuditEvent
from audit.services import audit_record
from referrals.consent import consent_today
from referrals.events import referral_event
from referrals.models import Organization, OrganizationAccount, Referral, Service, SharedInfo
from referrals.services import referral_partner_move

Action = AuditEvent.Action
S = Referral.Status
LINK_SALT = "referrals.partner-link"
VIA_LINK = "the organization, through its referral link"
VIA_API = "the organization, through its system"


class LinkRefused(Exception):
    """The link cannot be used: unknown, expired, or the client's consent no longer lets it show anything."""


@dataclass(frozen=True)
class PartnerView:
    """What the organization is shown of a referral: the client's details only as the consent allows."""

    referral: Referral
    client_name: str
    details: dict[str, str]

    @property
    def can_respond(self) -> bool:
        return self.referral.status == S.SENT

    @property
    def can_report(self) -> bool:
        return self.referral.status == S.ACCEPTED


def organization_account(*, organization: Organization, acting_user=None):
    """The organization's account (made the first time it is needed): a partner-role user without
    an office or password, who therefore sees no client through the access rule. `acting_user`:
    who registers the organization's system; None when its link is first used."""
    found = OrganizationAccount.objects.select_related("user").filter(organization=organization).first()
    if found is not None:
        return found.user
    with transaction.atomic():
        user = user_create(
            acting_user=acting_user,
            username=f"org-{organization.pk}-{slugify(organization.name)}"[:150],
            password=None,
            roles=[Role.PARTNER],
            first_name=organization.name[:150],
        )
        OrganizationAccount.objects.create(organization=organization, user=user)
    return user


def organization_of(user) -> Organization | None:
    """The directory organization an account acts for, if it is an organization's account."""
    found = OrganizationAccount.objects.select_related("organization").filter(user_id=user.pk).first()
    return found.organization if found else None


def partner_link_token(*, referral: Referral) -> str:
    return signing.dumps({"r": referral.pk, "o": referral.organization_id}, salt=LINK_SALT, compress=True)


def partner_link_referral(*, token: str) -> Referral:
    """The referral a link names, if the link is genuine and not expired."""
    max_age = settings.REFERRAL_PARTNER_LINK_DAYS * 86400
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkRefused("This link has expired. Ask the agency for a new one.") from error
    except signing.BadSignature as error:
        raise LinkRefused("This link is not valid.") from error
    referral = (
        Referral.objects.select_related("client", "service", "organization", "case", "consent")
        .filter(pk=data.get("r"), organization_id=data.get("o"))
        .first()
    )
    if referral is None or referral.status == S.DRAFT:
        raise LinkRefused("This link is not valid.")
    return referral


def _sharing_allowed(referral: Referral) -> bool:
    """The referral's consent rule today, as referrals.consent decides it (the one place): nothing
    shared, a supervisor's override kept on the referral, or a consent in force naming the organization."""
    try:
        consent_today(referral)
    except ValidationError:
        return False
    return True


def _check(referral: Referral) -> None:
    if not _sharing_allowed(referral):
        raise LinkRefused(
            "The client has withdrawn their consent to share their information with your organization. "
            "This referral can no longer be shown or answered here; contact the agency."
        )


def partner_view(*, referral: Referral, account, via: str = VIA_LINK) -> PartnerView:
    """The referral as the organization may see it; the look is audited as a read of the client's file."""
    _check(referral)
    client = referral.client
    details: dict[str, str] = {}
    if SharedInfo.CONTACT in referral.shared:
        details["Phone"] = client.phone
        details["Email"] = client.email
    if SharedInfo.ADDRESS in referral.shared and not (client.restricted or client.address_confidential):
        details["Address"] = ", ".join(
            p for p in (client.address_line1, client.address_line2, client.city, client.region, client.postal_code) if p
        )
    if SharedInfo.DATE_OF_BIRTH in referral.shared:
        details["Date of birth"] = client.date_of_birth.isoformat()
    audit_record(
        actor=account,
        action=Action.VIEW,
        target=referral,
        client_ids=[client.pk],
        changes={"page": "referral for the organization", "shared": list(referral.shared)},
        reason=f"Read by {via}",
    )
    return PartnerView(
        referral=referral,
        client_name=client.full_name if referral.shared else client.first_name,
        details={k: v for k, v in details.items() if v},
    )


def _locked(referral: Referral, account) -> Referral:
    organization = organization_of(account)
    if organization is None or organization.pk != referral.organization_id:
        raise PermissionDenied("Only the organization the referral was sent to may act on it.")
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client", "service", "organization")
        .get(pk=referral.pk)
    )
    _check(referral)
    return referral


def _responded(referral: Referral) -> dict:
    """When the organization first answered, set with the move that answers (the figures' time to respond)."""
    return {} if referral.partner_responded_at else {"partner_responded_at": timezone.now()}


def referral_partner_accept(*, referral: Referral, account, via: str = VIA_LINK) -> Referral:
    """The organization takes the referral: the worker's referral moves to accepted."""
    with transaction.atomic():
        referral = _locked(referral, account)
        referral = referral_partner_move(
            organization_account=account,
            referral=referral,
            to=S.ACCEPTED,
            reason=f"Accepted by {via}",
            also=_responded(referral),
        )
    return referral


def referral_partner_decline(
    *, referral: Referral, account, reason_code: str, note: str = "", via: str = VIA_LINK
) -> Referral:
    """The organization declines, with a reason from `Referral.Declined`."""
    if reason_code not in Referral.Declined.values:
        raise ValidationError({"reason_code": "Choose why the referral is declined."})
    label = Referral.Declined(reason_code).label
    with transaction.atomic():
        referral = _locked(referral, account)
        reason = f"Declined by {via}: {label}" + (f". {note.strip()}" if note.strip() else "")
        referral = referral_partner_move(
            organization_account=account,
            referral=referral,
            to=S.DECLINED,
            reason=reason,
            also={"declined_reason": reason_code, **_responded(referral)},
        )
    return referral


def referral_partner_propose_appointment(*, referral: Referral, account, at: datetime, via: str = VIA_LINK) -> Referral:
    """The organization proposes the client's first appointment (an accepted referral, at a later time)."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at <= timezone.now():
        raise ValidationError({"at": "The appointment must be in the future."})
    with transaction.atomic():
        referral = _locked(referral, account)
        if referral.status != S.ACCEPTED:
            raise ValidationError("Accept the referral before proposing an appointment.")
        before = referral.first_appointment_at
        referral.first_appointment_at = at
        referral.save(update_fields=["first_appointment_at"])
        audit_record(
            actor=account,
            action=Action.UPDATE,
            target=referral,
            client_ids=[referral.client_id],
            changes={"first_appointment_at": [before.isoformat() if before else None, at.isoformat()]},
            reason=f"Proposed by {via}",
        )
        referral_event(referral=referral, event="referral.appointment_proposed")
    return referral


def referral_partner_report(
    *, referral: Referral, account, served: bool, outcome: str = "", via: str = VIA_LINK
) -> Referral:
    """The organization reports what came of an accepted referral: served (the referral is completed),
    or not served with a reason from `Referral.Outcome` (not completed)."""
    with transaction.atomic():
        referral = _locked(referral, account)
        if served:
            return referral_partner_move(
                organization_account=account, referral=referral, to=S.COMPLETED, reason=f"Served, as reported by {via}"
            )
        return referral_partner_move(
            organization_account=account,
            referral=referral,
            to=S.NOT_COMPLETED,
            outcome=outcome,
            reason=f"Not served, as reported by {via}",
        )


def service_intake_set(*, service: Service, intake: str, acting_user=None, account=None, via: str = "") -> Service:
    """Mark a directory service as taking people, waitlisted or full: by the agency (an administrator)
    or by its organization (`account`, through its link or its system)."""
    if intake not in Service.Intake.values:
        raise ValidationError({"intake": "Choose taking people, waiting list or full."})
    actor = account or acting_user
    if account is not None:
        organization = organization_of(account)
        if organization is None or organization.pk != service.organization_id:
            raise PermissionDenied("Only the service's organization may change whether it takes people.")
    elif acting_user is None or Role.ADMIN not in acting_user.roles:
        raise PermissionDenied("Only administrators change the directory.")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        before = service.intake
        service.intake = intake
        service.capacity_updated_at = timezone.now()
        service.save(update_fields=["intake", "capacity_updated_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            target=service,
            changes={"intake": [before, intake]},
            reason=f"Set by {via}" if via else "",
        )
    return service


# What the organization may do, through its link or its system: one table both read -------------


def _at(data: Mapping) -> datetime:
    at = data.get("at")
    if isinstance(at, str):
        at = parse_datetime(at.strip())
    if not isinstance(at, datetime):
        raise ValidationError("Give the appointment's date and time.")
    return at


PARTNER_ACTIONS: dict[str, Callable[..., object]] = {
    "accept": lambda r, a, d, via: referral_partner_accept(referral=r, account=a, via=via),
    "decline": lambda r, a, d, via: referral_partner_decline(
        referral=r, account=a, reason_code=d.get("reason_code", ""), note=d.get("note", ""), via=via
    ),
    "appointment": lambda r, a, d, via: referral_partner_propose_appointment(referral=r, account=a, at=_at(d), via=via),
    "served": lambda r, a, d, via: referral_partner_report(referral=r, account=a, served=True, via=via),
    "not_served": lambda r, a, d, via: referral_partner_report(
        referral=r, account=a, served=False, outcome=d.get("outcome", ""), via=via
    ),
    "intake": lambda r, a, d, via: service_intake_set(
        service=r.service, intake=d.get("intake", ""), account=a, via=via
    ),
}
#: The status an organization's system asks for, as the action it stands for.
STATUS_ACTIONS = {S.ACCEPTED: "accept", S.DECLINED: "decline", S.COMPLETED: "served", S.NOT_COMPLETED: "not_served"}


def referral_partner_act(*, referral: Referral, account, action: str, data: Mapping, via: str = VIA_LINK):
    """Carry out one of the organization's `PARTNER_ACTIONS` with what it sent: `reason_code` and
    `note` (decline), `at` (appointment), `outcome` (not served), `intake` (the service's intake)."""
    handler = PARTNER_ACTIONS.get(action)
    if handler is None:
        raise ValidationError("Choose what to record.")
    return handler(referral, account, data, via)
