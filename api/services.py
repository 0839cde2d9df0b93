"""Registering a partner system: its OAuth2 application, its account and its binding."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from oauth2_provider.models import get_application_model

from accounts.models import Office, Role
from accounts.services import user_create
from api.models import PartnerBinding
from audit.models import AuditEvent
from audit.services import audit_record
from referrals.models import Organization
from referrals.partners import organization_account

Application = get_application_model()


@dataclass(frozen=True)
class Credentials:
    application: object
    client_id: str
    client_secret: str  # shown once: only its hash is kept


def partner_register(
    *, acting_user, name: str, office: Office | None = None, organization: Organization | None = None,
    roles: tuple[str, ...] = (),
) -> Credentials:  # fmt: skip
    """A partner system's client-credentials application, bound to an office (its account: a
    partner-role user of that office, plus any `roles` the agency grants it, e.g. caseworker to
    register clients) or to a directory organization (the organization's account)."""
    if (office is None) == (organization is None):
        raise ValidationError("Bind the partner system to an office or to an organization.")
    if not name.strip():
        raise ValidationError({"name": "Name the partner system."})
    with transaction.atomic():
        if office is not None:
            user = user_create(
                acting_user=acting_user,
                username=f"partner-{slugify(name)}-{get_random_string(6).lower()}"[:150],
                password=None,
                roles=sorted({Role.PARTNER, *roles}),
                first_name=name[:150],
                office=office,
            )
        else:
            user = organization_account(organization=organization, acting_user=acting_user)
        secret = get_random_string(48)
        application = Application(
            name=name.strip()[:255],
            user=user,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
        )
        application.save()
        PartnerBinding.objects.create(application=application, office=office, organization=organization)
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            target=application,
            changes={
                "partner": [None, name],
                "office": [None, office.code if office else None],
                "organization": [None, organization.name if organization else None],
                "roles": [None, sorted({Role.PARTNER, *roles}) if office else [Role.PARTNER]],
            },
        )
    return Credentials(application=application, client_id=application.client_id, client_secret=secret)
