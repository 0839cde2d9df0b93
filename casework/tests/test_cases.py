"""Cases, through their services: status moves, case numbers, caseload limits, transfers,
restriction, the office's sharing setting, and what a client merge does to cases.

Who may see a client is decided by the `CaseAccess` rows these services write, so most tests
end by asking the access rule itself (`clients_visible`, `cases_visible`) who sees what.
Personas (conftest.py): `caseworker` and `supervisor` (North office, same team),
`other_caseworker` (South office), `admin_user`, `auditor`. This module adds `peer`, another
caseworker of the same North team, and `colleague`, a North caseworker of another team.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import CaseAccess
from audit.models import AuditEvent, AuditEventClient
from casework.models import Case, CaseAssignment, CaseStatusChange
from casework.selectors.cases import case_list, cases_visible
from casework.services.cases import (
    case_open,
    case_set_restricted,
    case_transfer,
    case_transition,
    caseload_check,
)
from clients.selectors import clients_visible
from clients.services import client_merge
from tests.factories import (
    ClientFactory,
    HouseholdFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    case_for,
)

# One frozen moment (10:00 in Chicago on 12 March 2026): opening dates and case-number years never drift mid-run.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
Status = Case.Status
LEGAL = [(start, end) for start, ends in Case.TRANSITIONS.items() for end in sorted(ends)]
ILLEGAL = [(start, end) for start in Status.values for end in Status.values if end not in Case.TRANSITIONS[start]]


# Data -----------------------------------------------------------------------------------


@pytest.fixture
def peer(supervisor, north):
    """A caseworker of the North office in the caseworker's team."""
    return UserFactory(username="north_peer", office=north, team=supervisor.team, roles=["caseworker"])


@pytest.fixture
def colleague(north):
    """A caseworker of the North office in another team, with a supervisor of their own."""
    team = TeamFactory(office=north, supervisor=UserFactory(username="north_sup2", office=north, roles=["supervisor"]))
    return UserFactory(username="north_colleague", office=north, team=team, roles=["caseworker"])


def household_of(*, office, size: int = 2, **head_fields):
    """A household of `size` current members; returns (household, head)."""
    household = HouseholdFactory(office=office)
    head = ClientFactory(office=office, **head_fields)
    MembershipFactory(client=head, household=household, relationship="head")
    for _ in range(size - 1):
        MembershipFactory(client=ClientFactory(office=office), household=household, relationship="child")
    return household, head


def new_case(worker, *, status: str = Status.OPEN, restricted: bool = False, **head_fields) -> Case:
    """A case of a new two-person household of `worker`'s office, worked by `worker`."""
    _, head = household_of(office=worker.office, **head_fields)
    return case_for(head, worker, restricted=restricted, status=status)


def clients_of(case: Case) -> set[int]:
    return set(CaseAccess.objects.filter(case_id=case.pk).values_list("client_id", flat=True))


