"""Who may do what, checked by the services themselves (whatever page or job calls them), and
requests that the case or the client rule out."""

import pytest
from django.core.exceptions import ValidationError

from assistance.models import Issuance, IssuanceStatusChange, LedgerEntry
from assistance.services import (
    issuance_approve,
    issuance_cancel,
    issuance_issue,
    issuance_reject,
    issuance_reverse,
)
from assistance.tests.helpers import client_case, request
from audit.models import AuditEvent
from casework.models import Case
from casework.services.cases import case_transition
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Issuance.Status


def nothing_saved() -> None:
    assert not Issuance.objects.exists()
    assert not IssuanceStatusChange.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(object_type="assistance.issuance").exists()


def close(case: Case, worker) -> None:
    case_transition(acting_user=worker, case=case, to=Case.Status.CLOSED, reason="Moved away", closure_reason="other")


@pytest.fixture
def waiting(caseworker) -> Issuance:
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="1500.00")
    assert issuance.status == Status.PENDING
    return issuance


@pytest.fixture
def issued(caseworker) -> Issuance:
    _client, case = client_case(caseworker)
    issuance = request(caseworker, case, amount="400.00")
    assert issuance.status == Status.ISSUED
    return issuance


# Roles


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditors_and_admins_cannot_request_assistance(personas, caseworker, persona):
    _client, case = client_case(caseworker)
    with pytest.raises(ValidationError, match="Only caseworkers and supervisors request assistance"):
        request(personas[persona], case, amount="50.00")
    nothing_saved()


@pytest.mark.parametrize("persona", ["auditor", "admin", "caseworker", "other_caseworker"])
def test_only_a_supervisor_approves_or_rejects(personas, waiting, persona):
    user = personas[persona]
    with pytest.raises(ValidationError, match="Only a supervisor"):
        issuance_approve(acting_user=user, issuance=waiting, reason="Fine by me")
    with pytest.raises(ValidationError, match="Only a supervisor"):
        issuance_reject(acting_user=user, issuance=waiting, reason="No")
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING and waiting.decided_by is None
    assert waiting.status_changes.count() == 2


@pytest.mark.parametrize("persona", ["auditor", "admin", "caseworker", "other_caseworker"])
def test_only_a_supervisor_reverses(personas, issued, persona):
    with pytest.raises(ValidationError, match="Only a supervisor"):
        issuance_reverse(acting_user=personas[persona], issuance=issued, reason="Wrong account")
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED
    assert LedgerEntry.objects.filter(transaction__issuance=issued).count() == 2


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_auditors_and_admins_cannot_issue_or_cancel(personas, caseworker, supervisor, waiting, persona):
    issuance_approve(acting_user=supervisor, issuance=waiting)
    with pytest.raises(ValidationError, match="Only caseworkers and supervisors issue"):
        issuance_issue(acting_user=personas[persona], issuance=waiting)
    with pytest.raises(ValidationError, match="Only the requester or a supervisor"):
        issuance_cancel(acting_user=personas[persona], issuance=waiting, reason="Tidying up")
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert issuance_issue(acting_user=caseworker, issuance=waiting).status == Status.ISSUED


def test_the_requester_cancels_their_own_waiting_request(caseworker, waiting):
    issuance_cancel(acting_user=caseworker, issuance=waiting, reason="The client found other help")
    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert waiting.status_changes.last().changed_by == caseworker


@pytest.mark.parametrize("who", ["teammate", "other_caseworker"])
def test_another_caseworker_cannot_cancel_a_request(personas, caseworker, waiting, who):
    user = personas.get(who) or UserFactory(
        username="teammate", office=caseworker.office, team=caseworker.team, roles=["caseworker"]
    )
    with pytest.raises(ValidationError, match="Only the requester or a supervisor can cancel"):
        issuance_cancel(acting_user=user, issuance=waiting, reason="Not needed")
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_a_supervisor_cancels_a_caseworkers_request(supervisor, waiting):
    issuance_cancel(acting_user=supervisor, issuance=waiting, reason="Duplicate of another request")
    waiting.refresh_from_db()
    assert waiting.status == Status.CANCELLED


def test_an_issued_payment_cannot_be_cancelled_only_reversed(caseworker, issued):
    moves = issued.status_changes.count()
    with pytest.raises(ValidationError, match="A request that is issued cannot become cancelled"):
        issuance_cancel(acting_user=caseworker, issuance=issued, reason="Changed my mind")
    issued.refresh_from_db()
    assert (issued.status, issued.status_changes.count()) == (Issuance.Status.ISSUED, moves)


# The case and the client


def test_a_request_for_someone_outside_the_case_is_refused(caseworker):
    _client, case = client_case(caseworker)
    stranger = ClientFactory(office=caseworker.office)
    with pytest.raises(ValidationError) as error:
        request(caseworker, case, client=stranger, amount="50.00")
    assert error.value.message_dict["client"] == ["The client must be a member of this case's household."]
    nothing_saved()


def test_a_request_on_a_closed_case_is_refused_and_nothing_is_saved(caseworker):
    _client, case = client_case(caseworker)
    close(case, caseworker)
    with pytest.raises(ValidationError) as error:
        request(caseworker, case, amount="50.00")
    assert error.value.message_dict["case"] == [f"Case {case.number} is closed: reopen it to issue assistance."]
    nothing_saved()


def test_an_approved_request_cannot_be_issued_once_the_case_closed(caseworker, supervisor, waiting):
    issuance_approve(acting_user=supervisor, issuance=waiting)
    case = waiting.case
    close(case, caseworker)
    with pytest.raises(ValidationError, match=f"Case {case.number} is closed; reopen it to issue"):
        issuance_issue(acting_user=caseworker, issuance=waiting)
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert not LedgerEntry.objects.exists()

    case_transition(acting_user=caseworker, case=case, to=Case.Status.OPEN, reason="Back in the county")
    assert issuance_issue(acting_user=caseworker, issuance=waiting).status == Status.ISSUED


def test_a_retry_of_a_request_made_before_the_case_closed_gives_back_its_result(caseworker):
    _client, case = client_case(caseworker)
    first = request(caseworker, case, amount="75.00", key="before-closing")
    close(case, caseworker)
    again = request(caseworker, case, amount="75.00", key="before-closing")
    assert again.pk == first.pk and again.status == Status.ISSUED
    assert Issuance.objects.count() == 1
