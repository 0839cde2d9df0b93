"""Settling decided redeterminations: overpayments for months paid too much, arrears for months paid
too little, suspended months skipped, each determination settled once (also by the nightly job)."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from assistance import tasks
from assistance.models import (
    Account,
    Issuance,
    LedgerEntry,
    LedgerTransaction,
    Overpayment,
    RedeterminationSettlement,
)
from assistance.services import ledger_post
from assistance.services.ledger import issue_lines
from assistance.services.settlements import redetermination_settle
from assistance.tests.helpers import client_case, income_support
from casework.models import Task
from core.users import job_user
from eligibility.models import Determination, Enrollment, EnrollmentStatusChange
from eligibility.services import determination_finalise, determination_run
from eligibility.tests.helpers import snap_enrollment
from tests.factories import IncomeFactory

pytestmark = pytest.mark.django_db
JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def aware(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def active_enrollment(worker, *, amount: str = "50.00", since: date = date(2025, 12, 1)) -> Enrollment:
    """An Income Support enrollment active since `since`, with the status history a decision leaves."""
    _client, case = client_case(worker)
    enrollment = Enrollment.objects.create(
        case=case,
        program=income_support(),
        status=Enrollment.Status.ACTIVE,
        application_date=since - timedelta(days=20),
        monthly_amount=Decimal(amount),
        created_by=worker,
    )
    for old, new, day in (("", "applied", since - timedelta(days=20)), ("applied", "pending", since - timedelta(10))):
        EnrollmentStatusChange.objects.create(
            enrollment=enrollment, from_status=old, to_status=new, changed_by=worker, changed_at=aware(day)
        )
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, from_status="pending", to_status="active", changed_by=worker, changed_at=aware(since)
    )
    return enrollment


def pay(enrollment: Enrollment, period: date, amount: str = "50.00", *, issued_at: datetime | None = None) -> Issuance:
    """A month's recurring benefit, issued and posted as the payment run does."""
    case = enrollment.case
    key = uuid.uuid4().hex
    issuance = Issuance.objects.create(
        case=case,
        client=case.primary_client,
        program=enrollment.program,
        enrollment=enrollment,
        kind=Issuance.Kind.RECURRING,
        status=Issuance.Status.ISSUED,
        period=period,
        amount=Decimal(amount),
        payee_name=case.primary_client.full_name,
        method=Issuance.Method.DIRECT_DEPOSIT,
        reference=f"RUN-{key[:20]}",
        idempotency_key=f"run-{key}",
        fingerprint=key,
        requested_by=job_user(),
        issued_at=issued_at or aware(period - timedelta(days=7)),
    )
    ledger_post(kind=LedgerTransaction.Kind.ISSUE, lines=issue_lines(issuance), posted_by=job_user(), issuance=issuance)
    return issuance


def redetermination(
    enrollment: Enrollment,
    worker,
    *,
    due: str = "40.00",
    effective_on: date = JAN,
    eligible: bool = True,
    status: str = Determination.Status.APPROVED,
    run_at: datetime | None = None,
) -> Determination:
    """A redetermination decided by `worker` (the rules' own path is tested below, end to end)."""
    run_at = run_at or aware(APR + timedelta(days=2))
    determination = Determination.objects.create(
        enrollment=enrollment,
        as_of=run_at.date(),
        snapshot={},
        outcome={"criteria": []},
        parameters_used={},
        eligible=eligible,
        monthly_amount=Decimal(due),
        status=status,
        run_by=job_user(),
        run_at=run_at,
        finalised_by=worker,
        finalised_at=run_at + timedelta(days=1),
        is_redetermination=True,
        effective_on=effective_on,
    )
    if status == Determination.Status.APPROVED:
        Enrollment.objects.filter(pk=enrollment.pk).update(monthly_amount=Decimal(due))
    return determination


def suspend(enrollment: Enrollment, worker, *, on: date, until: date | None) -> None:
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment, from_status="active", to_status="suspended", changed_by=worker, changed_at=aware(on)
    )
    if until is not None:
        EnrollmentStatusChange.objects.create(
            enrollment=enrollment,
            from_status="suspended",
            to_status="active",
            changed_by=worker,
            changed_at=aware(until),
        )


