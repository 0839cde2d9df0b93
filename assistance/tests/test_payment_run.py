"""The monthly payment run: one recurring benefit per active enrollment, recovery deductions, the payment
file and report; run twice, killed halfway and run again, and two runs at once give one clean run's result."""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum

from assistance import tasks
from assistance.models import (
    Account,
    Issuance,
    LedgerEntry,
    LedgerTransaction,
    Overpayment,
    PaymentRun,
    RepaymentAgreement,
)
from assistance.selectors.runs import pending_enrollment_ids
from assistance.services import issuance_reverse, ledger_post
from assistance.services import runs as run_services
from assistance.services.ledger import Line
from assistance.services.runs import batches as run_batches
from assistance.services.runs import payment_file, payment_run_inline
from audit.chain import AUDIT, LEDGER, chain_verify
from audit.models import AuditEvent
from config.celery import app
from config.schedules import BEAT_SCHEDULE
from eligibility.models import Enrollment
from eligibility.services import determination_finalise, determination_run, enrollment_transition
from eligibility.tests.helpers import snap_enrollment

pytestmark = pytest.mark.django_db

DECIDED = date(2025, 10, 15)  # approval certifies October 2025 to September 2026
PERIOD = date(2026, 3, 1)
Reason = Overpayment.Reason


def active(worker, *, amount: str | None = None, **client_fields) -> Enrollment:
    """An active SNAP enrollment, approved through the real services."""
    enrollment = snap_enrollment(worker, **client_fields)
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=DECIDED)
    determination_finalise(acting_user=worker, determination=determination, decision="approve")
    if amount is not None:
        # The rules give the amount from the household's income; a round figure is set for the boundaries.
        Enrollment.objects.filter(pk=enrollment.pk).update(monthly_amount=Decimal(amount))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.monthly_amount > 0
    return enrollment


def establish(
    enrollment: Enrollment,
    amount: str,
    *,
    reason: str = Reason.CLIENT_ERROR,
    days_ago: int = 30,
    worker=None,
    recovery: str = Overpayment.Recovery.DEDUCTION,
) -> Overpayment:
    """An overpayment on the enrollment's case and program, posted to the ledger as the overpayment job does."""
    case = enrollment.case
    with transaction.atomic():
        overpayment = Overpayment.objects.create(
            case=case,
            client=case.primary_client,
            program=enrollment.program,
            enrollment=enrollment,
            source=Overpayment.Source.REDETERMINATION,
            reason=reason,
            recovery=recovery,
            amount=Decimal(amount),
            balance=Decimal(amount),
            established_by=worker or case.assigned_worker,
            established_at=enrollment.created_at - timedelta(days=days_ago),
        )
        common = {
            "case_id": case.pk,
            "client_id": case.primary_client_id,
            "program_id": enrollment.program_id,
            "period": date(2026, 1, 1),
        }
        ledger_post(
            kind=LedgerTransaction.Kind.OVERPAYMENT,
            lines=[
                Line(account=Account.RECEIVABLE, amount=Decimal(amount), overpayment_id=overpayment.pk, **common),
                Line(account=Account.ISSUED, amount=-Decimal(amount), **common),
            ],
            posted_by=overpayment.established_by,
            overpayment=overpayment,
        )
    return overpayment


def receivable(overpayment: Overpayment) -> Decimal:
    return LedgerEntry.objects.filter(overpayment=overpayment).aggregate(t=Sum("amount"))["t"]


