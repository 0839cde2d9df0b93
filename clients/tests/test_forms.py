"""What the client pages refuse, as a worker sees it: a message beside the field and nothing saved."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from clients.forms import ExpenseForm
from clients.models import Asset, Expense, Income
from tests.factories import ClientFactory, case_for

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime(2026, 11, 16, 12, 0, tzinfo=UTC), tick=False):
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


# A constraint is a last line: the page says what is wrong in words, beside its field --------------

CONSTRAINT_CASES = [
    ("income", {"amount": "-5.00"}, "amount", "The amount cannot be negative."),
    ("income", {"start_date": "2026-05-01", "end_date": "2026-04-30"}, "end_date", "before the start date"),
    ("expense", {"amount": "-5.00"}, "amount", "The amount cannot be negative."),
    ("expense", {"start_date": "2026-05-01", "end_date": "2026-04-30"}, "end_date", "before the start date"),
    ("asset", {"value": "-1"}, "value", "cannot be negative."),
    ("asset", {"as_of": "2026-05-01", "disposed_on": "2026-04-30"}, "disposed_on", "cannot be before the date"),
]


def constraint_names() -> set[str]:
    from django.apps import apps

    return {c.name for model in apps.get_models() for c in model._meta.constraints}


def assert_no_database_wording(page: str) -> None:
    assert "Constraint" not in page and "violated" not in page
    assert not [name for name in constraint_names() if name in page]


@pytest.mark.parametrize(("kind", "changes", "field", "message"), CONSTRAINT_CASES)
def test_a_finance_record_against_a_constraint_is_refused_beside_its_field(
    client, caseworker, person, kind, changes, field, message
):
    model, _field, _data = FINANCES[kind]
    client.force_login(caseworker)
    response = client.post(reverse("clients:finance_add", args=[person.pk, kind]), finance_data(kind, **changes))
    assert response.status_code == 200
    assert list(form_errors(response)) == [field] and message in form_errors(response)[field][0]
    assert_no_database_wording(response.content.decode())
    assert not model.objects.exists()


def test_consent_expiring_before_it_was_granted_is_refused_beside_the_expiry(client, caseworker, person):
    client.force_login(caseworker)
    response = client.post(
        reverse("clients:consent_add", args=[person.pk]),
        {"organization": "Food bank", "purpose": "referral", "granted_on": "2026-11-10", "expires_on": "2026-11-01"},
    )
    assert response.status_code == 200
    assert form_errors(response) == {"expires_on": ["Consent cannot expire before the date it was granted."]}
    assert_no_database_wording(response.content.decode())
    assert not person.consents.exists()


def test_the_finances_tab_shows_amounts_with_thousands_and_cents(client, caseworker, person):
    Income.objects.create(client=person, kind="earned", amount="1450", start_date=date(2026, 1, 1))
    Asset.objects.create(client=person, kind="cash", value="12500.5")
    client.force_login(caseworker)
    page = client.get(reverse("clients:finances", args=[person.pk])).content.decode()
    assert "$1,450.00" in page and "$12,500.50" in page
    assert "$1450" not in page and "$12500" not in page


def test_the_expense_form_offers_each_utility_snap_tells_apart_and_the_old_kind_only_to_a_row_that_has_it():
    def utilities(form) -> list[str]:
        group, choices = form.fields["kind"].choices[2]
        assert group.startswith("Utilities")
        return [value for value, _label in choices]

    offered = utilities(ExpenseForm())
    assert offered == ["heating_cooling", "electricity", "gas_fuel", "water", "sewer", "trash", "telephone"]
    assert utilities(ExpenseForm(instance=Expense(kind="utilities")))[-1] == "utilities"