def total(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal("0")


def assert_balances_follow_the_ledger() -> None:
    assert total() == 0
    for overpayment in Overpayment.objects.all():
        assert overpayment.balance == total(overpayment=overpayment, account=Account.RECEIVABLE)


def results(settlement: RedeterminationSettlement) -> list[tuple[str, str]]:
    return [(m["period"], m["result"]) for m in settlement.months]


def test_paid_fifty_due_forty_is_a_ten_dollar_overpayment(caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    determination = redetermination(enrollment, caseworker, due="40.00", effective_on=JAN)

    settlement = redetermination_settle(determination=determination)

    overpayment = settlement.overpayment
    assert (overpayment.amount, overpayment.balance) == (Decimal("10.00"), Decimal("10.00"))
    assert overpayment.source == Overpayment.Source.REDETERMINATION
    assert overpayment.status == Overpayment.Status.ESTABLISHED
    assert overpayment.reason == Overpayment.Reason.CLIENT_ERROR
    assert (overpayment.enrollment, overpayment.determination, overpayment.client) == (
        enrollment,
        determination,
        enrollment.case.primary_client,
    )
    assert [(p.period, p.paid, p.due, p.amount) for p in overpayment.periods.all()] == [
        (JAN, Decimal("50.00"), Decimal("40.00"), Decimal("10.00"))
    ]
    assert settlement.arrears is None
    assert results(settlement) == [("2026-01-01", "overpaid")]
    # Established through the ledger: owed +10, assistance issued -10 for January.
    assert total(account=Account.RECEIVABLE, overpayment=overpayment) == Decimal("10.00")
    assert total(account=Account.ISSUED, client=overpayment.client, period=JAN) == Decimal("40.00")
    assert_balances_follow_the_ledger()
    assert [c.to_status for c in overpayment.status_changes.all()] == [Overpayment.Status.ESTABLISHED]
    task = Task.objects.get(case=enrollment.case)
    assert task.assignee == caseworker and task.dedupe_key == f"assistance-overpayment-{overpayment.pk}"
    assert "$10.00" in task.title


def test_underpaid_months_become_one_arrears_issuance_posted_to_the_ledger(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB):
        pay(enrollment, month)
    determination = redetermination(enrollment, caseworker, due="65.50", effective_on=JAN)

    settlement = redetermination_settle(determination=determination)

    arrears = settlement.arrears
    assert settlement.overpayment is None
    assert (arrears.kind, arrears.status, arrears.amount) == (
        Issuance.Kind.ARREARS,
        Issuance.Status.ISSUED,
        Decimal("31.00"),
    )
    client = enrollment.case.primary_client
    assert (arrears.enrollment, arrears.period, arrears.client, arrears.payee_kind, arrears.method) == (
        enrollment,
        JAN,
        client,
        Issuance.PayeeKind.CLIENT,
        Issuance.Method.DIRECT_DEPOSIT,
    )
    assert arrears.requested_by.username == "casework-jobs" and arrears.reference.startswith("AS-")
    assert [c.to_status for c in arrears.status_changes.all()] == ["requested", "approved", "issued"]
    posting = LedgerTransaction.objects.get(issuance=arrears)
    assert posting.kind == LedgerTransaction.Kind.ISSUE
    # Each month now shows what was due for it.
    assert total(account=Account.ISSUED, client=client, period=JAN) == Decimal("65.50")
    assert total(account=Account.PAYMENTS, client=client) == Decimal("-131.00")
    assert_balances_follow_the_ledger()
    assert not Task.objects.exists()


def test_suspended_months_are_skipped(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB, MAR):
        pay(enrollment, month)
    # Suspended for a few days in February: no over- or underpayment for February.
    suspend(enrollment, caseworker, on=date(2026, 2, 20), until=date(2026, 2, 25))

    settlement = redetermination_settle(determination=redetermination(enrollment, caseworker, due="40.00"))

    assert results(settlement) == [
        ("2026-01-01", "overpaid"),
        ("2026-02-01", "suspended"),
        ("2026-03-01", "overpaid"),
    ]
    assert settlement.months[1]["skipped"] is True and settlement.months[1]["difference"] is None
    assert settlement.overpayment.amount == Decimal("20.00")
    assert [p.period for p in settlement.overpayment.periods.all()] == [JAN, MAR]


def test_a_suspension_from_the_last_day_of_a_month_into_the_next_skips_both(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB, MAR):
        pay(enrollment, month)
    suspend(enrollment, caseworker, on=date(2026, 1, 31), until=date(2026, 2, 1))

    settlement = redetermination_settle(determination=redetermination(enrollment, caseworker, due="40.00"))

    assert results(settlement) == [
        ("2026-01-01", "suspended"),
        ("2026-02-01", "suspended"),
        ("2026-03-01", "overpaid"),
    ]


def test_mixed_months_give_an_overpayment_and_arrears(caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN, "50.00")
    pay(enrollment, FEB, "30.00")
    pay(enrollment, MAR, "40.00")
    reversed_month = pay(enrollment, APR, "55.00")
    Issuance.objects.filter(pk=reversed_month.pk).update(status=Issuance.Status.REVERSED)
    pay(enrollment, date(2026, 5, 1), "45.00")

    settlement = redetermination_settle(determination=redetermination(enrollment, caseworker, due="40.00"))

    assert results(settlement) == [
        ("2026-01-01", "overpaid"),
        ("2026-02-01", "underpaid"),
        ("2026-03-01", "even"),
        ("2026-04-01", "not_paid"),
        ("2026-05-01", "overpaid"),
    ]
    assert settlement.overpayment.amount == Decimal("15.00")
    assert settlement.arrears.amount == Decimal("10.00")
    assert settlement.arrears.period == FEB
    assert_balances_follow_the_ledger()


def test_an_ineligible_redetermination_makes_every_month_paid_an_overpayment(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB):
        pay(enrollment, month)
    denied = redetermination(
        enrollment, caseworker, due="0.00", eligible=False, status=Determination.Status.DENIED, effective_on=JAN
    )

    settlement = redetermination_settle(determination=denied)

    assert settlement.overpayment.amount == Decimal("100.00")
    assert [(p.due, p.amount) for p in settlement.overpayment.periods.all()] == [
        (Decimal("0.00"), Decimal("50.00")),
        (Decimal("0.00"), Decimal("50.00")),
    ]
    assert total(account=Account.ISSUED, client=enrollment.case.primary_client) == 0
    assert_balances_follow_the_ledger()


def test_months_paid_after_the_agency_knew_are_an_agency_error(caseworker):
    enrollment = active_enrollment(caseworker)
    run_at = aware(date(2026, 1, 20))
    pay(enrollment, FEB, issued_at=aware(date(2026, 1, 25)))
    pay(enrollment, MAR, issued_at=aware(date(2026, 2, 25)))
    determination = redetermination(enrollment, caseworker, effective_on=FEB, run_at=run_at)

    assert redetermination_settle(determination=determination).overpayment.reason == Overpayment.Reason.AGENCY_ERROR


def test_settling_twice_settles_once(caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    pay(enrollment, FEB, "30.00")
    determination = redetermination(enrollment, caseworker)

    first = redetermination_settle(determination=determination)
    again = redetermination_settle(determination=determination)

    assert again.pk == first.pk
    assert RedeterminationSettlement.objects.count() == 1
    assert Overpayment.objects.count() == 1
    assert Issuance.objects.filter(kind=Issuance.Kind.ARREARS).count() == 1
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.OVERPAYMENT).count() == 1
    assert Task.objects.count() == 1


def test_nothing_paid_since_the_effective_month_settles_with_no_months(caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    settlement = redetermination_settle(determination=redetermination(enrollment, caseworker, effective_on=FEB))
    assert settlement.months == [] and settlement.overpayment is None and settlement.arrears is None


def test_no_month_before_the_enrollment_began_is_compared_or_listed_as_not_paid(caseworker):
    # Applied 11 November 2025; a redetermination dated from June (an older record) starts no earlier.
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    determination = redetermination(enrollment, caseworker, due="40.00", effective_on=date(2025, 6, 1))

    settlement = redetermination_settle(determination=determination)

    assert results(settlement) == [
        ("2025-11-01", "not_paid"),
        ("2025-12-01", "not_paid"),
        ("2026-01-01", "overpaid"),
    ]
    assert settlement.overpayment.amount == Decimal("10.00")


def test_a_draft_or_an_ordinary_determination_is_not_settled(caseworker):
    enrollment = active_enrollment(caseworker)
    draft = redetermination(enrollment, caseworker, status=Determination.Status.DRAFT)
    Determination.objects.filter(pk=draft.pk).update(finalised_by=None, finalised_at=None)
    with pytest.raises(ValidationError, match="not a decided redetermination"):
        redetermination_settle(determination=draft)
    assert not RedeterminationSettlement.objects.exists()


def test_a_later_redetermination_decides_its_own_months_and_builds_on_an_earlier_settlement(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB, MAR):
        pay(enrollment, month)
    first = redetermination(enrollment, caseworker, due="40.00", effective_on=JAN, run_at=aware(date(2026, 3, 20)))
    settled = redetermination_settle(determination=first)
    assert settled.overpayment.amount == Decimal("30.00")
    pay(enrollment, APR, "40.00")
    # February's facts changed again: from February, 35 was due.
    second = redetermination(enrollment, caseworker, due="35.00", effective_on=FEB, run_at=aware(date(2026, 4, 10)))

    settlement = redetermination_settle(determination=second)

    # February and March were already brought to 40 by the first settlement; April was paid 40.
    assert [(m["period"], m["paid"], m["result"]) for m in settlement.months] == [
        ("2026-02-01", "40.00", "overpaid"),
        ("2026-03-01", "40.00", "overpaid"),
        ("2026-04-01", "40.00", "overpaid"),
    ]
    assert settlement.overpayment.amount == Decimal("15.00")
    assert_balances_follow_the_ledger()


def test_an_earlier_redetermination_settled_late_leaves_the_later_ones_months_alone(caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB, MAR):
        pay(enrollment, month)
    first = redetermination(enrollment, caseworker, due="40.00", effective_on=JAN, run_at=aware(date(2026, 3, 20)))
    second = redetermination(enrollment, caseworker, due="45.00", effective_on=FEB, run_at=aware(date(2026, 3, 25)))

    later = redetermination_settle(determination=second)
    earlier = redetermination_settle(determination=first)

    assert results(later) == [("2026-02-01", "overpaid"), ("2026-03-01", "overpaid")]
    assert results(earlier) == [
        ("2026-01-01", "overpaid"),
        ("2026-02-01", "superseded"),
        ("2026-03-01", "superseded"),
    ]
    assert later.overpayment.amount == Decimal("10.00") and earlier.overpayment.amount == Decimal("10.00")


def test_a_redetermination_made_by_the_nightly_job_and_approved_is_settled(caseworker):
    """End to end: the household's earnings rose on 10 February; the worker approves the lower amount.

    February's benefit was already issued when the earnings began, so March is the first month
    the change affects (7 CFR 273.18(c)(1)(ii)(A)).
    """
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    enrollment.refresh_from_db()
    old = enrollment.monthly_amount
    for month in (date(2026, 1, 1), FEB, MAR):
        pay(enrollment, month, str(old), issued_at=aware(month - timedelta(days=6)))
    IncomeFactory(
        client=enrollment.case.primary_client, kind="earned", amount=Decimal("300"), start_date=date(2026, 2, 10)
    )
    call_command("eligibility_redetermine", date="2026-03-05")
    draft = enrollment.determinations.get(status=Determination.Status.DRAFT, is_redetermination=True)
    determination_finalise(acting_user=caseworker, determination=draft, decision="approve")
    draft.refresh_from_db()

    call_command("settle_redeterminations")

    settlement = RedeterminationSettlement.objects.get(determination=draft)
    assert draft.effective_on == MAR
    assert results(settlement) == [("2026-03-01", "overpaid")]
    assert settlement.overpayment.amount == old - draft.monthly_amount
    # March was paid before the change was known: the household's error, not the agency's.
    assert settlement.overpayment.reason == Overpayment.Reason.CLIENT_ERROR
    assert_balances_follow_the_ledger()


# The nightly job ----------------------------------------------------------------------------


def test_the_beat_entry_names_a_registered_task():
    from config.celery import app
    from config.schedules import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["assistance-settle-redeterminations"]["task"] == "assistance.tasks.settlements_enqueue"
    app.loader.import_default_modules()
    assert "assistance.tasks.settlements_enqueue" in app.tasks
    assert "assistance.tasks.settlement_make" in app.tasks


def three_to_settle(worker) -> list[Determination]:
    determinations = []
    for due in ("40.00", "60.00", "50.00"):
        enrollment = active_enrollment(worker)
        pay(enrollment, JAN)
        determinations.append(redetermination(enrollment, worker, due=due))
    return determinations


def state() -> list[tuple]:
    return [
        sorted(
            RedeterminationSettlement.objects.values_list("determination_id", "overpayment__amount", "arrears__amount")
        ),
        sorted(Overpayment.objects.values_list("determination_id", "amount", "balance")),
        sorted(Issuance.objects.filter(kind="arrears").values_list("determination_id", "amount")),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        Task.objects.count(),
    ]


def test_the_nightly_task_fans_out_on_commit_and_a_second_run_changes_nothing(
    caseworker, django_capture_on_commit_callbacks
):
    determinations = three_to_settle(caseworker)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.settlements_enqueue.delay().get() == 3
    assert len(callbacks) == 3
    first = state()
    assert len(first[0]) == 3 and first[1][0][1] == Decimal("10.00")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.settlements_enqueue.delay().get() == 0
        # The same small task delivered twice gives back the first settlement.
        again = tasks.settlement_make.delay(determinations[0].pk).get()
    assert len(callbacks) == 0
    assert again == RedeterminationSettlement.objects.get(determination=determinations[0]).pk
    assert state() == first


class Crash(Exception):
    pass


def test_a_run_that_dies_halfway_and_runs_again_leaves_what_one_clean_run_leaves(caseworker, monkeypatch):
    three_to_settle(caseworker)
    from assistance.services import settlements

    real, calls = settlements._arrears, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(settlements, "_arrears", flaky)
    with pytest.raises(Crash):
        call_command("settle_redeterminations")
    # The first was settled and committed; the second rolled back whole.
    assert RedeterminationSettlement.objects.count() == 1
    assert Overpayment.objects.count() == 1
    assert_balances_follow_the_ledger()

    call_command("settle_redeterminations")
    crashed = state()
    call_command("settle_redeterminations")
    assert state() == crashed
    assert len(crashed[0]) == 3
    assert [row[1:] for row in crashed[0]] == [
        (Decimal("10.00"), None),
        (None, Decimal("10.00")),
        (None, None),
    ]
    assert_balances_follow_the_ledger()


def test_the_command_prints_a_summary(caseworker, capsys):
    three_to_settle(caseworker)
    call_command("settle_redeterminations")
    out = capsys.readouterr().out
    assert "3 redetermination(s) settled" in out
    assert "1 overpayment(s) of $10.00" in out and "1 arrears issuance(s) of $10.00" in out


# Two workers at once, on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_settling_one_determination_at_once_make_one_settlement(caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    pay(enrollment, FEB, "30.00")
    determination = redetermination(enrollment, caseworker)
    job_user()
    barrier = threading.Barrier(2, timeout=30)
    settled: list = [None, None]
    errors: list = [None, None]

    def settle(index: int) -> None:
        try:
            barrier.wait()
            settled[index] = redetermination_settle(determination=Determination(pk=determination.pk)).pk
        except Exception as error:  # pragma: no cover - reported below
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == [None, None]
    assert settled[0] == settled[1]
    assert RedeterminationSettlement.objects.count() == 1
    assert Overpayment.objects.count() == 1 and Overpayment.objects.get().amount == Decimal("10.00")
    assert Issuance.objects.filter(kind=Issuance.Kind.ARREARS).count() == 1
    assert Task.objects.count() == 1
    assert_balances_follow_the_ledger()