def ledger_total(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def outcome(period: date = PERIOD) -> dict:
    """What a run leaves behind, in terms that do not depend on ids or timing: to compare two runs."""
    run = PaymentRun.objects.get(period=period)
    return {
        "issuances": sorted(
            Issuance.objects.filter(period=period, kind=Issuance.Kind.RECURRING).values_list(
                "enrollment_id", "reference", "idempotency_key", "amount", "recovered", "status", "payee_name"
            )
        ),
        "entries": sorted(
            LedgerEntry.objects.filter(transaction__issuance__payment_run=run)
            .values("account", "overpayment_id", "client_id")
            .annotate(total=Sum("amount"))
            .values_list("account", "overpayment_id", "client_id", "total")
            .order_by(),
            key=str,
        ),
        "overpayments": sorted(Overpayment.objects.values_list("pk", "balance", "status")),
        "status_changes": sorted(
            (c.overpayment_id, c.from_status, c.to_status)
            for c in Overpayment.status_changes.rel.related_model.objects.all()
        ),
        "ledger_total": ledger_total(),
        "status": run.status,
        "report": run.report,
        "file_sha256": run.file_sha256,
        "file": payment_file(run=run),
    }


@pytest.fixture
def households(caseworker):
    """Five active enrollments (one of a restricted client with a confidential address), one suspended,
    one terminated, and overpayments on two of the active ones."""
    enrollments = {
        "fifty": active(caseworker, amount="50.00"),
        "two_hundred": active(caseworker, amount="200.00", first_name="Beatrice", preferred_name="Bea"),
        "ipv": active(caseworker, amount="200.00"),
        "small_balance": active(caseworker, amount="200.00"),
        "restricted": active(
            caseworker,
            amount="120.00",
            restricted=True,
            address_confidential=True,
            first_name="Zoë",
            last_name="Back\\slash\tTab",
            address_line1="12 Hidden Lane",
        ),
        "suspended": active(caseworker, amount="90.00"),
        "terminated": active(caseworker, amount="80.00"),
    }
    enrollment_transition(
        acting_user=caseworker, enrollment=enrollments["suspended"], to="suspended", reason="Left the area for a while"
    )
    enrollment_transition(
        acting_user=caseworker, enrollment=enrollments["terminated"], to="terminated", reason="Moved away"
    )
    overpayments = {
        "fifty": establish(enrollments["fifty"], "100.00"),
        "two_hundred": establish(enrollments["two_hundred"], "100.00"),
        "ipv": establish(enrollments["ipv"], "100.00", reason=Reason.INTENTIONAL),
        "small_balance": establish(enrollments["small_balance"], "7.50"),
        "suspended": establish(enrollments["suspended"], "40.00"),
    }
    return enrollments, overpayments


def test_a_clean_run_pays_every_active_enrollment_once_less_the_capped_recoveries(households):
    enrollments, overpayments = households
    run = payment_run_inline(period=PERIOD, batch_size=2)

    assert run.status == PaymentRun.Status.COMPLETED
    issuances = {i.enrollment_id: i for i in Issuance.objects.filter(payment_run=run)}
    paid = {"fifty", "two_hundred", "ipv", "small_balance", "restricted"}
    assert set(issuances) == {enrollments[name].pk for name in paid}
    for name in paid:
        issuance, enrollment = issuances[enrollments[name].pk], enrollments[name]
        assert issuance.kind == Issuance.Kind.RECURRING and issuance.status == Issuance.Status.ISSUED
        assert issuance.amount == enrollment.monthly_amount and issuance.period == PERIOD
        assert issuance.client_id == enrollment.case.primary_client_id
        assert issuance.payee_name == enrollment.case.primary_client.display_name
        assert issuance.payee_name == run_services.display_name(
            *(getattr(issuance.client, f) for f in ("first_name", "middle_name", "last_name", "preferred_name"))
        )
        assert issuance.method == Issuance.Method.DIRECT_DEPOSIT
        assert issuance.idempotency_key == f"recurring:{enrollment.pk}:2026-03"
        assert issuance.determination.enrollment_id == enrollment.pk
        assert [c.to_status for c in issuance.status_changes.all()] == [Issuance.Status.ISSUED]
    # The caps of 7 CFR 273.18(g)(1): $50 -> the greater of $5 or $10; $200 -> $20; an IPV on $200 -> $40;
    # a balance under the cap is taken whole.
    withheld = {name: issuances[enrollments[name].pk].recovered for name in paid}
    assert withheld == {
        "fifty": Decimal("10.00"),
        "two_hundred": Decimal("20.00"),
        "ipv": Decimal("40.00"),
        "small_balance": Decimal("7.50"),
        "restricted": Decimal("0.00"),
    }
    for overpayment in overpayments.values():
        overpayment.refresh_from_db()
        assert overpayment.balance == receivable(overpayment)
    assert [overpayments[n].balance for n in ("fifty", "two_hundred", "ipv")] == [
        Decimal("90.00"),
        Decimal("80.00"),
        Decimal("60.00"),
    ]
    assert overpayments["fifty"].status == Overpayment.Status.RECOVERING
    assert overpayments["small_balance"].status == Overpayment.Status.RECOVERED
    assert [(c.from_status, c.to_status) for c in overpayments["small_balance"].status_changes.all()] == [
        ("established", "recovered")
    ]
    # Suspended: nothing paid and nothing recovered.
    assert overpayments["suspended"].balance == Decimal("40.00")
    assert overpayments["suspended"].status == Overpayment.Status.ESTABLISHED
    # The ledger balances, and each payment is the gross less what it recovered.
    assert ledger_total() == 0
    for issuance in issuances.values():
        assert ledger_total(transaction__issuance=issuance, account=Account.ISSUED) == issuance.amount
        assert ledger_total(transaction__issuance=issuance, account=Account.PAYMENTS) == -issuance.net_amount
        assert ledger_total(transaction__issuance=issuance, account=Account.RECEIVABLE) == -issuance.recovered

    report = run.report
    assert report["issued"] == 5
    assert report["gross"] == "770.00" and report["recovered"] == "77.50" and report["net"] == "692.50"
    assert report["with_deduction"] == 4 and report["overpayments_recovered_in_full"] == 1
    assert report["not_due"] == {"suspended": 1}
    assert report["skipped_count"] == 0 and report["already_paid"] == 0
    assert report["programs"]["snap"]["issued"] == 5

    content = payment_file(run=run)
    assert run.file_sha256 == hashlib.sha256(content).hexdigest()
    table = rows(content)
    assert table[0] == ["payee", "method", "amount", "reference", "period", "program"]
    assert [r[3] for r in table[1:]] == sorted(i.reference for i in issuances.values())
    by_reference = {r[3]: r for r in table[1:]}
    fifty = issuances[enrollments["fifty"].pk]
    assert by_reference[fifty.reference] == [
        fifty.payee_name,
        "direct_deposit",
        "40.00",
        fifty.reference,
        "2026-03",
        "snap",
    ]
    assert b"Hidden Lane" not in content
    restricted = issuances[enrollments["restricted"].pk]
    assert by_reference[restricted.reference][0] == "Zoë Back\\slash\tTab"

    # One audit event per batch, naming every client paid.
    events = AuditEvent.objects.filter(object_type="assistance.paymentrun", object_id=str(run.pk), action="create")
    named = set(events.values_list("subjects__client_id", flat=True))
    assert {i.client_id for i in issuances.values()} <= named
    # Written in bulk (by COPY on PostgreSQL), each posting and event has its place in its hash chain.
    assert chain_verify(LEDGER).problem == "" and chain_verify(AUDIT).problem == ""
    assert not LedgerTransaction.objects.filter(seq=None).exists()


def test_a_month_past_the_certification_is_not_paid_and_the_report_says_why(caseworker):
    enrollment = active(caseworker)
    october = date(2026, 10, 1)
    run = payment_run_inline(period=october)
    assert run.status == PaymentRun.Status.COMPLETED
    assert not Issuance.objects.exists()
    assert run.report["skipped"] == [
        {
            "enrollment": enrollment.pk,
            "case_id": enrollment.case_id,
            "case": enrollment.case.number,
            "program": "snap",
            "reason": "certification ended 2026-09-30; the review was not completed",
        }
    ]
    assert run.report["skipped_reasons"] == {"certification ended": 1}


def test_an_overpayment_under_a_repayment_agreement_is_not_deducted(caseworker):
    enrollment = active(caseworker, amount="200.00")
    overpayment = establish(enrollment, "100.00", recovery=Overpayment.Recovery.AGREEMENT)
    RepaymentAgreement.objects.create(
        overpayment=overpayment, instalment=Decimal("25.00"), first_due_on=PERIOD, agreed_by=caseworker
    )
    payment_run_inline(period=PERIOD)
    assert Issuance.objects.get(enrollment=enrollment).recovered == 0
    overpayment.refresh_from_db()
    assert overpayment.balance == Decimal("100.00")


def test_two_open_overpayments_are_recovered_oldest_first_within_one_cap(caseworker):
    enrollment = active(caseworker, amount="300.00")
    newer = establish(enrollment, "100.00", days_ago=10)
    older = establish(enrollment, "12.00", days_ago=40)
    payment_run_inline(period=PERIOD)
    issuance = Issuance.objects.get(enrollment=enrollment)
    assert issuance.recovered == Decimal("30.00")  # 10 % of $300
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.balance, older.status) == (Decimal("0.00"), Overpayment.Status.RECOVERED)
    assert (newer.balance, newer.status) == (Decimal("82.00"), Overpayment.Status.RECOVERING)


