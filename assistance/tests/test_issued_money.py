"""What an issued payment paid, to whom and for whom never changes: a mistake is reversed and issued anew.

The model refuses it (on every database); on PostgreSQL a trigger refuses it too, whoever
sends the UPDATE, the application's role included.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from assistance.models import Issuance, IssuedError, LedgerTransaction
from assistance.services import issuance_reverse
from assistance.tests.helpers import client_case, request
from tests import app_role
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
Status = Issuance.Status


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def issued(caseworker) -> Issuance:
    _client, case = client_case(caseworker, enrolled=True)
    issuance = request(caseworker, case, amount="100.00", payee_name="Maple Street Apartments")
    assert issuance.status == Status.ISSUED
    return issuance


def stored(issuance: Issuance) -> tuple:
    row = Issuance.objects.get(pk=issuance.pk)
    return row.amount, row.payee_name, row.client_id, row.status


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("amount", Decimal("1000.00"), "amount"),
        ("payee_name", "Someone Else", "payee name"),
        ("payee_address", "1 Elsewhere Road", "payee address"),
    ],
)
def test_an_issued_payments_money_and_payee_cannot_be_changed(issued, field, value, named):
    before = stored(issued)
    setattr(issued, field, value)

    with pytest.raises(IssuedError, match=f"its {named} cannot be changed; reverse it and issue anew"):
        issued.save()
    with pytest.raises(IssuedError, match=named):
        issued.save(update_fields=[field])

    assert stored(issued) == before


def test_an_issued_payment_cannot_be_moved_to_another_client(issued, caseworker):
    before = stored(issued)
    issued.client = ClientFactory(office=caseworker.office)

    with pytest.raises(IssuedError, match="client"):
        issued.save(update_fields=["client"])

    assert stored(issued) == before


def test_an_issued_payment_cannot_be_removed(issued):
    with pytest.raises(IssuedError, match="reverse it instead"):
        issued.delete()
    assert Issuance.objects.filter(pk=issued.pk).exists()


def test_a_request_still_waiting_may_change_and_an_issued_one_its_other_fields(issued, caseworker):
    _client, case = client_case(caseworker, enrolled=True)
    waiting = request(caseworker, case, amount="1500.00")
    assert waiting.status == Status.PENDING
    waiting.amount = Decimal("1400.00")
    waiting.save(update_fields=["amount"])

    issued.purpose = "Rent for March"
    issued.save(update_fields=["purpose"])

    assert Issuance.objects.get(pk=waiting.pk).amount == Decimal("1400.00")
    assert Issuance.objects.get(pk=issued.pk).purpose == "Rent for March"


def test_a_reversal_still_goes_through_and_the_amount_stays(issued, supervisor):
    issuance_reverse(acting_user=supervisor, issuance=issued, reason="Paid to the wrong landlord")

    assert stored(issued) == (Decimal("100.00"), "Maple Street Apartments", issued.client_id, Status.REVERSED)
    assert LedgerTransaction.objects.filter(issuance=issued).count() == 2
    issued.refresh_from_db()
    issued.amount = Decimal("1.00")
    with pytest.raises(IssuedError):
        issued.save()


# In the database, as the application's role ----------------------------------------------


def _refused(sql: str, params: list, match: str) -> None:
    with pytest.raises(IntegrityError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assistance_issuance SET amount = amount * 10 WHERE id = %s",
        "UPDATE assistance_issuance SET recovered = 50 WHERE id = %s",
        "UPDATE assistance_issuance SET payee_name = 'Someone Else' WHERE id = %s",
        "UPDATE assistance_issuance SET payee_kind = 'other' WHERE id = %s",
        "UPDATE assistance_issuance SET client_id = (SELECT max(id) FROM clients_client) WHERE id = %s",
    ],
)
def test_the_database_refuses_changing_an_issued_payment(issued, caseworker, as_app_role, sql):
    ClientFactory(office=caseworker.office)
    before = stored(issued)

    _refused(
        sql, [issued.pk], f"issuance {issued.reference} was issued: its amount, payee and client cannot be changed"
    )

    assert stored(issued) == before


@pytest.mark.postgres
def test_the_database_lets_an_issued_payment_follow_a_merged_client_and_nowhere_else(issued, caseworker, as_app_role):
    survivor = ClientFactory(office=caseworker.office)
    someone_else = ClientFactory(office=caseworker.office)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET merged_into_id = %s WHERE id = %s", [survivor.pk, issued.client_id])

    _refused(
        "UPDATE assistance_issuance SET client_id = %s WHERE id = %s", [someone_else.pk, issued.pk], "cannot be changed"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE assistance_issuance SET client_id = %s WHERE id = %s", [survivor.pk, issued.pk])

    assert stored(issued)[2] == survivor.pk


@pytest.mark.postgres
def test_the_database_refuses_removing_or_un_issuing_a_payment_even_for_the_owner(issued, supervisor, as_app_role):
    _refused("UPDATE assistance_issuance SET status = 'approved' WHERE id = %s", [issued.pk], "cannot become approved")
    with app_role.as_owner():
        # The application's role may not DELETE at all; the trigger stops the owner.
        _refused("DELETE FROM assistance_issuance WHERE id = %s", [issued.pk], "cannot be removed; reverse it instead")

    # As the application's role, a reversal goes through; then the payment stays reversed.
    issuance_reverse(acting_user=supervisor, issuance=issued, reason="Paid to the wrong landlord")
    assert stored(issued)[3] == Status.REVERSED
    _refused("UPDATE assistance_issuance SET status = 'issued' WHERE id = %s", [issued.pk], "cannot become issued")
    _refused("UPDATE assistance_issuance SET amount = 1 WHERE id = %s", [issued.pk], "cannot be changed")
