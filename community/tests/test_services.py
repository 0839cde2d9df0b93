"""The main paths of community services, through the real services."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Office
from assistance.models import Account, AuthorityLimit, Budget, Issuance, LedgerEntry
from assistance.services import budget_totals, issuance_approve, issuance_issue
from assistance.tests.helpers import enrol, income_support
from community import services
from community.models import SponsorProject, VolunteerReference
from referrals.models import Organization
from tests.documents import pdf_bytes
from tests.factories import ClientFactory, UserFactory, case_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(supervisor, north: Office):
    return UserFactory(username="manager", office=north, roles=["supervisor"])


def _project(worker) -> SponsorProject:
    return services.project_propose(
        acting_user=worker,
        sponsor=Organization.objects.create(name="Bay Roberts Heritage Society"),
        program=income_support(),
        title="Trail restoration",
        proposal="Restore the coastal trail; participants gain trades experience.",
        project_budget=Decimal("40000.00"),
        participants_planned=4,
        funding_per_participant=Decimal("2500.00"),
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )


def test_a_sponsor_project_recommended_approved_by_a_manager_funded_and_paid_through_the_ledger(
    caseworker, supervisor, manager
):
    budget = Budget.objects.create(
        program=income_support(),
        fiscal_year="2026-27",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        amount=Decimal("100000.00"),
    )
    for user, limit in ((caseworker, "1000.00"), (manager, "10000.00")):
        AuthorityLimit.objects.create(
            user=user, kind=Issuance.Kind.ONE_OFF, effective_from=date(2026, 1, 1), per_issuance=Decimal(limit)
        )
    project = _project(caseworker)
    services.project_recommend(acting_user=caseworker, project=project, recommendation="A good sponsor, on budget.")

    # A supervisor who recommended it cannot approve it either: the recommender never decides.
    supervisor_project = _project(supervisor)
    services.project_recommend(acting_user=supervisor, project=supervisor_project, recommendation="Mine.")
    with pytest.raises(ValidationError, match="Nobody approves their own recommendation"):
        services.project_approve(acting_user=supervisor, project=supervisor_project)
    with pytest.raises(ValidationError, match="Only a supervisor or manager"):
        services.project_approve(acting_user=caseworker, project=project)

    services.project_approve(acting_user=manager, project=project, reason="Fits the program.")
    project.refresh_from_db()
    assert (project.status, project.decided_by) == (SponsorProject.Status.APPROVED, manager)

    services.project_agreement_sign(
        acting_user=manager,
        project=project,
        agreement=SimpleUploadedFile("agreement.pdf", pdf_bytes(), content_type="application/pdf"),
        signed_on=date(2026, 3, 11),
    )
    project.refresh_from_db()
    assert project.status == SponsorProject.Status.ACTIVE and project.agreement.name

    client = ClientFactory(office=caseworker.office)
    case = case_for(client, caseworker)
    enrol(case, income_support())
    participant = services.participant_add(
        acting_user=caseworker, project=project, case=case, client=client, joined_on=date(2026, 4, 1)
    )
    share = participant.issuance
    # Past the worker's authority, the share waits for a supervisor.
    assert share.status == Issuance.Status.PENDING and share.payee_name == "Bay Roberts Heritage Society"

    issuance_approve(acting_user=manager, issuance=share)
    assert budget_totals(budget) == (Decimal("0.00"), Decimal("2500.00"))  # committed

    issuance_issue(acting_user=caseworker, issuance=share)
    assert budget_totals(budget) == (Decimal("2500.00"), Decimal("0.00"))  # paid
    entries = LedgerEntry.objects.filter(transaction__issuance=share)
    assert sorted((e.account, e.amount) for e in entries) == [
        (Account.ISSUED, Decimal("2500.00")),
        (Account.PAYMENTS, Decimal("-2500.00")),
    ]


def test_a_volunteer_is_scheduled_only_after_screening_is_complete(caseworker):
    volunteer = services.volunteer_recruit(acting_user=caseworker, name="Ada Byrne", recruited_on=date(2026, 3, 1))
    shift = {
        "acting_user": caseworker,
        "assignment": "Food bank intake",
        "starts_at": datetime(2026, 3, 20, 13, tzinfo=UTC),
        "ends_at": datetime(2026, 3, 20, 17, tzinfo=UTC),
    }

    with pytest.raises(ValidationError, match="background check not started; 0 of 2 references checked; training"):
        services.volunteer_shift_assign(volunteer=volunteer, **shift)

    services.volunteer_screening_record(
        acting_user=caseworker, volunteer=volunteer, background_check="cleared", checked_on=date(2026, 3, 5)
    )
    for name in ("Ruth", "Sam"):
        services.volunteer_reference_record(
            acting_user=caseworker,
            volunteer=volunteer,
            name=name,
            outcome=VolunteerReference.Outcome.GOOD,
            checked_on=date(2026, 3, 6),
        )
    with pytest.raises(ValidationError, match="training not completed"):
        services.volunteer_shift_assign(volunteer=volunteer, **shift)

    services.volunteer_screening_record(
        acting_user=caseworker, volunteer=volunteer, training_completed_on=date(2026, 3, 10)
    )
    assigned = services.volunteer_shift_assign(volunteer=volunteer, **shift)
    assert assigned.volunteer == volunteer


def test_a_reference_with_a_concern_keeps_a_volunteer_off_the_schedule(caseworker):
    volunteer = services.volunteer_recruit(acting_user=caseworker, name="Bo", recruited_on=date(2026, 3, 1))
    services.volunteer_screening_record(
        acting_user=caseworker,
        volunteer=volunteer,
        background_check="cleared",
        checked_on=date(2026, 3, 5),
        training_completed_on=date(2026, 3, 6),
    )
    for outcome in ("good", "good", "concern"):
        services.volunteer_reference_record(
            acting_user=caseworker, volunteer=volunteer, name="R", outcome=outcome, checked_on=date(2026, 3, 6)
        )
    with pytest.raises(ValidationError, match="a reference raised a concern"):
        services.volunteer_shift_assign(
            acting_user=caseworker,
            volunteer=volunteer,
            assignment="Fair",
            starts_at=datetime(2026, 3, 20, 13, tzinfo=UTC),
            ends_at=datetime(2026, 3, 20, 17, tzinfo=UTC),
        )
