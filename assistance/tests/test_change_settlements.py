"""A wage change, the caseworker's way: record it on the client's finances, let the nightly job
redetermine, approve, settle. The overpayment covers only the months the change affected."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assistance.models import Overpayment, RedeterminationSettlement
from assistance.tests.test_settlements import assert_balances_follow_the_ledger, pay, results
from clients.models import HouseholdMembership, Income
from clients.services import finance_record_save, household_member_end
from eligibility.models import Determination, Enrollment, Program
from eligibility.services import determination_finalise, determination_run, enrollment_apply
from tests.factories import ClientFactory, MembershipFactory, case_for

pytestmark = pytest.mark.django_db
APPLIED = date(2025, 9, 22)
OCT, NOV = date(2025, 10, 1), date(2025, 11, 1)
NIGHT = date(2025, 11, 20)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def wage_earner_paid_fifty(worker, *, with_child: bool = False) -> tuple[Enrollment, Income]:
    """One person earning $1,292.50 a month since January, on SNAP since September, paid $50 in October and November.

    `with_child`: a child lives with them since January too, and the benefit is what the rules give the two.
    """
    with time_machine.travel(at(APPLIED), tick=False):
        person = ClientFactory(office=worker.office, date_of_birth=date(1990, 1, 1))
        wage = finance_record_save(
            acting_user=worker,
            record=Income(client=person),
            values={"kind": "earned", "amount": Decimal("1292.50"), "start_date": date(2025, 1, 1)},
        )
        case = case_for(person, worker)
        if with_child:
            child = ClientFactory(office=worker.office, date_of_birth=date(2015, 6, 1))
            MembershipFactory(client=child, household=case.household, relationship="child")
        enrollment = enrollment_apply(
            acting_user=worker, case=case, program=Program.objects.get(code="snap"), application_date=APPLIED
        )
    with time_machine.travel(at(OCT), tick=False):
        determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=OCT)
        determination_finalise(acting_user=worker, determination=determination, decision="approve")
    enrollment.refresh_from_db()
    assert with_child or enrollment.monthly_amount == Decimal("50.00")
    for month in (OCT, NOV):
        pay(enrollment, month, str(enrollment.monthly_amount), issued_at=at(month, 6))
    return enrollment, wage


def redetermine_approve_settle(worker, enrollment: Enrollment) -> tuple[Determination, RedeterminationSettlement]:
    """The nightly job, the worker's approval of its draft, the nightly settlement."""
    with time_machine.travel(at(NIGHT, 23), tick=False):
        call_command("eligibility_redetermine", date=NIGHT.isoformat())
        draft = enrollment.determinations.get(status=Determination.Status.DRAFT, is_redetermination=True)
        determination_finalise(acting_user=worker, determination=draft, decision="approve")
        call_command("settle_redeterminations")
    draft.refresh_from_db()
    return draft, RedeterminationSettlement.objects.get(determination=draft)


def assert_ten_dollars_for_november_only(draft: Determination, settlement: RedeterminationSettlement) -> None:
    assert (draft.monthly_amount, draft.effective_on) == (Decimal("40.00"), NOV)
    assert results(settlement) == [("2025-11-01", "overpaid")]
    overpayment = settlement.overpayment
    assert overpayment.amount == Decimal("10.00")
    assert [(p.period, p.paid, p.due, p.amount) for p in overpayment.periods.all()] == [
        (NOV, Decimal("50.00"), Decimal("40.00"), Decimal("10.00"))
    ]
    assert overpayment.reason == Overpayment.Reason.CLIENT_ERROR
    assert settlement.arrears is None
    assert_balances_follow_the_ledger()


def test_ending_the_wage_and_adding_the_new_one_on_the_pages_overpays_november_by_ten_dollars(client, caseworker):
    enrollment, wage = wage_earner_paid_fifty(caseworker)
    client.force_login(caseworker)
    common = {"kind": "earned", "frequency": "monthly", "verification": "unverified"}
    with time_machine.travel(at(NIGHT, 10), tick=False):
        ended = client.post(
            reverse("clients:finance_edit", args=["income", wage.pk]),
            {**common, "amount": "1,292.50", "start_date": "2025-01-01", "end_date": "2025-10-31"},
        )
        added = client.post(
            reverse("clients:finance_add", args=[wage.client_id, "income"]),
            {**common, "amount": "1,333.75", "start_date": "2025-11-01"},
        )
    assert (ended.status_code, added.status_code) == (302, 302)

    draft, settlement = redetermine_approve_settle(caseworker, enrollment)

    # Not $20: October was paid on the wage the household still had.
    assert_ten_dollars_for_november_only(draft, settlement)
    assert draft.effective_reason.startswith("Wages and salary of $1,292.50 (monthly) ended 2025-10-31")


