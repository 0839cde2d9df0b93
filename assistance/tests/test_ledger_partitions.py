"""On PostgreSQL the ledger is partitioned by month: each posting lands in its month's tables, the
balance check and the hash chain hold across months, what must happen once (an issue per
issuance, a reversal per transaction, a place in the chain) happens once whatever the months, and
the coming months are created ahead by beat."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction

from assistance.models import Account, LedgerEntry, LedgerTransaction
from assistance.partitions import ledger_partitions, ledger_partitions_ensure
from assistance.services import Line, ledger_post
from assistance.tests.helpers import client_case, income_support, request
from audit.chain import LEDGER, chain_verify
from config.schedules import BEAT_SCHEDULE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OCTOBER = datetime(2026, 10, 20, 15, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def months_made():
    ledger_partitions_ensure(now=OCTOBER, months_ahead=1)


@pytest.fixture
def case(caseworker):
    return client_case(caseworker)[1]


def lines(case, amount: str) -> list[Line]:
    common = {"case_id": case.pk, "client_id": case.primary_client_id, "program_id": income_support().pk}
    return [
        Line(account=Account.ISSUED, amount=Decimal(amount), period=date(2026, 10, 1), **common),
        Line(account=Account.PAYMENTS, amount=-Decimal(amount), period=date(2026, 10, 1), **common),
    ]


def post(worker, case, amount: str, *, at: datetime, **fields) -> LedgerTransaction:
    with time_machine.travel(at, tick=False):
        fields.setdefault("kind", LedgerTransaction.Kind.ISSUE)
        return ledger_post(lines=lines(case, amount), posted_by=worker, **fields)


def partitions_holding(table: str, column: str, value: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT tableoid::regclass::text FROM {table} WHERE {column} = %s", [value])
        return {row[0] for row in cursor.fetchall()}


def commit_checks() -> None:
    """What PostgreSQL checks at commit (the balance, the deferred foreign keys), checked now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_postings_land_in_their_months_and_the_chain_verifies_across_them(months_made, caseworker, case):
    october = post(caseworker, case, "100.00", at=OCTOBER)
    november = post(caseworker, case, "40.00", at=NOVEMBER)

    assert partitions_holding("assistance_ledgertransaction", "id", october.pk) == {
        "assistance_ledgertransaction_p2026_10"
    }
    assert partitions_holding("assistance_ledgerentry", "transaction_id", october.pk) == {
        "assistance_ledgerentry_p2026_10"
    }
    assert partitions_holding("assistance_ledgertransaction", "id", november.pk) == {
        "assistance_ledgertransaction_p2026_11"
    }
    assert partitions_holding("assistance_ledgerentry", "transaction_id", november.pk) == {
        "assistance_ledgerentry_p2026_11"
    }
    assert sorted(LedgerEntry.objects.filter(client_id=case.primary_client_id).values_list("amount", flat=True)) == [
        Decimal("-100.00"),
        Decimal("-40.00"),
        Decimal("40.00"),
        Decimal("100.00"),
    ]
    with time_machine.travel(NOVEMBER, tick=False):
        report = chain_verify(LEDGER)
    assert report.intact, report.problem
    assert report.rows == 2


def test_the_balance_check_still_refuses_an_unbalanced_transaction_in_its_month(months_made, caseworker, case):
    posted = post(caseworker, case, "100.00", at=OCTOBER)
    like = posted.entries.get(account=Account.PAYMENTS)

    with (
        time_machine.travel(NOVEMBER, tick=False),
        pytest.raises(IntegrityError, match="does not balance"),
        transaction.atomic(),
    ):
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    transaction=posted,
                    posted_at=posted.posted_at,
                    account=Account.PAYMENTS,
                    amount=Decimal("-5.00"),
                    case_id=like.case_id,
                    client_id=like.client_id,
                    program_id=like.program_id,
                    period=like.period,
                )
            ]
        )
        commit_checks()

    assert posted.entries.count() == 2


def test_an_entry_posted_at_another_moment_than_its_transaction_is_refused(months_made, caseworker, case):
    posted = post(caseworker, case, "100.00", at=OCTOBER)
    like = posted.entries.get(account=Account.ISSUED)

    with pytest.raises(IntegrityError, match="assistance_ledgerentry_names_its_transaction"), transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    transaction=posted,
                    posted_at=NOVEMBER,
                    account=account,
                    amount=Decimal(amount),
                    case_id=like.case_id,
                    client_id=like.client_id,
                    program_id=like.program_id,
                    period=like.period,
                )
                for account, amount in ((Account.ISSUED, "7.00"), (Account.PAYMENTS, "-7.00"))
            ]
        )
        commit_checks()


