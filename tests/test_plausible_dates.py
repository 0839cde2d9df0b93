"""Every date a person types is refused when it cannot be right: 1850, 2150, 0001-01-01, 9999-12-31.

Each form's field alone (the rest of the form may have its own errors), then one page end to end.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from assistance.forms.overpayments import AgreementForm, RepaymentForm
from audit.forms import AuditFilterForm
from casework.forms.attendance import ScheduledActivityEndForm, ScheduledActivityForm
from casework.forms.inquiries import InquiryForm, InquiryStatisticsForm
from casework.forms.notes import NoteForm
from casework.forms.plans import PlanAgreeForm, PlanForm, StepForm
from casework.forms.tasks import TaskForm
from casework.models import WorkActivity
from clients.forms import (
    AssetForm,
    ClientForm,
    ClientSearchForm,
    ConsentForm,
    ConsentRevokeForm,
    DocumentForm,
    ExpenseForm,
    IncomeForm,
    MemberIntakeForm,
    MembershipEndForm,
)
from clients.models import Client, Income
from core.dates import DateKind, plausible_date_error
from eligibility.forms import ApplyForm, RunForm
from tests.factories import ClientFactory, case_for

TODAY = date(2026, 11, 16)
IMPLAUSIBLE = ["1850-06-01", "2150-06-01", "0001-01-01", "9999-12-31"]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime(2026, 11, 16, 12, 0, tzinfo=UTC), tick=False):
        yield


FORMS = [
    (ClientForm, "date_of_birth"),
    (ClientSearchForm, "dob"),
    (MemberIntakeForm, "date_of_birth"),
    (IncomeForm, "start_date"),
    (IncomeForm, "end_date"),
    (ExpenseForm, "start_date"),
    (ExpenseForm, "end_date"),
    (AssetForm, "as_of"),
    (AssetForm, "disposed_on"),
    (DocumentForm, "expires_on"),
    (ConsentForm, "granted_on"),
    (ConsentForm, "expires_on"),
    (ConsentRevokeForm, "revoked_on"),
    (MembershipEndForm, "end_date"),
    (PlanForm, "review_on"),
    (StepForm, "target_on"),
    (PlanAgreeForm, "agreed_on"),
    (ScheduledActivityEndForm, "ends_on"),
    (InquiryStatisticsForm, "start"),
    (RunForm, "as_of"),
    (ApplyForm, "application_date"),
    (AuditFilterForm, "since"),
    (AgreementForm, "first_due_on"),
    (RepaymentForm, "received_on"),
    (TaskForm, "due_on"),
    (ScheduledActivityForm, "starts_on"),
    (NoteForm, "contact_at"),
    (InquiryForm, "received_at"),
]

# The choices some forms are built with; empty will do, only the date is under test.
NEEDS = {
    TaskForm: {"assignees": User.objects.none()},
    ScheduledActivityForm: {"clients": Client.objects.none(), "work_activities": WorkActivity.objects.none()},
    InquiryForm: {"handlers": User.objects.none()},
}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", IMPLAUSIBLE)
@pytest.mark.parametrize(("form_class", "field"), FORMS, ids=[f"{f.__name__}.{n}" for f, n in FORMS])
def test_an_implausible_date_is_refused_beside_its_field(form_class, field, typed):
    form = form_class(data={field: typed}, **NEEDS.get(form_class, {}))
    form.is_valid()
    assert field in form.errors, f"{form_class.__name__}.{field} took {typed}"
    assert "Enter" in form.errors[field][0] or "before" in form.errors[field][0]


@pytest.mark.parametrize(
    ("kind", "day", "plausible"),
    [
        (DateKind.BIRTH, date(1900, 1, 1), True),
        (DateKind.BIRTH, date(1899, 12, 31), False),
        (DateKind.BIRTH, TODAY, True),
        (DateKind.BIRTH, date(2026, 11, 17), False),
        (DateKind.EVENT, TODAY, True),
        (DateKind.EVENT, date(2026, 11, 17), False),
        (DateKind.PLANNED, date(2025, 11, 16), True),
        (DateKind.PLANNED, date(2025, 11, 15), False),
        (DateKind.PLANNED, date(2031, 11, 16), True),
        (DateKind.PLANNED, date(2031, 11, 17), False),
        (DateKind.EXPIRY, date(2046, 11, 16), True),
        (DateKind.EXPIRY, date(2046, 11, 17), False),
    ],
)
def test_each_kind_of_date_has_its_range(kind, day, plausible):
    assert (plausible_date_error(day, kind) is None) is plausible


def test_an_event_before_the_client_was_born_is_refused():
    assert "before the client's date of birth" in plausible_date_error(
        date(1979, 1, 1), DateKind.EVENT, born=date(1980, 5, 1)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [*IMPLAUSIBLE, "1979-12-31"])
def test_an_income_starting_at_an_implausible_date_is_not_saved(client, caseworker, typed):
    person = ClientFactory(office=caseworker.office, date_of_birth=date(1980, 5, 1))
    case_for(person, caseworker)
    client.force_login(caseworker)
    response = client.post(
        reverse("clients:finance_add", args=[person.pk, "income"]),
        {
            "kind": "earned",
            "amount": "100.00",
            "frequency": "monthly",
            "verification": "unverified",
            "start_date": typed,
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["start_date"]
    assert not Income.objects.exists()