def test_reversing_a_payment_that_finished_a_recovery_puts_the_overpayment_back_to_recovering(caseworker, supervisor):
    enrollment = active(caseworker, amount="300.00")
    older = establish(enrollment, "12.00", days_ago=40)
    payment_run_inline(period=PERIOD)
    older.refresh_from_db()
    assert older.status == Overpayment.Status.RECOVERED

    issuance_reverse(
        acting_user=supervisor, issuance=Issuance.objects.get(enrollment=enrollment), reason="Paid to a closed account"
    )

    older.refresh_from_db()
    assert (older.balance, older.status) == (Decimal("12.00"), Overpayment.Status.RECOVERING)
    last = older.status_changes.last()
    assert (last.from_status, last.to_status, last.changed_by) == ("recovered", "recovering", supervisor)
    event = AuditEvent.objects.filter(object_type="assistance.overpayment", object_id=str(older.pk)).last()
    assert event.changes == {"status": ["recovered", "recovering"], "balance": ["0.00", "12.00"]}
    assert event.actor == supervisor


def test_running_twice_changes_nothing_and_gives_the_same_file(households):
    payment_run_inline(period=PERIOD, batch_size=2)
    first = outcome()
    events = AuditEvent.objects.count()
    run = payment_run_inline(period=PERIOD, batch_size=2)
    assert outcome() == first
    assert AuditEvent.objects.count() == events
    # Even a batch sent again by hand (a redelivered task) pays nobody twice.
    ids = list(Enrollment.objects.values_list("pk", flat=True))
    result = run_services.payment_run_batch(run=run, enrollment_ids=ids)
    assert result.issued == 0
    assert outcome() == first


