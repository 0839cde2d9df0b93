"""Who may work (act on) a case: `casework.services.cases.case_for_work`, the one place every app
asks before it acts on a case for someone (`accounts.access.case_work_scope`).

Personas (conftest.py): `caseworker` and `supervisor` (North office, same team),
`other_caseworker` (South office), `admin_user`.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import access
from appeals import services as appeal_services
from appeals.models import Appeal
from assistance.models import Issuance
from assistance.tests.helpers import income_support, request
from casework.models import Case
from casework.services.cases import case_for_work
from clients.services import break_glass_open
from community import services as community_services
from community.models import ProjectParticipant
from employment import services as employment_services
from employment.models import JobReferral
from health_coverage import services as coverage_services
from health_coverage.models import SpecialAuthorization
from referrals.models import Organization
from tests.factories import ClientFactory, case_for

NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def case(caseworker) -> Case:
    return case_for(ClientFactory(office=caseworker.office), caseworker)


@pytest.mark.parametrize("persona", ["caseworker", "supervisor"])
def test_the_worker_and_their_supervisor_get_the_case_back(personas, case, persona):
    with transaction.atomic():
        assert case_for_work(user=personas[persona], case=case, lock=True) == case
    assert case_for_work(user=personas[persona], case=case).number == case.number


def test_a_caseworker_of_another_office_may_not_work_the_case(other_caseworker, case):
    with pytest.raises(PermissionDenied, match="You may not work this case"):
        case_for_work(user=other_caseworker, case=case)
    with pytest.raises(PermissionDenied, match="You may not record an appeal on this case"):
        case_for_work(user=other_caseworker, case=case, refusal="You may not record an appeal on this case.")


def test_an_administrator_who_broke_the_glass_reads_the_case_but_may_not_work_it(admin_user, case):
    break_glass_open(acting_user=admin_user, client=case.primary_client, reason="Court order 2026-114, file review")
    assert Case.objects.filter(access.case_scope(admin_user), pk=case.pk).exists()
    with pytest.raises(PermissionDenied, match="You may not work this case"):
        case_for_work(user=admin_user, case=case)


# Every app that acts on a case refuses a caseworker of another office through the one rule.


def _employment(worker, case):
    employer = employment_services.employer_create(acting_user=worker, name="Harbour Grocers")
    opening = employment_services.opening_create(
        acting_user=worker,
        employer=employer,
        title="Cashier",
        hourly_wage=Decimal("16.50"),
        weekly_hours=Decimal("30"),
        location="Water Street",
        closes_on=date(2026, 3, 31),
        skills="Cash handling",
    )
    employment_services.job_referral_create(acting_user=worker, opening=opening, case=case, client=case.primary_client)


def _community(worker, case):
    project = community_services.project_propose(
        acting_user=worker,
        sponsor=Organization.objects.create(name="Bay Roberts Heritage Society"),
        program=income_support(),
        title="Trail restoration",
        proposal="Restore the coastal trail.",
        project_budget=Decimal("40000.00"),
        participants_planned=4,
        funding_per_participant=Decimal("2500.00"),
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 9, 30),
    )
    community_services.project_recommend(acting_user=worker, project=project, recommendation="A good sponsor.")
    # The project is their own office's, approved by its supervisor: only the case is not theirs.
    community_services.project_approve(acting_user=worker.team.supervisor, project=project)
    community_services.participant_add(
        acting_user=worker, project=project, case=case, client=case.primary_client, joined_on=date(2026, 4, 1)
    )


def _appeals(worker, case):
    appeal_services.appeal_request(
        acting_user=worker, case=case, received_via=Appeal.Received.PHONE, requested_on=date(2026, 3, 10)
    )


def _assistance(worker, case):
    request(worker, case, amount="50.00")


def _health_coverage(worker, case):
    coverage_services.special_authorization_receive(
        acting_user=worker,
        case=case,
        client=case.primary_client,
        received_on=date(2026, 2, 20),
        drug="Adalimumab 40 mg pen",
        prescriber="Dr. M. Kelly, rheumatology",
        criteria_claimed="Moderate to severe rheumatoid arthritis after two DMARDs failed",
    )


@pytest.mark.parametrize(
    ("act", "refusal", "made"),
    [
        (_employment, (PermissionDenied, "You may not work this case."), JobReferral),
        (_community, (PermissionDenied, "You may not work this case."), ProjectParticipant),
        (_appeals, (PermissionDenied, "You may not record an appeal on this case."), Appeal),
        (_assistance, (PermissionDenied, "You may not work this case."), Issuance),
        # Health coverage shows the refusal on the form that asked.
        (_health_coverage, (ValidationError, "You may not work on this case."), SpecialAuthorization),
    ],
    ids=["employment", "community", "appeals", "assistance", "health_coverage"],
)
def test_each_app_refuses_a_caseworker_of_another_office_through_the_one_rule(
    monkeypatch, caseworker, other_caseworker, case, act, refusal, made
):
    asked = []
    rule = access.case_work_scope

    def asking(user, **kwargs):
        asked.append(user)
        return rule(user, **kwargs)

    monkeypatch.setattr(access, "case_work_scope", asking)
    error, message = refusal
    with pytest.raises(error, match=re.escape(message)):
        act(other_caseworker, case)
    assert other_caseworker in asked
    assert not made.objects.filter(case=case).exists()
