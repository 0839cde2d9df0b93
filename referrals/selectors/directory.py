"""Reads of the resource directory. It holds no client's information: every signed-in
staff member may search it."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from referrals.models import Category, Language, Location, Service, ServiceAtLocation


def _shaped(services: QuerySet[Service]) -> QuerySet[Service]:
    """What a list of services shows, in a fixed number of queries whatever its length."""
    return services.select_related("organization", "internal_office").prefetch_related(
        "categories",
        "languages",
        Prefetch("locations", queryset=Location.objects.order_by("city", "name", "id")),
    )


def directory_search(
    *,
    q: str = "",
    category: Category | None = None,
    language: Language | None = None,
    area: str = "",
    include_closed: bool = False,
) -> QuerySet[Service]:
    """Services matching every criterion given, by name.

    `q` looks in the service's and the organization's names and descriptions, the
    eligibility text and the category names; `area` is a city (whole name, any case) or
    the start of a postal code, matched against the service's locations.
    """
    services = Service.objects.all()
    if not include_closed:
        services = services.filter(status__in=Service.LISTED)
    for word in q.split():
        services = services.filter(
            Q(name__icontains=word)
            | Q(alternate_name__icontains=word)
            | Q(description__icontains=word)
            | Q(eligibility_description__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(organization__alternate_name__icontains=word)
            | Q(Exists(Category.objects.filter(services=OuterRef("pk"), name__icontains=word)))
        )
    if category is not None:
        services = services.filter(
            Exists(Service.categories.through.objects.filter(service=OuterRef("pk"), category=category))
        )
    if language is not None:
        services = services.filter(
            Exists(Service.languages.through.objects.filter(service=OuterRef("pk"), language=language))
        )
    area = area.strip()
    if area:
        place = Q(location__city__iexact=area) | Q(location__postal_code__istartswith=area)
        services = services.filter(Exists(ServiceAtLocation.objects.filter(place, service=OuterRef("pk"))))
    return _shaped(services).order_by("name", "organization__name", "id")


def directory_choices() -> dict:
    """The categories and languages to filter by: only those some service has."""
    return {
        "categories": Category.objects.filter(
            Exists(Service.categories.through.objects.filter(category=OuterRef("pk")))
        ),
        "languages": Language.objects.filter(Exists(Service.languages.through.objects.filter(language=OuterRef("pk")))),
    }


def service_get(*, pk: int) -> Service:
    return get_object_or_404(_shaped(Service.objects.all()), pk=pk)


def service_get_for_referral(*, pk: int) -> Service:
    """A service that can still take referrals (not inactive or defunct), else 404."""
    return get_object_or_404(_shaped(Service.objects.filter(status__in=Service.LISTED)), pk=pk)
