"""Assistance under concurrency, on real PostgreSQL: every thread has its own connection.

- The same request sent 20 times at once (one idempotency key) makes one issuance.
- Two supervisors approving one request at the same moment: one decision stands, the other
  supervisor is told it was already approved. Issuing or reversing twice at once posts once.
- Two requests, or two approvals, for one client at once cannot both fit in a 30-day limit
  that holds one; two approvals at once cannot take a program past its budget unwarned.
- The database itself refuses to change ledger rows and to commit an unbalanced transaction.

These tests commit, so pytest-django empties the tables after each; the rows the migrations
wrote (roles, programs, parameters, default authority limits) are loaded again before each test
(`serialized_rollback`) and after the module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError, ProgrammingError
from django.utils import timezone

from assistance.models import (
    Account,
    AuthorityLimit,
    Budget,
    Issuance,
    IssuanceStatusChange,
    LedgerEntry,
    LedgerTransaction,
)
from assistance.services import (
    Line,
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reverse,
    ledger_post,
)
from assistance.tests.helpers import client_case, income_support, request
from audit.models import AuditEvent
from tests import app_role
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
Status = Issuance.Status
THREADS = 20


@pytest.fixture(autouse=True, scope="module")
def _migrated_rows_back_after_flush(django_db_setup, django_db_blocker):
    """Put back what the migrations wrote once the last test's flush has emptied the tables.

    Each test starts from those rows (`serialized_rollback`); this puts them back after the module
    (module-scoped: torn down after the last test's own database teardown), with their own ids, so
    the next tests and a reused test database find them as the migrations left them.
    """
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Group.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


def together(calls: list[Callable], *, timeout: float = 60) -> tuple[list, list]:
    """Run each call in its own thread, released at the same moment by a barrier.

    Returns the results and the exceptions, in the order of `calls` (None where there was none).
    """
    barrier = threading.Barrier(len(calls), timeout=timeout)
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def _warm(*objects) -> None:
    """Load what the services read from the shared instances before threads share them."""
    for obj in objects:
        if hasattr(obj, "roles"):
            obj.roles  # noqa: B018 - caches the user's roles
        if hasattr(obj, "primary_client"):
            obj.primary_client  # noqa: B018 - caches the case's client


# One idempotency key, twenty threads


def test_twenty_threads_with_one_key_make_one_issuance(caseworker):
    client, case = client_case(caseworker, enrolled=True)
    _warm(caseworker, case)

    results, errors = together([lambda: request(caseworker, case, amount="250.00", key="same-click")] * THREADS)

    assert errors == [None] * THREADS
    issuance = Issuance.objects.get()
    assert issuance.status == Status.ISSUED
    assert {result.pk for result in results} == {issuance.pk}
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.ISSUE).count() == 1
    assert LedgerEntry.objects.filter(client=client, account=Account.PAYMENTS).get().amount == Decimal("-250.00")
    assert issuance.status_changes.count() == 3
    assert (
        AuditEvent.objects.filter(
            object_type="assistance.issuance", object_id=str(issuance.pk), action=AuditEvent.Action.CREATE
        ).count()
        == 1
    )


def test_one_key_with_other_details_in_one_thread_still_makes_one_issuance(caseworker):
    _client, case = client_case(caseworker, enrolled=True)
    _warm(caseworker, case)
    odd = 7
    calls = [
        (lambda amount=("260.00" if i == odd else "250.00"): request(caseworker, case, amount=amount, key="same-key"))
        for i in range(THREADS)
    ]

    results, errors = together(calls)

    issuance = Issuance.objects.get()
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.ISSUE).count() == 1
    refused = [i for i, error in enumerate(errors) if error is not None]
    assert all(isinstance(errors[i], ValidationError) for i in refused), errors
    assert all("other details" in str(errors[i]) for i in refused)
    if issuance.amount == Decimal("260.00"):
        # The odd request got there first: every other copy is refused.
        assert refused == [i for i in range(THREADS) if i != odd]
        assert results[odd].pk == issuance.pk
    else:
        assert issuance.amount == Decimal("250.00")
        assert refused == [odd]
        assert {results[i].pk for i in range(THREADS) if i != odd} == {issuance.pk}


def test_one_key_sent_for_two_clients_at_once_makes_one_issuance(caseworker):
    """Two clients' requests do not wait on each other's lock: the unique key decides, and nobody sees an error
    other than the clear refusal of a key already used for something else."""
    _client, case = client_case(caseworker, enrolled=True)
    _other, other_case = client_case(caseworker, enrolled=True)
    _warm(caseworker, case, other_case)
    calls = [(lambda case=(case if i % 2 else other_case): request(caseworker, case, key="shared")) for i in range(10)]

    results, errors = together(calls)

    issuance = Issuance.objects.get()
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.ISSUE).count() == 1
    for result, error in zip(results, errors, strict=True):
        if error is None:
            assert result.pk == issuance.pk
        else:
            assert isinstance(error, ValidationError) and "other details" in str(error), error
    assert sum(error is None for error in errors) == 5


# Two supervisors decide one request at the same moment, 100 times


def test_two_supervisors_approving_at_once_leave_one_decision_each_time(caseworker, supervisor, north):
    rounds = 100
    other = UserFactory(username="sup2", office=north, roles=["supervisor"], first_name="Ines", last_name="Okafor")
    _client, case = client_case(caseworker, enrolled=True)
    _warm(caseworker, case, supervisor, other)
    pending = [request(caseworker, case, amount="1500.00") for _ in range(rounds)]
    assert {issuance.status for issuance in pending} == {Status.PENDING}

    outcomes: dict[int, list] = {supervisor.pk: [], other.pk: []}
    barrier = threading.Barrier(2, timeout=30)

    def decide(user) -> None:
        try:
            for issuance in pending:
                barrier.wait()
                try:
                    issuance_approve(acting_user=user, issuance=issuance, reason="Seen the eviction notice")
                    outcomes[user.pk].append(None)
                except Exception as error:
                    outcomes[user.pk].append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(user,)) for user in (supervisor, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)

    names = {supervisor.pk: supervisor.get_full_name(), other.pk: other.get_full_name()}
    wins = {supervisor.pk: 0, other.pk: 0}
    for n, issuance in enumerate(pending):
        issuance.refresh_from_db()
        assert issuance.status == Status.APPROVED
        approvals = IssuanceStatusChange.objects.filter(issuance=issuance, to_status=Status.APPROVED)
        assert approvals.count() == 1
        winner = issuance.decided_by_id
        loser = other.pk if winner == supervisor.pk else supervisor.pk
        assert approvals.get().changed_by_id == winner
        assert outcomes[winner][n] is None
        error = outcomes[loser][n]
        assert isinstance(error, ValidationError), error
        assert f"already approved by {names[winner]}" in error.messages[0]
        wins[winner] += 1
    assert sum(wins.values()) == rounds


def test_issuing_and_reversing_at_once_post_once_each(caseworker, supervisor, north):
    other = UserFactory(username="sup2", office=north, roles=["supervisor"])
    _client, case = client_case(caseworker, enrolled=True)
    _warm(caseworker, supervisor, other, case)
    approved = issuance_approve(acting_user=supervisor, issuance=request(caseworker, case, amount="1500.00"))

    results, errors = together([lambda: issuance_issue(acting_user=caseworker, issuance=approved)] * 2)
    assert errors == [None, None]
    assert {result.status for result in results} == {Status.ISSUED}
    assert LedgerTransaction.objects.filter(issuance=approved).count() == 1

    results, errors = together(
        [
            lambda user=user: issuance_reverse(acting_user=user, issuance=approved, reason="Paid twice")
            for user in (supervisor, other)
        ]
    )
    refused = [error for error in errors if error is not None]
    assert len(refused) == 1 and "reversed; only an issued one can be reversed" in str(refused[0])
    assert LedgerTransaction.objects.filter(issuance=approved, kind=LedgerTransaction.Kind.REVERSAL).count() == 1
    assert sum(LedgerEntry.objects.filter(transaction__issuance=approved).values_list("amount", flat=True)) == 0
    assert approved.status_changes.filter(to_status=Status.REVERSED).count() == 1


# Limits and budgets hold against two requests or approvals at once


@pytest.fixture
def thirty_day_limit(db) -> AuthorityLimit:
    """From today, a caseworker may give one client at most $1,500 of emergency funds in 30 days."""
    return AuthorityLimit.objects.create(
        role="caseworker",
        kind=Issuance.Kind.EMERGENCY,
        effective_from=timezone.localdate(),
        per_issuance=Decimal("1000.00"),
        per_client_30_days=Decimal("1500.00"),
    )


def test_two_requests_at_once_that_fit_the_30_day_limit_only_alone_issue_one(caseworker, thirty_day_limit):
    _warm(caseworker)
    for _round in range(10):
        client, case = client_case(caseworker, enrolled=True)
        _warm(case)
        results, errors = together([lambda case=case: request(caseworker, case, amount="900.00")] * 2)

        assert errors == [None, None]
        assert sorted(result.status for result in results) == [Status.ISSUED, Status.PENDING]
        waiting = next(result for result in results if result.status == Status.PENDING)
        assert waiting.exceeds == [
            {
                "measure": "per_client_30_days",
                "label": "Per client in 30 days",
                "limit": "1500.00",
                "value": "1800.00",
                "over_by": "300.00",
            }
        ]
        assert LedgerEntry.objects.filter(client=client, account=Account.ISSUED).get().amount == Decimal("900.00")


def test_two_approvals_at_once_for_one_client_stay_within_the_approvers_30_day_limit(caseworker, supervisor, north):
    """Each approval fits the supervisors' $2,500 in 30 days alone, not together: one stands."""
    AuthorityLimit.objects.create(
        role="supervisor",
        kind=Issuance.Kind.EMERGENCY,
        effective_from=timezone.localdate(),
        per_issuance=Decimal("5000.00"),
        per_client_30_days=Decimal("2500.00"),
    )
    other = UserFactory(username="sup2", office=north, roles=["supervisor"])
    _warm(caseworker, supervisor, other)
    for _round in range(10):
        client, case = client_case(caseworker, enrolled=True)
        _warm(case)
        first, second = (request(caseworker, case, amount="1500.00") for _ in range(2))
        assert first.status == second.status == Status.PENDING

        _results, errors = together(
            [
                lambda first=first: issuance_approve(acting_user=supervisor, issuance=first),
                lambda second=second: issuance_approve(acting_user=other, issuance=second),
            ]
        )

        approved = Issuance.objects.filter(client=client, status=Status.APPROVED).count()
        assert approved == 1, "both approvals stood: $3,000 to one client against a $2,500 limit"
        refused = [error for error in errors if error is not None]
        assert len(refused) == 1 and "beyond your own authority" in str(refused[0])


def test_two_approvals_at_once_cannot_pass_the_budget_unwarned(caseworker, supervisor, north):
    """Each approval fits the $2,000 left in the budget alone, not together: the second supervisor is warned."""
    today = timezone.localdate()
    Budget.objects.create(
        program=income_support(),
        fiscal_year="FY-test",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
        amount=Decimal("2000.00"),
    )
    other = UserFactory(username="sup2", office=north, roles=["supervisor"])
    _warm(caseworker, supervisor, other)
    for _round in range(10):
        first, second = (request(caseworker, client_case(caseworker)[1], amount="1500.00") for _ in range(2))

        _results, errors = together(
            [
                lambda first=first: issuance_approve(acting_user=supervisor, issuance=first),
                lambda second=second: issuance_approve(acting_user=other, issuance=second),
            ]
        )

        approved = list(Issuance.objects.filter(status=Status.APPROVED))
        assert len(approved) == 1, "both approvals stood: $3,000 committed against a $2,000 budget, nobody warned"
        refused = [error for error in errors if error is not None]
        assert len(refused) == 1 and "past its budget" in str(refused[0])
        for issuance in approved:
            issuance_cancel(acting_user=caseworker, issuance=issuance, reason="Next round")


# The database keeps the ledger append-only and balanced


def _posted(caseworker) -> LedgerTransaction:
    _client, case = client_case(caseworker, enrolled=True)
    issuance = request(caseworker, case, amount="100.00")
    return LedgerTransaction.objects.get(issuance=issuance, kind=LedgerTransaction.Kind.ISSUE)


def _entry(transaction_: LedgerTransaction, account: str, amount: str, *, like: LedgerEntry) -> LedgerEntry:
    return LedgerEntry(
        transaction=transaction_,
        posted_at=transaction_.posted_at,  # an entry is posted with its transaction
        account=account,
        amount=Decimal(amount),
        case_id=like.case_id,
        client_id=like.client_id,
        program_id=like.program_id,
        period=like.period,
    )


def test_the_database_keeps_the_ledger_append_only_and_balanced(caseworker):
    posted = _posted(caseworker)
    like = posted.entries.first()
    # Rows are never changed or removed, whoever sends the SQL.
    for sql in [
        "UPDATE assistance_ledgerentry SET amount = amount * 2 WHERE transaction_id = %s",
        "DELETE FROM assistance_ledgerentry WHERE transaction_id = %s",
        "UPDATE assistance_ledgertransaction SET memo = 'changed' WHERE id = %s",
        "DELETE FROM assistance_ledgertransaction WHERE id = %s",
    ]:
        # The trigger holds for the owner too; the application's role is refused before it.
        with (
            app_role.as_owner(),
            pytest.raises(ProgrammingError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [posted.pk])
    assert sorted(posted.entries.values_list("amount", flat=True)) == [Decimal("-100.00"), Decimal("100.00")]
    assert LedgerTransaction.objects.filter(pk=posted.pk, memo="").exists()

    # A transaction whose entries do not sum to zero is refused when it commits.
    inserted = False
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        unbalanced = LedgerTransaction.objects.create(kind=LedgerTransaction.Kind.ISSUE, posted_by=caseworker)
        LedgerEntry.objects.bulk_create(
            [
                _entry(unbalanced, Account.ISSUED, "100.00", like=like),
                _entry(unbalanced, Account.PAYMENTS, "-99.99", like=like),
            ]
        )
        inserted = True  # the rows went in; the refusal comes at commit

    assert inserted
    assert LedgerEntry.objects.count() == 2
    assert list(LedgerTransaction.objects.values_list("pk", flat=True)) == [posted.pk]

    # Nor may a committed, balanced transaction gain an entry that unbalances it.
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        LedgerEntry.objects.bulk_create([_entry(posted, Account.PAYMENTS, "-5.00", like=like)])
    assert posted.entries.count() == 2

    # A balanced posting of three lines commits.
    common = {
        "case_id": like.case_id,
        "client_id": like.client_id,
        "program_id": like.program_id,
        "period": like.period,
    }
    with transaction.atomic():
        ledger_post(
            kind=LedgerTransaction.Kind.REPAYMENT,
            lines=[
                Line(account=Account.PAYMENTS, amount=Decimal("40.00"), **common),
                Line(account=Account.ISSUED, amount=Decimal("-25.00"), **common),
                Line(account=Account.ISSUED, amount=Decimal("-15.00"), **common),
            ],
            posted_by=caseworker,
        )
    assert LedgerEntry.objects.filter(program=income_support()).count() == 5
    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == 0
