"""What the client pages refuse, as a worker sees it: a message beside the field and nothing saved."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from clients.models import Asset, Expense, Income
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(date(2026, 11, 16), tick=False):
        yield


@pytest.fixture
def person(caseworker):
    person = ClientFactory(office=caseworker.office, date_of_birth=date(1980, 5, 1))
    case_for(person, caseworker)
    return person


FINANCES = {
    "income": (Income, "amount", {"kind": "earned", "frequency": "monthly", "verification": "unverified"}),
    "expense": (Expense, "amount", {"kind": "rent", "frequency": "monthly", "verification": "unverified"}),
    "asset": (Asset, "value", {"kind": "cash", "verification": "unverified"}),
}


def finance_data(kind: str, **changes) -> dict:
    _model, amount_field, data = FINANCES[kind]
    dated = {"as_of": "2026-11-01"} if kind == "asset" else {"start_date": "2026-11-01"}
    return {**data, **dated, amount_field: "1,450.00", **changes}


def form_errors(response) -> dict:
    return response.context["form"].errors


@pytest.mark.parametrize("kind", FINANCES)
def test_a_grouped_amount_is_saved_to_the_cent(client, caseworker, person, kind):
    model, field, _data = FINANCES[kind]
    client.force_login(caseworker)
    response = client.post(reverse("clients:finance_add", args=[person.pk, kind]), finance_data(kind))
    assert response.status_code == 302
    assert str(getattr(model.objects.get(), field)) == "1450.00"


@pytest.mark.parametrize("typed", ["7,5", "1e-2", "NaN", "Infinity", "1.234", "1,45,0"])
@pytest.mark.parametrize("kind", FINANCES)
def test_a_misread_amount_is_refused_beside_the_field(client, caseworker, person, kind, typed):
    model, field, _data = FINANCES[kind]
    client.force_login(caseworker)
    response = client.post(reverse("clients:finance_add", args=[person.pk, kind]), finance_data(kind, **{field: typed}))
    assert response.status_code == 200
    assert list(form_errors(response)) == [field]
    assert "like 1,450.00" in form_errors(response)[field][0]
    assert not model.objects.exists()
