"""Searching the resource directory: keyword, category, language and area (a city or a postal
code; no distances). The directory holds no client's information: every signed-in staff
member may search it."""

import pytest
from django.urls import reverse

from referrals.hsds import import_package
from referrals.models import Category, Language, Service
from referrals.selectors.directory import directory_choices, directory_search
from referrals.tests.helpers import SAMPLE, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    import_package(SAMPLE)


def names(services) -> list[str]:
    return [s.name for s in services]


def test_keyword_finds_names_descriptions_organizations_and_categories(directory):
    assert names(directory_search(q="pantry")) == ["Emergency food pantry"]
    assert names(directory_search(q="food bank")) == ["Emergency food pantry", "Home-delivered groceries"]
    assert names(directory_search(q="EVICTION")) == ["Tenant legal advice"]  # the description
    assert names(directory_search(q="shelter")) == ["Emergency family shelter"]
    assert names(directory_search(q="landlord")) == ["Tenant legal advice"]  # the category name
    assert names(directory_search(q="homebound")) == ["Home-delivered groceries"]  # the eligibility text
    assert names(directory_search(q="pantry lakeside")) == []  # every word must match


def test_category_language_and_area_narrow_the_search(directory):
    food = Category.objects.get(name="Food pantries")
    spanish = Language.objects.get(name="Spanish")
    vietnamese = Language.objects.get(name="Vietnamese")

    assert names(directory_search(category=food)) == ["Emergency food pantry", "Home-delivered groceries"]
    assert names(directory_search(language=spanish)) == ["Emergency family shelter", "Emergency food pantry"]
    assert names(directory_search(category=food, language=spanish)) == ["Emergency food pantry"]
    assert names(directory_search(language=vietnamese)) == ["Tenant legal advice"]
    assert names(directory_search(area="riverton")) == ["Emergency food pantry", "Home-delivered groceries"]
    assert names(directory_search(area="60614")) == ["Tenant legal advice"]
    assert names(directory_search(area="606")) == [
        "Emergency food pantry",
        "Home-delivered groceries",
        "Tenant legal advice",
    ]
    assert names(directory_search(area="Springfield")) == []


def test_services_no_longer_offered_are_not_listed(directory):
    Service.objects.filter(name="Tenant legal advice").update(status=Service.Status.DEFUNCT)
    Service.objects.filter(name="Emergency family shelter").update(status=Service.Status.TEMPORARILY_CLOSED)

    assert "Tenant legal advice" not in names(directory_search())
    assert "Emergency family shelter" in names(directory_search())
    assert "Tenant legal advice" in names(directory_search(include_closed=True))


def test_filters_offer_only_categories_and_languages_in_use(directory):
    Category.objects.create(name="Unused category")
    Language.objects.create(name="Klingon")
    choices = directory_choices()
    assert "Unused category" not in [c.name for c in choices["categories"]]
    assert [lang.name for lang in choices["languages"]] == ["English", "Spanish", "Vietnamese"]


def test_what_a_service_shows(directory):
    shelter = Service.objects.get(name="Emergency family shelter")
    assert shelter.capacity_text == "3 of 40 beds available"
    one = make_service("Night shelter", capacity_unit="Bed", capacity_available=1, capacity_maximum=1)
    assert one.capacity_text == "1 of 1 bed available"
    assert make_service("Youth drop-in", minimum_age=12, maximum_age=24).ages_served == "12 to 24"


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "other_caseworker", "admin", "auditor"])
def test_every_signed_in_staff_member_searches_the_directory(client, personas, directory, persona):
    client.force_login(personas[persona])
    response = client.get(reverse("referrals:directory"), {"q": "food", "area": "Riverton"})
    assert response.status_code == 200
    assert "Emergency food pantry" in response.content.decode()
    service = Service.objects.get(name="Emergency food pantry")
    page = client.get(reverse("referrals:service_detail", args=[service.pk]))
    assert page.status_code == 200
    assert "Walk in with photo identification" in page.content.decode()


def test_a_stranger_is_sent_to_sign_in(client, directory):
    response = client.get(reverse("referrals:directory"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_directory_page_costs_the_same_for_5_and_25_services(client, caseworker, django_assert_max_num_queries):
    def add(n, start):
        for i in range(start, start + n):
            make_service(
                f"Pantry {i:02d}",
                organization=f"Food bank {i}",
                categories=(f"Food {i % 3}",),
                languages=(f"Lang {i % 4}",),
            )

    client.force_login(caseworker)
    path = reverse("referrals:directory")
    add(5, 0)
    client.get(path, {"q": "pantry"})
    with django_assert_max_num_queries(16) as small:
        assert client.get(path, {"q": "pantry"}).status_code == 200
    add(20, 5)
    with django_assert_max_num_queries(16) as large:
        html = client.get(path, {"q": "pantry"}).content.decode()
    assert len(small) == len(large)
    assert html.count('aria-label="Refer to') == 0  # no case in context: no refer buttons
    assert html.count("Pantry ") >= 25


def test_the_demo_directory_loads_and_reloads_without_change(north, south):
    from referrals.demo import load_demo_directory

    load_demo_directory()
    assert load_demo_directory().changed == 0
    programs = Service.objects.filter(internal_office__isnull=False)
    assert sorted(p.name for p in programs) == [
        "Employment readiness workshop (North Office)", "Employment readiness workshop (South Office)",
        "Household budgeting class (North Office)", "Household budgeting class (South Office)",
    ]  # fmt: skip
    assert names(directory_search(q="clinic")) == ["Sliding-scale primary care"]
