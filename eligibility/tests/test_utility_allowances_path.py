"""SNAP utility standards through the caseworker's pages, with Connecticut's FY 2026 figures loaded
as an agency in Connecticut loads them (`eligibility_load_parameters --state ct`).

A client of 35 earning $1,500 a month, paying $600 of rent, on a SNAP enrollment applied for on
August 1, 2025. The worker records the utilities on the client's finances page, runs the
determination for November 2025 and reads the allowance and the amount on the determination page.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from clients.models import Expense
from eligibility.models import Determination
from eligibility.tests.helpers import snap_enrollment

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def connecticut():
    call_command("eligibility_load_parameters", state=["ct"], stdout=StringIO())


def _record_expense(client, person, kind: str, amount: str) -> None:
    response = client.post(
        reverse("clients:finance_add", kwargs={"client_pk": person.pk, "kind": "expense"}),
        {
            "kind": kind,
            "amount": amount,
            "frequency": "monthly",
            "start_date": "2025-01-01",
            "end_date": "",
            "verification": "verified",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()


@pytest.mark.parametrize(
    ("utilities", "allowance", "why", "amount"),
    [
        # $600 + $976 above half of $991 is capped at $744: net $247, $298 - $75.
        ({"heating_cooling": "140.00"}, "$976.00", "includes heating or cooling", "223.00"),
        # $600 + $430 - $495.50 = $534.50: net $456.50 -> $457, $298 - $138.
        ({"water": "45.00", "trash": "20.00"}, "$430.00", "limited utility allowance", "160.00"),
        # $600 + $36 - $495.50 = $140.50: net $850.50 -> $851, $298 - $256.
        ({"telephone": "55.00"}, "$36.00", "telephone allowance", "42.00"),
    ],
)
def test_worker_records_utilities_by_kind_and_the_determination_uses_the_right_allowance(
    client, caseworker, connecticut, utilities, allowance, why, amount
):
    enrollment = snap_enrollment(caseworker, earnings="1500")
    person = enrollment.case.primary_client
    client.force_login(caseworker)
    _record_expense(client, person, "rent", "600.00")
    for kind, bill in utilities.items():
        _record_expense(client, person, kind, bill)

    finances = client.get(reverse("clients:finances", args=[person.pk])).content.decode()
    for kind in utilities:
        assert str(Expense.Kind(kind).label) in finances

    response = client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-11-01"})
    determination = Determination.objects.get(enrollment=enrollment)
    assert response["Location"] == reverse("eligibility:determination_detail", args=[determination.pk])
    html = client.get(response["Location"]).content.decode()

    assert "Utility allowance" in html
    assert allowance in html and why in html
    # The what-if beside it names each utility as the finances page does.
    whatif = client.get(reverse("eligibility:enrollment_detail", args=[enrollment.pk])).content.decode()
    for kind in utilities:
        assert f"{Expense.Kind(kind).label}, monthly" in whatif
    assert determination.monthly_amount == Decimal(amount)
    assert f"${amount}" in html


def test_without_a_state_loaded_a_heating_expense_is_refused_with_the_missing_allowance_named(client, caseworker):
    enrollment = snap_enrollment(caseworker, earnings="1500")
    client.force_login(caseworker)
    _record_expense(client, enrollment.case.primary_client, "heating_cooling", "140.00")

    response = client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-11-01"})

    assert response.status_code == 200
    assert "snap.standard_utility_allowance" in response.content.decode()
    assert not Determination.objects.exists()


def test_a_row_recorded_before_utilities_were_kept_by_kind_reads_and_edits_as_it_was(client, caseworker, connecticut):
    enrollment = snap_enrollment(caseworker, earnings="1500")
    person = enrollment.case.primary_client
    Expense.objects.create(client=person, kind="rent", amount=Decimal("600"), start_date=date(2025, 1, 1))
    old = Expense.objects.create(client=person, kind="utilities", amount=Decimal("120"), start_date=date(2025, 1, 1))
    client.force_login(caseworker)

    finances = client.get(reverse("clients:finances", args=[person.pk])).content.decode()
    assert "Utilities including heating or cooling" in finances
    edit = client.get(reverse("clients:finance_edit", kwargs={"kind": "expense", "pk": old.pk})).content.decode()
    assert 'value="utilities" selected' in edit
    add = client.get(reverse("clients:finance_add", kwargs={"client_pk": person.pk, "kind": "expense"}))
    assert 'value="utilities"' not in add.content.decode()
    assert 'value="heating_cooling"' in add.content.decode()

    client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-11-01"})
    assert Determination.objects.get().monthly_amount == Decimal("223.00")  # the SUA, as before


def test_connecticuts_broad_based_categorical_eligibility_through_the_workers_pages(client, caseworker, connecticut):
    # $2,000 of earnings is above the 130% limit ($1,696) but within Connecticut's 200% ($2,609); $10,000
    # in the bank would fail the $3,000 resource limit, which does not apply.
    enrollment = snap_enrollment(caseworker, earnings="2000")
    person = enrollment.case.primary_client
    client.force_login(caseworker)
    response = client.post(
        reverse("clients:finance_add", kwargs={"client_pk": person.pk, "kind": "asset"}),
        {
            "kind": "bank_account",
            "value": "10,000.00",
            "description": "",
            "as_of": "2025-10-01",
            "verification": "verified",
        },
    )
    assert response.status_code == 302, response.content.decode()

    response = client.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": "2025-11-01"})
    html = client.get(response["Location"]).content.decode()

    determination = Determination.objects.get(enrollment=enrollment)
    assert determination.eligible
    # Net $2,000 - $400 - $209 = $1,391, above the $1,305 net limit that does not apply: the minimum $24.
    assert determination.monthly_amount == Decimal("24.00")
    assert "categorically eligible" in html and "no resource limit" in html