def sees_clients(user, case: Case) -> bool:
    """Whether `user` sees every client of the case (and then, the case); asserts it is all or none."""
    ids = clients_of(case)
    seen = set(clients_visible(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    assert seen in (set(), ids), f"{user} sees only some clients of {case}"
    return seen == ids


def sees_case(user, case: Case) -> bool:
    return cases_visible(user=user).filter(pk=case.pk).exists()


def case_events(case: Case):
    return AuditEvent.objects.filter(object_type="casework.case", object_id=str(case.pk)).order_by("id")


def subjects(event: AuditEvent) -> set[int]:
    return set(AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True))


def snapshot(case: Case) -> tuple:
    """Everything a refused change must leave as it was."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.closed_on,
        case.closure_reason,
        case.assigned_worker_id,
        case.restricted,
        CaseStatusChange.objects.filter(case=case).count(),
        list(CaseAssignment.objects.filter(case=case).values_list("worker_id", "ended_at").order_by("id")),
        sorted(CaseAccess.objects.filter(case_id=case.pk).values_list("client_id", "worker_id", "restricted")),
        case_events(case).count(),
    )


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def limit_caseload(office, *, recommended: int, maximum: int) -> None:
    office.recommended_caseload = recommended
    office.maximum_caseload = maximum
    office.save(update_fields=["recommended_caseload", "maximum_caseload"])


# Opening a case -------------------------------------------------------------------------


class TestCaseOpen:
    def test_a_case_opens_in_intake_with_its_history_access_and_audit_event(self, caseworker, north):
        household, head = household_of(office=north, size=3)

        case = case_open(acting_user=caseworker, household=household, primary_client=head)

        assert (case.status, case.assigned_worker, case.office, case.opened_on) == (
            Status.INTAKE,
            caseworker,
            north,
            TODAY,
        )
        change = CaseStatusChange.objects.get(case=case)
        assert (change.from_status, change.to_status, change.changed_by) == ("", Status.INTAKE, caseworker)
        assignment = CaseAssignment.objects.get(case=case)
        assert (assignment.worker, assignment.assigned_by, assignment.ended_at) == (caseworker, caseworker, None)
        members = set(household.memberships.values_list("client_id", flat=True))
        assert clients_of(case) == members
        assert set(CaseAccess.objects.filter(case_id=case.pk).values_list("worker_id", flat=True)) == {caseworker.pk}
        (event,) = case_events(case)
        assert (event.action, event.actor) == (AuditEvent.Action.CREATE, caseworker)
        assert event.changes["number"] == [None, case.number]
        assert subjects(event) == members

    def test_a_supervisor_opens_a_case_for_a_worker_of_the_team(self, supervisor, caseworker, north):
        household, head = household_of(office=north)

        case = case_open(acting_user=supervisor, household=household, primary_client=head, worker=caseworker)

        assert case.assigned_worker == caseworker
        assert CaseAssignment.objects.get(case=case).assigned_by == supervisor

    @pytest.mark.parametrize("persona", ["admin_user", "auditor"])
    def test_only_caseworkers_and_supervisors_open_cases(self, request, north, persona):
        household, head = household_of(office=north)

        with pytest.raises(PermissionDenied):
            case_open(acting_user=request.getfixturevalue(persona), household=household, primary_client=head)

        assert not Case.objects.exists()

    def test_the_primary_client_must_be_a_current_member_of_the_household(self, caseworker, north):
        household, _ = household_of(office=north)
        stranger = ClientFactory(office=north)

        with pytest.raises(ValidationError) as excinfo:
            case_open(acting_user=caseworker, household=household, primary_client=stranger)

        assert "primary_client" in excinfo.value.message_dict
        assert not Case.objects.exists()

    def test_a_case_cannot_be_opened_in_the_future(self, caseworker, north):
        household, head = household_of(office=north)
        tomorrow = TODAY + timedelta(days=1)

        with pytest.raises(ValidationError) as excinfo:
            case_open(acting_user=caseworker, household=household, primary_client=head, opened_on=tomorrow)

        assert "opened_on" in excinfo.value.message_dict
        assert not Case.objects.exists()

    def test_a_case_cannot_be_given_to_a_worker_of_another_office(self, supervisor, other_caseworker, north):
        household, head = household_of(office=north)

        with pytest.raises(ValidationError):
            case_open(acting_user=supervisor, household=household, primary_client=head, worker=other_caseworker)

        assert not Case.objects.exists()


# Case numbers ---------------------------------------------------------------------------


class TestCaseNumbers:
    def test_numbers_are_the_year_and_six_digits_given_in_sequence(self, caseworker):
        year = TODAY.year

        numbers = [new_case(caseworker).number for _ in range(3)]

        assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
        assert all(re.fullmatch(r"\d{4}-\d{6}", n) for n in numbers)
        assert str(Case.objects.get(number=numbers[0])) == f"Case {year}-000001"

    def test_each_year_counts_from_one_by_the_date_the_case_was_opened(self, caseworker, north):
        this_year = TODAY.year
        first = new_case(caseworker)
        household, head = household_of(office=north)

        late = case_open(
            acting_user=caseworker, household=household, primary_client=head, opened_on=date(this_year - 1, 12, 31)
        )
        second = new_case(caseworker)

        assert late.number == f"{this_year - 1}-000001"
        assert (first.number, second.number) == (f"{this_year}-000001", f"{this_year}-000002")

    def test_two_cases_cannot_share_a_number(self, caseworker, north):
        case = new_case(caseworker)
        household, head = household_of(office=north)

        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.create(
                number=case.number, household=household, primary_client=head, office=north, assigned_worker=caseworker
            )

        assert Case.objects.filter(number=case.number).count() == 1


# Status moves ---------------------------------------------------------------------------


def move(case: Case, to: str, user) -> Case:
    """Move `case` with whatever the move needs: a reason, and a closure reason to close."""
    closure = Case.ClosureReason.GOALS_MET if to == Status.CLOSED else ""
    return case_transition(
        acting_user=user, case=case, to=to, reason="As agreed with the client", closure_reason=closure
    )


class TestStatusMoves:
    def test_the_table_allows_these_moves_and_no_others(self):
        assert set(LEGAL) == {
            ("intake", "open"),
            ("intake", "closed"),
            ("open", "suspended"),
            ("open", "closed"),
            ("suspended", "open"),
            ("suspended", "closed"),
            ("closed", "open"),
        }

    @pytest.mark.parametrize(("start", "end"), LEGAL, ids=[f"{s}->{e}" for s, e in LEGAL])
    def test_every_legal_move_works_and_writes_a_status_change_and_an_audit_event(
        self, caseworker, supervisor, start, end
    ):
        case = new_case(caseworker, status=start)
        changes_before = CaseStatusChange.objects.filter(case=case).count()
        events_before = case_events(case).count()

        moved = move(case, end, supervisor)

        case.refresh_from_db()
        assert moved.status == case.status == end
        assert CaseStatusChange.objects.filter(case=case).count() == changes_before + 1
        change = CaseStatusChange.objects.filter(case=case).order_by("-id").first()
        assert (change.from_status, change.to_status, change.changed_by) == (start, end, supervisor)
        assert change.reason == "As agreed with the client"
        assert case_events(case).count() == events_before + 1
        event = case_events(case).last()
        assert (event.action, event.actor, event.reason) == (
            AuditEvent.Action.UPDATE,
            supervisor,
            "As agreed with the client",
        )
        assert event.changes["status"] == [start, end]
        assert subjects(event) == clients_of(case)
        if end == Status.CLOSED:
            assert (case.closed_on, case.closure_reason) == (TODAY, Case.ClosureReason.GOALS_MET)
            assert event.changes["closure_reason"] == ["", "goals_met"]
        else:
            assert (case.closed_on, case.closure_reason) == (None, "")

    @pytest.mark.parametrize(("start", "end"), ILLEGAL, ids=[f"{s}->{e}" for s, e in ILLEGAL])
    def test_every_illegal_move_is_refused_with_a_clear_message_and_changes_nothing(self, caseworker, start, end):
        case = new_case(caseworker, status=start)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            move(case, end, caseworker)

        assert messages_of(excinfo) == (
            f"A case that is {Status(start).label.lower()} cannot become {Status(end).label.lower()}."
        )
        assert snapshot(case) == before

    def test_a_move_to_a_status_that_does_not_exist_is_refused(self, caseworker):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transition(acting_user=caseworker, case=case, to="archived", reason="Tidying up")

        assert messages_of(excinfo) == "A case that is open cannot become archived."
        assert snapshot(case) == before

    @pytest.mark.parametrize("closure_reason", ["", "bored"])
    @pytest.mark.parametrize("start", [Status.INTAKE, Status.OPEN, Status.SUSPENDED])
    def test_closing_needs_a_closure_reason(self, caseworker, start, closure_reason):
        case = new_case(caseworker, status=start)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transition(
                acting_user=caseworker, case=case, to=Status.CLOSED, reason="Done", closure_reason=closure_reason
            )

        assert excinfo.value.message_dict == {"closure_reason": ["Choose why the case is closing."]}
        assert snapshot(case) == before

    def test_closing_without_a_written_reason_records_the_closure_reason(self, caseworker):
        case = new_case(caseworker)

        case_transition(acting_user=caseworker, case=case, to=Status.CLOSED, closure_reason="moved")

        change = CaseStatusChange.objects.filter(case=case).order_by("-id").first()
        assert change.reason == "Moved out of the area"

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_reopening_needs_a_reason_and_the_case_stays_closed(self, caseworker, reason):
        case = new_case(caseworker, status=Status.CLOSED)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transition(acting_user=caseworker, case=case, to=Status.OPEN, reason=reason)

        assert excinfo.value.message_dict == {"reason": ["Say why the case is reopened."]}
        assert snapshot(case) == before
        case.refresh_from_db()
        assert case.closed_on is not None and case.closure_reason == "other"

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_suspending_needs_a_reason(self, caseworker, reason):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transition(acting_user=caseworker, case=case, to=Status.SUSPENDED, reason=reason)

        assert excinfo.value.message_dict == {"reason": ["Say why the case is suspended."]}
        assert snapshot(case) == before

    def test_a_move_reads_the_saved_status_not_a_stale_copy(self, caseworker):
        case = new_case(caseworker)
        stale = Case.objects.get(pk=case.pk)
        case_transition(acting_user=caseworker, case=case, to=Status.CLOSED, closure_reason="goals_met")

        # `stale` still says open; closed cannot be suspended.
        with pytest.raises(ValidationError):
            case_transition(acting_user=caseworker, case=stale, to=Status.SUSPENDED, reason="Hospital stay")

        assert Case.objects.get(pk=case.pk).status == Status.CLOSED


# Caseload limits ------------------------------------------------------------------------


class TestCaseload:
    @pytest.fixture(autouse=True)
    def small_office(self, north):
        limit_caseload(north, recommended=2, maximum=3)

    def test_only_active_cases_count(self, caseworker):
        new_case(caseworker, status=Status.INTAKE)
        new_case(caseworker, status=Status.SUSPENDED)
        new_case(caseworker, status=Status.CLOSED)

        check = caseload_check(worker=caseworker)

        assert (check.open_cases, check.recommended, check.maximum) == (2, 2, 3)
        assert check.over_recommended and not check.at_maximum

    def test_a_caseworker_at_the_maximum_cannot_open_another_case_even_with_a_reason(self, caseworker, north):
        for _ in range(3):
            new_case(caseworker)
        household, head = household_of(office=north)

        with pytest.raises(ValidationError) as excinfo:
            case_open(
                acting_user=caseworker, household=household, primary_client=head, override_reason="Nobody else is in"
            )

        assert excinfo.value.message_dict["worker"] == [f"{caseworker} already has 3 cases, the office's maximum of 3."]
        assert Case.objects.count() == 3

    def test_a_supervisor_assigns_past_the_maximum_only_with_a_reason(self, supervisor, caseworker, north):
        for _ in range(3):
            new_case(caseworker)
        household, head = household_of(office=north)

        with pytest.raises(ValidationError) as excinfo:
            case_open(acting_user=supervisor, household=household, primary_client=head, worker=caseworker)
        assert "Give a reason to go over it" in excinfo.value.message_dict["override_reason"][0]
        assert Case.objects.count() == 3

        case = case_open(
            acting_user=supervisor,
            household=household,
            primary_client=head,
            worker=caseworker,
            override_reason="Only Spanish speaker this month",
        )

        assert case.assigned_worker == caseworker
        assert CaseAssignment.objects.get(case=case).override_reason == "Only Spanish speaker this month"
        assert case_events(case).get().reason == "Only Spanish speaker this month"

    def test_a_transfer_past_the_recommended_caseload_warns(self, supervisor, caseworker, peer):
        for _ in range(2):
            new_case(peer)
        moving = new_case(caseworker)

        result = case_transfer(acting_user=supervisor, cases=[moving], to_worker=peer, reason="Covering leave")

        # Up to the maximum itself is allowed, with the warning.
        assert result.moved == [moving]
        assert result.warnings == [f"{peer} now has 3 cases, more than the recommended 2."]

    def test_a_transfer_up_to_the_recommended_caseload_does_not_warn(self, supervisor, caseworker, peer):
        new_case(peer)
        moving = new_case(caseworker)

        result = case_transfer(acting_user=supervisor, cases=[moving], to_worker=peer, reason="Covering leave")

        assert result.warnings == []

    def test_a_transfer_past_the_maximum_is_refused_without_an_override_reason(self, supervisor, caseworker, peer):
        for _ in range(2):
            new_case(peer)
        moving = [new_case(caseworker), new_case(caseworker)]
        before = [snapshot(c) for c in moving]

        with pytest.raises(ValidationError) as excinfo:
            case_transfer(acting_user=supervisor, cases=moving, to_worker=peer, reason="Covering leave")

        assert excinfo.value.message_dict["override_reason"] == [
            f"{peer} would have 4 cases, over the office's maximum of 3. Give a reason to go over it."
        ]
        assert [snapshot(c) for c in moving] == before

    def test_a_supervisor_transfers_past_the_maximum_with_an_override_reason(self, supervisor, caseworker, peer):
        for _ in range(2):
            new_case(peer)
        moving = [new_case(caseworker), new_case(caseworker)]

        result = case_transfer(
            acting_user=supervisor,
            cases=moving,
            to_worker=peer,
            reason="Covering leave",
            override_reason="Caseworker on sick leave, no one else free",
        )

        assert len(result.moved) == 2
        assert caseload_check(worker=peer).open_cases == 4
        for case in moving:
            current = CaseAssignment.objects.get(case=case, ended_at__isnull=True)
            assert current.override_reason == "Caseworker on sick leave, no one else free"

    def test_a_caseworker_cannot_transfer_cases_so_cannot_override_either(self, caseworker, peer):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(PermissionDenied):
            case_transfer(
                acting_user=caseworker, cases=[case], to_worker=peer, reason="Swap", override_reason="I say so"
            )

        assert snapshot(case) == before


# Transfers ------------------------------------------------------------------------------


class TestTransfer:
    @pytest.mark.parametrize("persona", ["caseworker", "admin_user", "auditor"])
    def test_only_a_supervisor_transfers(self, request, caseworker, peer, persona):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(PermissionDenied):
            case_transfer(acting_user=request.getfixturevalue(persona), cases=[case], to_worker=peer, reason="Swap")

        assert snapshot(case) == before

    @pytest.mark.parametrize("reason", ["", "  "])
    def test_a_transfer_needs_a_reason(self, supervisor, caseworker, peer, reason):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transfer(acting_user=supervisor, cases=[case], to_worker=peer, reason=reason)

        assert "reason" in excinfo.value.message_dict
        assert snapshot(case) == before

    def test_a_transfer_needs_at_least_one_case(self, supervisor, peer):
        with pytest.raises(ValidationError):
            case_transfer(acting_user=supervisor, cases=[], to_worker=peer, reason="Nothing")

    def test_one_case_moves_and_the_history_of_assignments_is_kept(self, supervisor, caseworker, peer):
        case = new_case(caseworker)

        result = case_transfer(acting_user=supervisor, cases=[case], to_worker=peer, reason="Caseworker retiring")

        case.refresh_from_db()
        assert result.moved == [case]
        assert case.assigned_worker == peer
        old, new = CaseAssignment.objects.filter(case=case).order_by("id")
        assert (old.worker, old.ended_at is not None) == (caseworker, True)
        assert (new.worker, new.assigned_by, new.reason, new.ended_at) == (
            peer,
            supervisor,
            "Caseworker retiring",
            None,
        )
        assert new.started_at == old.ended_at
        assert set(CaseAccess.objects.filter(case_id=case.pk).values_list("worker_id", flat=True)) == {peer.pk}
        event = case_events(case).last()
        assert (event.action, event.actor, event.reason) == (
            AuditEvent.Action.UPDATE,
            supervisor,
            "Caseworker retiring",
        )
        assert event.changes == {"assigned_worker_id": [caseworker.pk, peer.pk]}
        assert subjects(event) == clients_of(case)

    def test_many_cases_move_at_once_and_a_second_transfer_adds_to_the_history(
        self, supervisor, caseworker, peer, colleague
    ):
        cases = [new_case(caseworker) for _ in range(3)]

        case_transfer(acting_user=supervisor, cases=cases, to_worker=peer, reason="Rebalancing")
        case_transfer(acting_user=supervisor, cases=cases[:1], to_worker=colleague, reason="Language")

        assert [Case.objects.get(pk=c.pk).assigned_worker for c in cases] == [colleague, peer, peer]
        history = CaseAssignment.objects.filter(case=cases[0]).order_by("id")
        assert [(a.worker, a.ended_at is None) for a in history] == [
            (caseworker, False),
            (peer, False),
            (colleague, True),
        ]

    def test_a_case_already_with_the_worker_is_not_moved_again(self, supervisor, caseworker, peer):
        theirs = new_case(peer)
        mine = new_case(caseworker)

        result = case_transfer(acting_user=supervisor, cases=[theirs, mine], to_worker=peer, reason="Rebalancing")

        assert result.moved == [mine]
        assert CaseAssignment.objects.filter(case=theirs).count() == 1

    def test_a_transfer_to_a_worker_of_another_office_is_refused_and_nothing_moves(
        self, supervisor, caseworker, other_caseworker
    ):
        cases = [new_case(caseworker), new_case(caseworker)]
        before = [snapshot(c) for c in cases]

        with pytest.raises(ValidationError) as excinfo:
            case_transfer(acting_user=supervisor, cases=cases, to_worker=other_caseworker, reason="Moving south")

        assert excinfo.value.message_dict == {
            "worker": [f"{other_caseworker} works in another office; transfer the case between offices first."]
        }
        assert [snapshot(c) for c in cases] == before

    @pytest.mark.parametrize("who", ["auditor", "inactive"])
    def test_a_transfer_to_someone_who_cannot_work_cases_is_refused(self, supervisor, caseworker, north, who):
        if who == "inactive":
            target = UserFactory(username="leaver", office=north, roles=["caseworker"], is_active=False)
        else:
            target = UserFactory(username="reader", office=north, roles=["auditor"])
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(ValidationError) as excinfo:
            case_transfer(acting_user=supervisor, cases=[case], to_worker=target, reason="Rebalancing")

        assert excinfo.value.message_dict == {"worker": [f"{target} cannot be assigned cases."]}
        assert snapshot(case) == before

    def test_access_to_a_restricted_case_moves_with_it(self, supervisor, caseworker, peer):
        case = new_case(caseworker, restricted=True)
        assert (sees_clients(caseworker, case), sees_case(caseworker, case)) == (True, True)
        assert (sees_clients(peer, case), sees_case(peer, case)) == (False, False)

        case_transfer(acting_user=supervisor, cases=[case], to_worker=peer, reason="Caseworker on leave")

        assert (sees_clients(caseworker, case), sees_case(caseworker, case)) == (False, False)
        assert (sees_clients(peer, case), sees_case(peer, case)) == (True, True)
        assert (sees_clients(supervisor, case), sees_case(supervisor, case)) == (True, True)

    def test_a_restricted_case_moved_to_another_team_leaves_the_old_supervisor(self, supervisor, caseworker, colleague):
        case = new_case(caseworker, restricted=True)
        their_supervisor = colleague.team.supervisor
        assert not sees_clients(their_supervisor, case)

        case_transfer(acting_user=supervisor, cases=[case], to_worker=colleague, reason="Specialist team")

        assert (sees_clients(colleague, case), sees_case(colleague, case)) == (True, True)
        assert (sees_clients(their_supervisor, case), sees_case(their_supervisor, case)) == (True, True)
        assert (sees_clients(supervisor, case), sees_case(supervisor, case)) == (False, False)


# Restriction and the office's sharing -----------------------------------------------------


class TestRestriction:
    def test_a_restricted_case_hides_its_clients_from_office_colleagues_but_not_its_worker_and_supervisor(
        self, caseworker, supervisor, peer, colleague, other_caseworker
    ):
        case = new_case(caseworker, restricted=True)

        assert sees_clients(caseworker, case) and sees_case(caseworker, case)
        assert sees_clients(supervisor, case) and sees_case(supervisor, case)
        for user in (peer, colleague, colleague.team.supervisor, other_caseworker):
            assert not sees_clients(user, case), user
            assert not sees_case(user, case), user

    def test_an_unrestricted_case_is_seen_by_the_office_but_not_another_office(
        self, caseworker, peer, colleague, other_caseworker, admin_user, auditor
    ):
        case = new_case(caseworker)

        for user in (peer, colleague, colleague.team.supervisor):
            assert sees_clients(user, case) and sees_case(user, case), user
        for user in (other_caseworker, admin_user, auditor):
            assert not sees_clients(user, case) and not sees_case(user, case), user

    def test_restricting_a_case_and_lifting_it_again_with_a_reason(self, caseworker, supervisor, peer):
        case = new_case(caseworker)
        assert sees_clients(peer, case)

        case_set_restricted(acting_user=caseworker, case=case, restricted=True, reason="Client fled abuse")
        assert not sees_clients(peer, case) and not sees_case(peer, case)
        assert sees_clients(caseworker, case) and sees_clients(supervisor, case)

        case_set_restricted(acting_user=supervisor, case=case, restricted=False, reason="Risk assessed as past")
        assert sees_clients(peer, case) and sees_case(peer, case)

        restricting, lifting = case_events(case).filter(action=AuditEvent.Action.UPDATE, changes__has_key="restricted")
        assert (restricting.changes, restricting.reason) == ({"restricted": [False, True]}, "Client fled abuse")
        assert (lifting.changes, lifting.actor) == ({"restricted": [True, False]}, supervisor)

    def test_restricting_needs_a_reason(self, caseworker):
        case = new_case(caseworker)
        before = snapshot(case)

        with pytest.raises(ValidationError):
            case_set_restricted(acting_user=caseworker, case=case, restricted=True, reason=" ")

        assert snapshot(case) == before

    def test_a_restricted_member_closes_the_whole_case_to_colleagues(self, caseworker, supervisor, peer):
        # The case's pages name every member, so one restricted member restricts the case.
        household, head = household_of(office=caseworker.office, restricted=True)
        case = case_for(head, caseworker)
        child = household.memberships.exclude(client=head).get().client

        assert sees_case(caseworker, case) and sees_case(supervisor, case)
        assert not sees_case(peer, case)
        assert not clients_visible(user=peer).filter(pk__in=[head.pk, child.pk]).exists()

    def test_a_case_whose_primary_client_is_restricted_is_hidden_from_colleagues(self, caseworker, peer):
        _, head = household_of(office=caseworker.office, restricted=True)
        case = case_for(head, caseworker)

        assert not sees_case(peer, case)
        assert head.last_name not in [c.primary_client.last_name for c in case_list(user=peer)]


class TestOfficeSharing:
    def test_an_office_that_does_not_share_hides_unrestricted_cases_from_colleagues(
        self, caseworker, supervisor, peer, colleague, north
    ):
        case = new_case(caseworker)
        north.share_cases_in_office = False
        north.save(update_fields=["share_cases_in_office"])

        for user in (peer, colleague, colleague.team.supervisor):
            assert not sees_clients(user, case), user
            assert not sees_case(user, case), user
        assert sees_clients(caseworker, case) and sees_case(caseworker, case)
        assert sees_clients(supervisor, case) and sees_case(supervisor, case)

    def test_another_office_not_sharing_changes_nothing_here(self, caseworker, peer, south):
        case = new_case(caseworker)
        south.share_cases_in_office = False
        south.save(update_fields=["share_cases_in_office"])

        assert sees_clients(peer, case) and sees_case(peer, case)


# A client merge -------------------------------------------------------------------------


class TestMerge:
    def test_a_merged_clients_cases_follow_the_survivor(self, caseworker, supervisor, peer, north):
        survivor_case = new_case(caseworker)
        survivor = survivor_case.primary_client
        duplicate_case = new_case(peer)
        duplicate = duplicate_case.primary_client

        client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person")

        duplicate_case.refresh_from_db()
        assert duplicate_case.primary_client == survivor
        assert not Case.objects.filter(primary_client=duplicate).exists()
        assert not CaseAccess.objects.filter(client_id=duplicate.pk).exists()
        assert CaseAccess.objects.filter(case_id=duplicate_case.pk, client_id=survivor.pk, worker=peer).exists()
        # Both workers see the survivor; nobody is shown the merged record.
        for user in (caseworker, peer, supervisor):
            assert clients_visible(user=user).filter(pk=survivor.pk).exists()
            assert not clients_visible(user=user).filter(pk=duplicate.pk).exists()
        assert {c.pk for c in case_list(user=supervisor, client_id=survivor.pk)} == {
            survivor_case.pk,
            duplicate_case.pk,
        }

    def test_a_restricted_case_of_the_merged_client_stays_restricted_on_the_survivor(
        self, caseworker, supervisor, peer
    ):
        survivor = new_case(caseworker).primary_client
        duplicate_case = new_case(caseworker, restricted=True)

        client_merge(
            acting_user=supervisor, survivor=survivor, duplicate=duplicate_case.primary_client, reason="Same person"
        )

        assert not sees_case(peer, duplicate_case)
        row = CaseAccess.objects.get(case_id=duplicate_case.pk, client_id=survivor.pk)
        assert row.restricted

    def test_two_records_on_the_same_case_merge_into_one_row_of_access(self, caseworker, supervisor, north):
        household, head = household_of(office=north)
        case = case_for(head, caseworker)
        other = household.memberships.exclude(client=head).get().client

        client_merge(acting_user=supervisor, survivor=head, duplicate=other, reason="Same person twice")

        assert CaseAccess.objects.filter(case_id=case.pk, client_id=head.pk).count() == 1
        assert clients_visible(user=caseworker).filter(pk=head.pk).exists()
        assert not clients_visible(user=caseworker).filter(pk=other.pk).exists()
