"""Enrollments and determinations through the services, on the real database."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from audit.models import AuditEvent
from clients.models import Expense, HouseholdMembership
from eligibility.models import Determination, Enrollment, FinalisedError, ParameterValue, Program
from eligibility.services import (
    WhatIf,
    determination_finalise,
    determination_replay,
    determination_run,
    determination_whatif,
    enrollment_apply,
    enrollment_transition,
    snapshot_build,
)
from eligibility.tests.helpers import APPLIED, BEFORE_FY2026, FY2026, snap_enrollment
from tests import app_role

pytestmark = pytest.mark.django_db


def test_shipped_programs_and_parameters_are_loaded_and_loading_again_adds_nothing():
    assert set(Program.objects.values_list("code", flat=True)) >= {"snap", "income_support", "drug_assistance"}
    count = ParameterValue.objects.count()
    assert count > 30
    call_command("eligibility_load_parameters")
    assert ParameterValue.objects.count() == count
    assert Program.objects.get(code="snap").appeal_days == 90


def test_apply_records_status_row_and_audit_and_refuses_a_second_live_enrollment(caseworker):
    enrollment = snap_enrollment(caseworker)
    assert enrollment.status == Enrollment.Status.APPLIED
    assert [(c.from_status, c.to_status) for c in enrollment.status_changes.all()] == [("", "applied")]
    assert AuditEvent.objects.filter(object_type="eligibility.enrollment", action="create").exists()
    with pytest.raises(ValidationError, match="already has a live"):
        enrollment_apply(
            acting_user=caseworker, case=enrollment.case, program=enrollment.program, application_date=APPLIED
        )


def test_a_determination_the_day_before_a_parameter_change_and_one_on_the_day_use_different_values(caseworker):
    enrollment = snap_enrollment(caseworker)
    before = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=BEFORE_FY2026)
    on_the_day = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    assert before.parameters_used["snap.maximum_allotment"]["effective_from"] == "2024-10-01"
    assert on_the_day.parameters_used["snap.maximum_allotment"]["effective_from"] == "2025-10-01"
    # $900 earned, one person: FY 2025 $292 - $155 = $137; FY 2026 $298 - $154 = $144.
    assert before.monthly_amount == Decimal("137.00")
    assert on_the_day.monthly_amount == Decimal("144.00")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.PENDING


def test_replay_gives_the_stored_result_to_the_cent_after_the_parameters_change(caseworker):
    enrollment = snap_enrollment(caseworker)
    original = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    row = ParameterValue.objects.get(
        program__code="snap", name="snap.maximum_allotment", effective_from=date(2025, 10, 1)
    )
    ParameterValue.objects.filter(pk=row.pk).update(value={**row.value, "1": "310"})

    rerun = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    assert rerun.monthly_amount == original.monthly_amount + 12

    replay = determination_replay(determination=Determination.objects.get(pk=original.pk))
    assert replay.matches
    assert replay.replayed.monthly_amount == Decimal("144.00") == original.monthly_amount


def test_approve_activates_with_amount_and_certification_period(caseworker):
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 15))
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.monthly_amount == Decimal("144.00")
    assert enrollment.certification_start == date(2025, 10, 1)
    assert enrollment.certification_end == date(2026, 9, 30)
    assert enrollment.next_review_on == date(2026, 9, 30)
    assert [c.to_status for c in enrollment.status_changes.order_by("id")] == ["applied", "pending", "active"]


def test_a_finalised_determination_never_changes(caseworker):
    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    stored = Determination.objects.get(pk=determination.pk)
    with pytest.raises(ValidationError, match="already approved"):
        determination_finalise(acting_user=caseworker, determination=stored, decision="deny", reason="changed mind")
    stored.monthly_amount = Decimal("999.00")
    with pytest.raises(FinalisedError):
        stored.save()
    with pytest.raises(FinalisedError):
        stored.delete()
    assert Determination.objects.get(pk=determination.pk).monthly_amount == Decimal("144.00")


def test_deny_records_the_failed_criteria_and_an_ineligible_result_cannot_be_approved(caseworker):
    enrollment = snap_enrollment(caseworker, earnings="5000")
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    assert not determination.eligible
    with pytest.raises(ValidationError, match="can only be denied"):
        determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    determination_finalise(acting_user=caseworker, determination=determination, decision="deny")
    determination.refresh_from_db()
    assert determination.status == Determination.Status.DENIED
    assert "Gross monthly income" in [reason["name"] for reason in determination.reasons]
    assert all(not reason["passed"] for reason in determination.reasons)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.DENIED


def test_only_the_newest_draft_can_be_decided(caseworker):
    enrollment = snap_enrollment(caseworker)
    older = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    with pytest.raises(ValidationError, match="newer determination"):
        determination_finalise(acting_user=caseworker, determination=older, decision="approve")


def test_a_date_before_the_application_is_refused(caseworker):
    enrollment = snap_enrollment(caseworker)
    with pytest.raises(ValidationError, match="before the application date 2025-08-01"):
        determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 7, 31))
    assert not Determination.objects.exists()


def test_a_household_with_no_members_is_refused(caseworker):
    enrollment = snap_enrollment(caseworker)
    HouseholdMembership.objects.filter(household_id=enrollment.case.household_id).update(end_date=date(2025, 6, 30))
    with pytest.raises(ValidationError, match="has no members on 2025-10-01"):
        determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)


def test_a_missing_parameter_is_named_never_a_wrong_amount(caseworker):
    enrollment = snap_enrollment(caseworker)
    Expense.objects.create(
        client=enrollment.case.primary_client, kind="utilities", amount=Decimal("120"), start_date=date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match=re.escape("snap.standard_utility_allowance")):
        determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    assert not Determination.objects.exists()


def test_a_parameter_with_no_value_in_force_is_named(caseworker):
    enrollment = snap_enrollment(caseworker)
    ParameterValue.objects.filter(program__code="snap", name="snap.elderly_age").update(effective_from=date(2030, 1, 1))
    with pytest.raises(ValidationError, match=re.escape("Missing parameter 'snap.elderly_age' for 2025-10-01")):
        determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)


def test_whatif_refuses_a_negative_income_and_writes_only_a_read_event(caseworker):
    enrollment = snap_enrollment(caseworker)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="negative"):
        determination_whatif(
            acting_user=caseworker,
            enrollment=enrollment,
            as_of=FY2026,
            change=WhatIf(income_amounts={0: Decimal("-5")}),
        )
    result = determination_whatif(
        acting_user=caseworker, enrollment=enrollment, as_of=FY2026, change=WhatIf(income_amounts={0: Decimal("0")})
    )
    assert result.current.monthly_amount == Decimal("144.00")
    assert result.changed.monthly_amount == Decimal("298.00")
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").action == AuditEvent.Action.VIEW
    assert not Determination.objects.exists()


def test_snapshot_counts_current_members_and_assets_held_marking_exempt_kinds(caseworker):
    from clients.models import Asset

    enrollment = snap_enrollment(caseworker)
    client = enrollment.case.primary_client
    Asset.objects.create(client=client, kind="property", value=Decimal("90000"), as_of=date(2025, 1, 1))
    Asset.objects.create(
        client=client, kind="cash", value=Decimal("50"), as_of=date(2025, 1, 1), disposed_on=date(2025, 2, 1)
    )
    snapshot = snapshot_build(
        case=enrollment.case, as_of=FY2026, application_date=APPLIED, exempt_asset_kinds=["property"]
    )
    assert [m.id for m in snapshot.members] == [str(client.pk)]
    assert [(a.kind, a.exempt) for a in snapshot.assets] == [("property", True)]
    assert [i.amount for i in snapshot.incomes] == [Decimal("900.00")]


def test_enrollment_moves_follow_the_table(caseworker):
    enrollment = snap_enrollment(caseworker)
    with pytest.raises(ValidationError, match="cannot become suspended"):
        enrollment_transition(acting_user=caseworker, enrollment=enrollment, to="suspended", reason="x")
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    enrollment = enrollment_transition(acting_user=caseworker, enrollment=enrollment, to="suspended", reason="No show")
    enrollment = enrollment_transition(acting_user=caseworker, enrollment=enrollment, to="active", reason="Back")
    enrollment = enrollment_transition(acting_user=caseworker, enrollment=enrollment, to="terminated", reason="Moved")
    assert [c.to_status for c in enrollment.status_changes.order_by("id")] == [
        "applied",
        "pending",
        "active",
        "suspended",
        "active",
        "terminated",
    ]
    with pytest.raises(ValidationError, match="An enrollment that is terminated cannot become active"):
        enrollment_transition(acting_user=caseworker, enrollment=enrollment, to="active")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.status_changes.count()) == ("terminated", 6)


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_finalised_determination(caseworker):
    from django.db import DatabaseError, transaction

    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    with pytest.raises(DatabaseError, match="finalised"), transaction.atomic():
        Determination.objects.filter(pk=determination.pk).update(monthly_amount=Decimal("1.00"))
    # The trigger holds for the owner too; the application's role may not delete at all.
    with app_role.as_owner(), pytest.raises(DatabaseError, match="finalised"), transaction.atomic():
        Determination.objects.filter(pk=determination.pk).delete()


def test_approval_puts_one_review_task_on_the_workers_list_after_commit(caseworker, django_capture_on_commit_callbacks):
    from casework.models import Task
    from eligibility.tasks import enrollment_review_task

    enrollment = snap_enrollment(caseworker)
    determination = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=FY2026)
    with django_capture_on_commit_callbacks(execute=True):
        determination_finalise(acting_user=caseworker, determination=determination, decision="approve")
    enrollment_review_task(enrollment.pk)  # a job that runs twice makes one task
    task = Task.objects.get(case=enrollment.case, kind="review")
    assert task.assignee == caseworker
    assert "2026-09-30" in task.title