def test_a_batch_delivered_again_while_the_run_is_running_pays_nobody_twice(households, supervisor):
    """A task redelivered before the run completes reaches the already-paid guard, not only the unique key."""
    run = run_services.payment_run_start(acting_user=supervisor, period=PERIOD)
    ids = pending_enrollment_ids(period=PERIOD)
    assert len(ids) == 5
    first = run_services.payment_run_batch(run=run, enrollment_ids=ids[:3])
    assert (first.issued, first.already_paid) == (3, 0)
    paid = sorted(Issuance.objects.values_list("enrollment_id", "amount", "recovered"))
    total = ledger_total()

    again = run_services.payment_run_batch(run=run, enrollment_ids=ids)

    assert (again.issued, again.already_paid) == (2, 3)
    assert PaymentRun.objects.get(pk=run.pk).status == PaymentRun.Status.RUNNING
    assert Issuance.objects.filter(enrollment_id__in=ids[:3]).count() == 3
    assert (
        sorted(Issuance.objects.filter(enrollment_id__in=ids[:3]).values_list("enrollment_id", "amount", "recovered"))
        == paid
    )
    assert Issuance.objects.count() == 5
    assert (total, ledger_total()) == (0, 0)
    third = run_services.payment_run_batch(run=run, enrollment_ids=ids)
    assert (third.issued, third.already_paid) == (0, 5)


class Crash(Exception):
    pass


def test_killed_halfway_and_run_again_gives_the_result_of_one_clean_run(households):
    # The clean run, then undone: the same data for the interrupted one.
    with transaction.atomic():
        payment_run_inline(period=PERIOD, batch_size=2)
        clean = outcome()
        transaction.set_rollback(True)
    assert not Issuance.objects.exists()

    real = run_batches._postings
    calls = {"n": 0}

    def dies_on_the_second_batch(payments):
        # After the batch's reads and locks, before its writes: the worker is killed mid-batch.
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash("the worker was killed")
        return real(payments)

    with mock.patch.object(run_batches, "_postings", dies_on_the_second_batch), pytest.raises(Crash):
        payment_run_inline(period=PERIOD, batch_size=2)
    assert Issuance.objects.count() == 2  # the first batch stands; the second rolled back whole
    assert PaymentRun.objects.get(period=PERIOD).status == PaymentRun.Status.RUNNING
    assert ledger_total() == 0

    payment_run_inline(period=PERIOD, batch_size=2)
    assert outcome() == clean


