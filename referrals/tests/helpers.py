"""Shared set-up for the referral tests: a small directory made through the models (the
directory is configuration, edited by admins), and referrals made through the services."""

import shutil
from datetime import date
from pathlib import Path

from clients.models import Consent
from referrals import services
from referrals.models import Category, Language, Location, Organization, Referral, Service, ServiceAtLocation
from tests.factories import ConsentFactory

SAMPLE = Path(__file__).parent / "data" / "hsds_riverton"
FOOD_PANTRY_ID = "5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a11"
SHELTER_ID = "5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a21"


def copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "package"
    shutil.copytree(SAMPLE, target)
    return target


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new))


def make_service(
    name: str = "Emergency food pantry",
    *,
    organization: str = "Riverton Food Bank",
    city: str = "Riverton",
    postal_code: str = "60601",
    categories: tuple[str, ...] = ("Food pantries",),
    languages: tuple[str, ...] = ("English",),
    **fields,
) -> Service:
    org, _ = Organization.objects.get_or_create(name=organization)
    service = Service.objects.create(organization=org, name=name, **fields)
    location = Location.objects.create(
        organization=org, name=f"{organization} office", address_1="410 Mill Street", city=city, postal_code=postal_code
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    service.categories.set([Category.objects.get_or_create(name=c)[0] for c in categories])
    service.languages.set([Language.objects.get_or_create(name=lang)[0] for lang in languages])
    return service


def consent_for(client, worker, organization: str = "Riverton Food Bank", **fields) -> Consent:
    fields.setdefault("granted_on", date(2025, 6, 1))
    return ConsentFactory(client=client, organization=organization, recorded_by=worker, **fields)


def refer(worker, case, service, *, client=None, shared=("contact",), send=True, **kwargs) -> Referral:
    return services.referral_create(
        acting_user=worker,
        case=case,
        client=client or case.primary_client,
        service=service,
        reason=kwargs.pop("reason", "Out of food until payday."),
        urgency=kwargs.pop("urgency", Referral.Urgency.ROUTINE),
        shared=list(shared),
        send=send,
        **kwargs,
    )
