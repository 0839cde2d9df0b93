"""The whole path of an appeal: a reduction's notice, the appeal, continued benefits, the hearing, the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals.models import Appeal, AppealStatusChange
from appeals.services import appeal_accept_late, appeal_decide, appeal_hearing_schedule, appeal_request
from appeals.tests.helpers import REDUCED_ON, approved_snap, at, reduce
from assistance.models import Issuance, Overpayment
from assistance.services.runs import payment_run_inline
from audit.models import AuditEvent
from correspondence.models import Correspondence
from eligibility.models import AdverseAction
from eligibility.services import WhatIf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FEB, MAR, APR = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


@pytest.fixture
def officer(north):
    return UserFactory(
        username="officer", first_name="Hana", last_name="Ortiz", office=north, roles=["hearing_officer"]
    )


def paid(enrollment, period) -> Decimal:
    return Issuance.objects.get(enrollment=enrollment, period=period, kind=Issuance.Kind.RECURRING).amount


def run(period: date) -> None:
    with at(period - timedelta(days=6)):
        payment_run_inline(period=period)


def hearing(appeal, worker, officer, *, on: date):
    starts = datetime(on.year, on.month, on.day, 14, tzinfo=UTC)
    return appeal_hearing_schedule(
        acting_user=worker, appeal=appeal, officer=officer, starts_at=starts, ends_at=starts + timedelta(hours=1),
        place="North Office, room 2",
    )  # fmt: skip


def test_a_sustained_reduction_with_continued_benefits_becomes_a_claim_with_its_demand_letter(caseworker, officer):
    enrollment = approved_snap(caseworker)
    before = enrollment.monthly_amount
    action = reduce(enrollment, caseworker)
    after = action.amount_after
    assert after < before and action.amount_before == before
    assert action.kind == AdverseAction.Kind.REDUCTION and action.effective_on == FEB

    notice = action.notice
    assert notice.template_code == "adverse_action_notice" and notice.kind == Correspondence.Kind.NOTICE
    assert "It takes effect on" in notice.body
    assert "$" in notice.body and "fair hearing" in notice.body
    assert "Ask by" in notice.body

    with at(REDUCED_ON + timedelta(days=7)):
        appeal = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.PHONE, requested_on=REDUCED_ON + timedelta(days=7),
        )  # fmt: skip
    assert appeal.status == Appeal.Status.OPEN and appeal.continued_benefits
    assert appeal.decision_due == REDUCED_ON + timedelta(days=7 + 60)

    run(FEB)
    assert paid(enrollment, FEB) == before  # continued pending the hearing

    with at(date(2026, 2, 3)):
        hearing(appeal, caseworker, officer, on=date(2026, 2, 16))
    letter = Correspondence.objects.get(client=appeal.client, template_code="hearing_notice")
    assert "Hana Ortiz" in letter.body

    with at(date(2026, 2, 16)):
        appeal_decide(acting_user=officer, appeal=appeal, decision=Appeal.Decision.SUSTAINED,
                      reasons="The pay slips show the earnings the agency counted.")  # fmt: skip
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.DECIDED
    claim = appeal.claim
    assert claim.source == Overpayment.Source.APPEAL
    assert claim.amount == before - after
    assert [p.period for p in claim.periods.all()] == [FEB]
    demand = Correspondence.objects.get(client=appeal.client, template_code="overpayment_demand")
    assert f"{claim.amount:,.2f}" in demand.body

    run(MAR)
    # The new amount, of which the run kept back part to recover the claim (an allotment reduction).
    claim.refresh_from_db()
    march = Issuance.objects.get(enrollment=enrollment, period=MAR, kind=Issuance.Kind.RECURRING)
    assert march.amount == after
    assert march.recovered == claim.amount - claim.balance > 0
    assert list(
        AppealStatusChange.objects.filter(appeal=appeal).order_by("id").values_list("to_status", flat=True)
    ) == ["open", "hearing", "decided"]
    assert AuditEvent.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk)).count() >= 3


def test_a_reversal_issues_the_arrears_and_the_next_run_pays_the_new_amount(caseworker, officer):
    enrollment = approved_snap(caseworker)
    before = enrollment.monthly_amount
    action = reduce(enrollment, caseworker)
    run(FEB)
    assert paid(enrollment, FEB) == action.amount_after  # no appeal in the notice period: the cut applies

    with at(date(2026, 2, 10)):
        appeal = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.WRITING, requested_on=date(2026, 2, 10),
        )  # fmt: skip
        assert not appeal.continued_benefits
        hearing(appeal, caseworker, officer, on=date(2026, 2, 24))
    run(MAR)
    with at(date(2026, 2, 24)):
        # The hearing finds the new job's pay was a one-off: the household's earnings are as before.
        appeal_decide(
            acting_user=officer, appeal=appeal, decision=Appeal.Decision.REVERSED,
            reasons="The extra earnings were a single payment, not monthly income.",
            findings=WhatIf(income_amounts={1: Decimal("0")}),
        )  # fmt: skip
    appeal.refresh_from_db()
    assert appeal.new_determination.monthly_amount == before
    arrears = Issuance.objects.get(enrollment=enrollment, kind=Issuance.Kind.ARREARS)
    assert arrears.amount == (before - action.amount_after) * 2  # February and March, paid at the cut amount
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == before
    run(APR)
    assert paid(enrollment, APR) == before


def test_an_appeal_after_ninety_days_is_refused_with_its_reason_until_a_supervisor_accepts_good_cause(
    caseworker, supervisor
):
    enrollment = approved_snap(caseworker)
    action = reduce(enrollment, caseworker)
    late = REDUCED_ON + timedelta(days=91)
    with at(late):
        appeal = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.IN_PERSON, requested_on=late,
        )  # fmt: skip
    assert appeal.status == Appeal.Status.REFUSED
    assert "after the last day to ask, 2026-04-20" in appeal.refusal
    assert not appeal.continued_benefits
    with at(late), pytest.raises(PermissionDenied):
        appeal_accept_late(acting_user=caseworker, appeal=appeal, good_cause="In hospital")
    with at(late):
        appeal_accept_late(acting_user=supervisor, appeal=appeal, good_cause="In hospital from March to April")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN and appeal.good_cause_by == supervisor


def test_a_hearing_officer_who_decided_the_case_is_refused(caseworker, north):
    deciding = UserFactory(username="both", office=north, roles=["caseworker", "hearing_officer"])
    enrollment = approved_snap(caseworker)
    action = reduce(enrollment, deciding)
    with at(date(2026, 1, 22)):
        appeal = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.WRITING, requested_on=date(2026, 1, 22),
        )  # fmt: skip
        with pytest.raises(ValidationError, match="took part in the decision appealed"):
            hearing(appeal, caseworker, deciding, on=date(2026, 2, 10))
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN and appeal.hearing_id is None


def test_a_hearing_less_than_ten_days_ahead_is_refused(caseworker, officer):
    enrollment = approved_snap(caseworker)
    action = reduce(enrollment, caseworker)
    with at(date(2026, 1, 22)):
        appeal = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.WRITING, requested_on=date(2026, 1, 22),
        )  # fmt: skip
        with pytest.raises(ValidationError, match="at least 10 days ahead"):
            hearing(appeal, caseworker, officer, on=date(2026, 1, 29))


def test_a_decision_already_under_appeal_is_not_appealed_twice(caseworker):
    enrollment = approved_snap(caseworker)
    action = reduce(enrollment, caseworker)
    asked = REDUCED_ON + timedelta(days=3)
    with at(asked):
        first = appeal_request(
            acting_user=caseworker, case=enrollment.case, adverse_action=action,
            received_via=Appeal.Received.PHONE, requested_on=asked,
        )  # fmt: skip
        with pytest.raises(ValidationError, match="already under appeal"):
            appeal_request(
                acting_user=caseworker, case=enrollment.case, adverse_action=action,
                received_via=Appeal.Received.IN_PERSON, requested_on=asked,
            )  # fmt: skip
    assert list(Appeal.objects.filter(adverse_action=action)) == [first]