def test_a_batch_that_meets_the_unique_constraint_is_tried_again(caseworker):
    """Another writer paid an enrollment between the batch's read and its insert: the batch starts over."""
    enrollments = [active(caseworker, amount="100.00") for _ in range(2)]
    real = run_batches._postings
    calls = {"n": 0}

    def collides_once(payments):
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(payments)

    with mock.patch.object(run_batches, "_postings", collides_once):
        run = payment_run_inline(period=PERIOD)
    assert calls["n"] == 2
    assert run.status == PaymentRun.Status.COMPLETED
    assert sorted(Issuance.objects.values_list("enrollment_id", flat=True)) == sorted(e.pk for e in enrollments)
    assert ledger_total() == 0


def test_the_celery_run_fans_out_in_batches_and_completes(households, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batches = tasks.payment_run_enqueue.delay("2026-03", batch_size=2).get()
    assert batches == 3
    run = PaymentRun.objects.get(period=PERIOD)
    assert run.status == PaymentRun.Status.COMPLETED and run.report["issued"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.payment_run_enqueue.delay("2026-03").get() == 0
    assert Issuance.objects.count() == 5


def test_the_beat_entry_names_a_registered_task_that_pays_next_month(caseworker, django_capture_on_commit_callbacks):
    entry = BEAT_SCHEDULE["assistance-payment-run"]
    assert entry["task"] == "assistance.tasks.payment_run_enqueue"
    assert entry["task"] in app.tasks
    assert run_services.next_period(date(2026, 2, 25)) == PERIOD
    assert run_services.next_period(date(2026, 12, 25)) == date(2027, 1, 1)


def test_the_command_shows_progress_the_report_and_the_file(households, capsys, tmp_path):
    out = tmp_path / "march.csv"
    call_command("payment_run", "--period", "2026-03", "--batch-size", "2", "--out", str(out))
    printed = capsys.readouterr().out
    assert "batch 1/3: 2 issued, 2 recovering" in printed
    assert "batch 3/3: 1 issued, 0 recovering" in printed
    assert "issued: 5" in printed and "net: $692.50" in printed
    assert "not due (suspended): 1" in printed
    assert f"Payment file: {out}" in printed
    run = PaymentRun.objects.get(period=PERIOD)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == run.file_sha256

    call_command("payment_run", "--period", "2026-03", "--out", str(out))
    assert "Nothing left to pay" in capsys.readouterr().out
    assert Issuance.objects.count() == 5


def test_the_command_refuses_a_bad_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("payment_run", "--period", "March")


@pytest.fixture(scope="module")
def _migrated_rows_back_after_flush(django_db_setup, django_db_blocker):
    """Put back what the migrations wrote (roles, programs, parameters) once the transactional test's flush
    has emptied the tables, so a reused test database still has them (module-scoped: torn down after the
    test's own database teardown)."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Group.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_migrated_rows_back_after_flush")
def test_two_runs_at_once_pay_each_enrollment_once(caseworker):
    enrollments = [active(caseworker, amount="100.00") for _ in range(8)]
    overpayments = [establish(e, "15.00") for e in enrollments[:4]]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(workers: int) -> None:
        try:
            start.wait()
            payment_run_inline(period=PERIOD, batch_size=3, workers=workers)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    # One run pays a batch at a time, the other two at once (the command's --workers 2).
    threads = [threading.Thread(target=run, args=(workers,)) for workers in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Issuance.objects.filter(period=PERIOD).count() == len(enrollments)
    assert PaymentRun.objects.get(period=PERIOD).status == PaymentRun.Status.COMPLETED
    assert ledger_total() == 0
    for overpayment in overpayments:
        overpayment.refresh_from_db()
        assert overpayment.balance == Decimal("5.00") == receivable(overpayment)
    assert chain_verify(LEDGER).problem == "" and chain_verify(AUDIT).problem == ""
    assert connection.vendor == "postgresql"