def test_a_change_in_an_earlier_month_is_caught_by_the_walk_across_months(months_made, caseworker, case):
    from audit.tests.test_chain import as_owner_with_triggers_off

    victim = post(caseworker, case, "100.00", at=OCTOBER)
    post(caseworker, case, "40.00", at=NOVEMBER)
    with as_owner_with_triggers_off("assistance_ledgerentry_p2026_10") as cursor:
        cursor.execute("UPDATE assistance_ledgerentry SET amount = amount * 10 WHERE transaction_id = %s", [victim.pk])

    with time_machine.travel(NOVEMBER, tick=False):
        problem = chain_verify(LEDGER).problem
    assert problem.startswith(f"transaction {victim.pk} (position 1): changed")


def test_an_issuance_is_issued_once_whatever_the_month(months_made, caseworker, case):
    with time_machine.travel(OCTOBER, tick=False):
        issuance = request(caseworker, case, amount="100.00")
    assert LedgerTransaction.objects.filter(issuance=issuance, kind=LedgerTransaction.Kind.ISSUE).count() == 1

    with pytest.raises(IntegrityError, match="ledgertransaction_one_issue_per_issuance"), transaction.atomic():
        post(caseworker, case, "100.00", at=NOVEMBER, issuance=issuance)

    assert LedgerTransaction.objects.filter(issuance=issuance).count() == 1


def test_a_transaction_is_reversed_once_whatever_the_month(months_made, caseworker, case):
    posted = post(caseworker, case, "100.00", at=OCTOBER)
    post(caseworker, case, "-100.00", at=OCTOBER, kind=LedgerTransaction.Kind.REVERSAL, reverses=posted)

    with pytest.raises(IntegrityError, match="reverses_id_key"), transaction.atomic():
        post(caseworker, case, "-100.00", at=NOVEMBER, kind=LedgerTransaction.Kind.REVERSAL, reverses=posted)

    assert LedgerTransaction.objects.filter(reverses=posted).count() == 1


def test_a_reversal_must_name_a_transaction_of_the_ledger(months_made, caseworker, case):
    ghost = LedgerTransaction(pk=987654321, posted_at=OCTOBER)

    with pytest.raises(IntegrityError, match="reverses_a_transaction"), transaction.atomic():
        post(caseworker, case, "-100.00", at=NOVEMBER, kind=LedgerTransaction.Kind.REVERSAL, reverses=ghost)
        commit_checks()


def test_a_place_in_the_chain_is_held_once_whatever_the_month(months_made, caseworker, case):
    posted = post(caseworker, case, "100.00", at=OCTOBER)
    forged = LedgerTransaction(
        kind=LedgerTransaction.Kind.ISSUE, posted_by=caseworker, posted_at=NOVEMBER, seq=posted.seq, hash=posted.hash
    )

    with pytest.raises(IntegrityError, match="ledgertransaction_one_row_per_chain_position"), transaction.atomic():
        LedgerTransaction.objects.bulk_create([forged])


def test_the_coming_months_are_made_once_each():
    made = ledger_partitions_ensure(now=datetime(2031, 1, 5, tzinfo=UTC), months_ahead=2)

    assert made == 3
    names = {name for name, _rows in ledger_partitions()}
    for month in ("2031_01", "2031_02", "2031_03"):
        assert {f"assistance_ledgertransaction_p{month}", f"assistance_ledgerentry_p{month}"} <= names
    assert ledger_partitions_ensure(now=datetime(2031, 1, 5, tzinfo=UTC), months_ahead=2) == 0


def test_the_months_ahead_are_a_daily_beat_entry_of_a_registered_task():
    from assistance import tasks  # noqa: F401 - what the worker's autodiscovery imports
    from config.celery import app

    entry = BEAT_SCHEDULE["assistance-ledger-partitions"]
    with time_machine.travel(datetime(2032, 6, 10, tzinfo=UTC), tick=False):
        app.tasks[entry["task"]].delay()

    names = {name for name, _rows in ledger_partitions()}
    for month in ("2032_06", "2032_07", "2032_08", "2032_09"):
        assert {f"assistance_ledgertransaction_p{month}", f"assistance_ledgerentry_p{month}"} <= names


def test_the_application_may_only_read_the_keys_and_not_touch_a_month_directly(months_made, caseworker, case):
    from tests import app_role

    posted = post(caseworker, case, "100.00", at=OCTOBER)
    app_role.act_as_app_in_this_transaction()
    try:
        for sql in (
            "SELECT count(*) FROM assistance_ledgertransaction_p2026_10",
            "INSERT INTO assistance_ledgerentry_p2026_10 SELECT * FROM assistance_ledgerentry_p2026_10",
            "INSERT INTO assistance_ledgerkey (id) VALUES (987654321)",
            "UPDATE assistance_ledgerkey SET issuance_id = NULL",
            "DELETE FROM assistance_ledgerkey",
            "UPDATE assistance_ledgerentry SET amount = 1",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        # Through the parents, posting is what it always was.
        post(caseworker, case, "-100.00", at=NOVEMBER, kind=LedgerTransaction.Kind.REVERSAL, reverses=posted)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM assistance_ledgerkey")
            assert cursor.fetchone()[0] == 2
    finally:
        app_role.end_local_roles()
