"""The status-change helper: an allowed move writes its history row and audit event; a refused
one names both statuses and writes nothing. A case stands in for every model with `TRANSITIONS`."""

from datetime import UTC, date, datetime

import pytest

from audit.models import AuditEvent
from casework.models import Case, CaseStatusChange, OfficeTransfer
from core.status import StatusRefused, status_begin_many, status_move
from tests.factories import ClientFactory, HouseholdFactory, case_for

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
Status = Case.Status


@pytest.fixture
def case(caseworker):
    return case_for(ClientFactory(office=caseworker.office), caseworker, status=Status.INTAKE)


def _trail(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="casework.case", object_id=str(case.pk)).order_by("id"))


def test_an_allowed_move_saves_the_status_and_writes_the_history_row_and_the_audit_event(case, caseworker):
    change = status_move(
        case, to=Status.OPEN, acting_user=caseworker, client_ids=[case.primary_client_id], reason="Interview done"
    )
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert (change.from_status, change.to_status, change.reason, change.changed_by, change.changed_at) == (
        Status.INTAKE, Status.OPEN, "Interview done", caseworker, NOW,
    )  # fmt: skip
    assert list(case.status_changes.values_list("from_status", "to_status")) == [("intake", "open"), ("", "intake")]
    event = _trail(case)[-1]
    assert (event.action, event.actor, event.changes, event.reason) == (
        "update", caseworker, {"status": ["intake", "open"]}, "Interview done",
    )  # fmt: skip
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_a_refused_move_names_both_statuses_and_writes_nothing(case, caseworker):
    changes, events = CaseStatusChange.objects.count(), AuditEvent.objects.count()
    with pytest.raises(StatusRefused) as refused:
        status_move(case, to=Status.SUSPENDED, acting_user=caseworker, client_ids=[case.primary_client_id])
    assert refused.value.messages == ["A case that is intake cannot become suspended."]
    case.refresh_from_db()
    assert case.status == Status.INTAKE
    assert (CaseStatusChange.objects.count(), AuditEvent.objects.count()) == (changes, events)


def _close(case: Case, user, **kwargs):
    also = {"closed_on": date(2026, 3, 12), "closure_reason": Case.ClosureReason.MOVED, "restricted": False}
    return status_move(case, to=Status.CLOSED, acting_user=user, client_ids=[], also=also, **kwargs)


def test_what_the_move_also_sets_is_saved_with_it_and_audited_when_it_changes(case, caseworker):
    _close(case, caseworker, reason="Moved away")
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_reason) == (Status.CLOSED, date(2026, 3, 12), "moved")
    # `restricted` was already False: nothing to say about it.
    assert _trail(case)[-1].changes == {
        "status": ["intake", "closed"],
        "closed_on": [None, "2026-03-12"],
        "closure_reason": ["", "moved"],
    }


def test_the_stored_status_decides_not_a_stale_copy(case, caseworker):
    stale = Case.objects.get(pk=case.pk)
    _close(case, caseworker)
    assert stale.status == Status.INTAKE  # from intake, closing would be allowed
    with pytest.raises(StatusRefused, match=r"A case that is closed cannot become closed\."):
        _close(stale, caseworker)
    assert case.status_changes.filter(to_status=Status.CLOSED).count() == 1


def test_a_model_without_history_is_moved_and_audited_all_the_same(supervisor, north, south, caseworker):
    client = ClientFactory(office=north)
    transfer = OfficeTransfer.objects.create(
        client=client, from_office=north, to_office=south, reason="Moving", requested_by=supervisor
    )
    assert status_move(transfer, to=OfficeTransfer.Status.CANCELLED, acting_user=supervisor, client_ids=[]) is None
    transfer.refresh_from_db()
    assert transfer.status == OfficeTransfer.Status.CANCELLED
    event = AuditEvent.objects.get(object_type="casework.officetransfer", object_id=str(transfer.pk))
    assert event.changes == {"status": ["requested", "cancelled"]}


def test_many_new_rows_begin_their_histories_in_one_insert(caseworker, django_assert_num_queries):
    # Rows just created, with no history yet (histories are append-only: none is deleted to get there).
    cases = []
    for n in range(3):
        client = ClientFactory(office=caseworker.office)
        household = HouseholdFactory(office=caseworker.office)
        cases.append(
            Case.objects.create(
                number=f"BULK-{n}", household=household, primary_client=client, office=caseworker.office,
                assigned_worker=caseworker, opened_on=NOW.date(), status=Status.OPEN,
            )
        )  # fmt: skip

    with django_assert_num_queries(1):
        status_begin_many(cases, acting_user=caseworker, reason="Opened at once", through=[Status.INTAKE])

    for case in cases:
        assert list(case.status_changes.order_by("id").values_list("from_status", "to_status", "reason")) == [
            ("", Status.INTAKE, "Opened at once"),
            (Status.INTAKE, Status.OPEN, "Opened at once"),
        ]
        assert case.status_changes.filter(changed_by=caseworker, changed_at=NOW).count() == 2


def test_a_history_through_a_move_the_table_refuses_is_not_written(caseworker):
    case = case_for(ClientFactory(office=caseworker.office), caseworker, status=Status.INTAKE)
    before = CaseStatusChange.objects.count()
    with pytest.raises(StatusRefused, match=r"A case that is open cannot become intake\."):
        status_begin_many([case], acting_user=caseworker, through=[Status.OPEN])
    assert CaseStatusChange.objects.count() == before
