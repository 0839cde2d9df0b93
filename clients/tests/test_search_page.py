"""The client search page with names in any script: what a caseworker types, what the page shows."""

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, case_for

PAGE = reverse("clients:list")


@pytest.fixture
def clients_of(caseworker):
    def make(*names: tuple[str, str]):
        made = []
        for first, last in names:
            person = ClientFactory(office=caseworker.office, first_name=first, last_name=last)
            case_for(person, caseworker)
            made.append(person)
        return made

    return make


def test_an_arabic_name_is_found_by_typing_it(client, caseworker, clients_of):
    mohammed, *_ = clients_of(("محمد", "عبد الله"), ("John", "Smith"), ("Maria", "Garcia"))
    client.force_login(caseworker)

    response = client.get(PAGE, {"q": "محمد عبد الله"})

    assert list(response.context["clients"]) == [mohammed]
    assert "1 match, best first" in response.content.decode()


@pytest.mark.parametrize("typed", ["😀", "🙂🙂", "?!"])
def test_a_query_of_symbols_lists_nobody_and_says_so(client, caseworker, clients_of, typed):
    people = clients_of(("John", "Smith"), ("Maria", "Garcia"), ("Иван", "Петров"))
    client.force_login(caseworker)

    response = client.get(PAGE, {"q": typed})

    assert list(response.context["clients"]) == []
    page = response.content.decode()
    assert f"No client matches “{typed}”." in page
    for person in people:
        assert reverse("clients:detail", args=[person.pk]) not in page


def test_a_name_like_nobody_s_lists_nobody_and_says_so(client, caseworker, clients_of):
    clients_of(("John", "Smith"), ("Maria", "Garcia"))
    client.force_login(caseworker)

    response = client.get(PAGE, {"q": "يوسف"})

    assert list(response.context["clients"]) == []
    assert "No client matches “يوسف”." in response.content.decode()
