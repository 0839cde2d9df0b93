"""The client list pages through the clients one may see by name, each page read on from the last
client of the one before (no count of the whole office, no offset)."""

import pytest
from django.urls import reverse

from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db


def test_the_list_pages_by_name_with_no_client_twice_or_missed(client, caseworker, other_caseworker):
    for i in range(30):
        case_for(ClientFactory(office=caseworker.office, last_name=f"Pager{i:02d}", first_name="Ann"), caseworker)
    case_for(ClientFactory(office=other_caseworker.office, last_name="Pager99"), other_caseworker)
    client.force_login(caseworker)

    first = client.get(reverse("clients:list"))
    shown = [c.last_name for c in first.context["clients"]]
    after = first.context["page"].next_after
    second = client.get(reverse("clients:list"), {"after": after})
    rest = [c.last_name for c in second.context["clients"]]

    assert shown == [f"Pager{i:02d}" for i in range(25)]
    assert rest == [f"Pager{i:02d}" for i in range(25, 30)]
    assert f'href="?after={after}">Next</a>' in first.content.decode()
    assert ">Next</a>" not in second.content.decode() and ">First page</a>" in second.content.decode()


def test_a_client_one_may_not_see_is_no_place_to_start_from(client, caseworker, other_caseworker):
    for i in range(3):
        case_for(ClientFactory(office=caseworker.office, last_name=f"Pager{i:02d}"), caseworker)
    hidden = ClientFactory(office=other_caseworker.office, last_name="Pager01")
    case_for(hidden, other_caseworker)
    client.force_login(caseworker)

    response = client.get(reverse("clients:list"), {"after": hidden.pk})

    assert response.status_code == 200
    assert response.context["clients"] == []