def test_adding_a_second_wage_row_overpays_november_by_ten_dollars(caseworker):
    enrollment, wage = wage_earner_paid_fifty(caseworker)
    with time_machine.travel(at(NIGHT, 10), tick=False):
        finance_record_save(
            acting_user=caseworker,
            record=Income(client=wage.client),
            values={"kind": "earned", "amount": Decimal("41.25"), "frequency": "monthly", "start_date": NOV},
        )

    draft, settlement = redetermine_approve_settle(caseworker, enrollment)

    assert_ten_dollars_for_november_only(draft, settlement)
    assert draft.effective_reason.startswith("Wages and salary of $41.25 (monthly) from 2025-11-01")


def test_an_income_found_from_before_the_enrollment_settles_from_the_enrollments_first_month(caseworker):
    """Child support received since March, recorded in November: nothing before September is compared or listed."""
    enrollment, wage = wage_earner_paid_fifty(caseworker)
    with time_machine.travel(at(NIGHT, 10), tick=False):
        finance_record_save(
            acting_user=caseworker,
            record=Income(client=wage.client),
            values={
                "kind": "child_support",
                "amount": Decimal("50.00"),
                "frequency": "monthly",
                "start_date": date(2025, 3, 1),
            },
        )

    draft, settlement = redetermine_approve_settle(caseworker, enrollment)

    assert draft.effective_on == date(2025, 9, 1)
    assert draft.effective_reason.endswith("the enrollment began in September 2025, so from then")
    assert results(settlement) == [
        ("2025-09-01", "not_paid"),
        ("2025-10-01", "overpaid"),
        ("2025-11-01", "overpaid"),
    ]
    assert settlement.overpayment.amount == 2 * (Decimal("50.00") - draft.monthly_amount)


def test_a_member_who_left_in_october_counts_from_november(caseworker):
    enrollment, _wage = wage_earner_paid_fifty(caseworker, with_child=True)
    paid = enrollment.monthly_amount
    child = HouseholdMembership.objects.get(household=enrollment.case.household, relationship="child")
    with time_machine.travel(at(NIGHT, 10), tick=False):
        household_member_end(acting_user=caseworker, membership=child, end_date=date(2025, 10, 15))

    draft, settlement = redetermine_approve_settle(caseworker, enrollment)

    assert draft.effective_on == NOV and draft.monthly_amount == Decimal("50.00") < paid
    assert draft.effective_reason.startswith("A member left the household on 2025-10-15")
    assert results(settlement) == [("2025-11-01", "overpaid")]
    assert settlement.overpayment.amount == paid - Decimal("50.00")


def test_the_pages_say_from_when_the_change_counts_and_why(client, caseworker, django_assert_max_num_queries):
    enrollment, wage = wage_earner_paid_fifty(caseworker)
    with time_machine.travel(at(NIGHT, 10), tick=False):
        finance_record_save(
            acting_user=caseworker,
            record=Income(client=wage.client),
            values={"kind": "earned", "amount": Decimal("41.25"), "frequency": "monthly", "start_date": NOV},
        )
    draft, settlement = redetermine_approve_settle(caseworker, enrollment)
    client.force_login(caseworker)

    with time_machine.travel(at(date(2025, 11, 21)), tick=False):
        determination_page = client.get(reverse("eligibility:determination_detail", args=[draft.pk]))
        overpayment_page = client.get(reverse("assistance:overpayment_detail", args=[settlement.overpayment.pk]))

    text = determination_page.content.decode()
    assert "Takes effect from <strong>November 2025</strong>" in text
    assert "Wages and salary of $41.25 (monthly) from 2025-11-01" in text
    assert "7 CFR 273.18(c)(1)(ii)(A)" in text
    text = overpayment_page.content.decode()
    assert "Why from November 2025" in text and "Wages and salary of $41.25 (monthly) from 2025-11-01" in text
