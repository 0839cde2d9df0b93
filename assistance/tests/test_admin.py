"""Admins set authority limits and budgets in the Django admin; every change is in the trail."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from assistance.models import AuthorityLimit, Budget
from audit.models import AuditEvent
from eligibility.models import Program

# One frozen moment (10:00 in Chicago on 12 March 2026) so "today" and the budget year never move under a test.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def test_an_admin_adds_a_new_limit_version_and_it_is_audited(client, admin_user):
    client.force_login(admin_user)
    tomorrow = TODAY + timedelta(days=1)
    response = client.post(
        reverse("admin:assistance_authoritylimit_add"),
        {
            "role": "caseworker",
            "kind": "emergency",
            "effective_from": tomorrow.isoformat(),
            "per_issuance": "1200.00",
            "note": "Council decision 2026-14",
        },
    )
    assert response.status_code == 302
    limit = AuthorityLimit.objects.get(role="caseworker", kind="emergency", effective_from=tomorrow)
    event = AuditEvent.objects.get(object_type__icontains="authoritylimit", object_id=str(limit.pk))
    assert event.changes["per_issuance"] == [None, "1200.00"]


def test_a_limit_in_force_cannot_be_rewritten(client, admin_user):
    client.force_login(admin_user)
    shipped = AuthorityLimit.objects.get(role="caseworker", kind="emergency")
    response = client.get(reverse("admin:assistance_authoritylimit_change", args=[shipped.pk]))
    assert response.status_code == 200
    assert b'name="per_issuance"' not in response.content  # shown read-only


def test_a_caseworker_cannot_open_the_admin_pages(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("admin:assistance_budget_changelist"))
    assert response.status_code == 302  # to the admin sign-in


def test_an_admin_sets_a_budget(client, admin_user):
    client.force_login(admin_user)
    program = Program.objects.get(code="income_support")
    response = client.post(
        reverse("admin:assistance_budget_add"),
        {
            "program": program.pk,
            "fiscal_year": "2026-27",
            "starts_on": "2026-04-01",
            "ends_on": "2027-03-31",
            "amount": "2500000.00",
            "warn_at_percent": "90",
        },
    )
    assert response.status_code == 302
    assert Budget.objects.get(program=program).amount == 2500000


@pytest.mark.parametrize(("typed", "saved"), [("2,500,000.00", "2500000.00"), ("7,5", None), ("1e-2", None)])
def test_a_budget_amount_is_read_as_money(client, admin_user, typed, saved):
    client.force_login(admin_user)
    program = Program.objects.get(code="income_support")
    response = client.post(
        reverse("admin:assistance_budget_add"),
        {
            "program": program.pk,
            "fiscal_year": "2026-27",
            "starts_on": "2026-04-01",
            "ends_on": "2027-03-31",
            "amount": typed,
            "warn_at_percent": "90",
        },
    )
    if saved:
        assert response.status_code == 302 and str(Budget.objects.get().amount) == saved
    else:
        assert "Enter an amount like 1,450.00." in response.content.decode()
        assert not Budget.objects.exists()


def test_a_budget_against_its_constraints_is_refused_in_plain_words(client, admin_user):
    client.force_login(admin_user)
    program = Program.objects.get(code="income_support")
    response = client.post(
        reverse("admin:assistance_budget_add"),
        {
            "program": program.pk,
            "fiscal_year": "2026-27",
            "starts_on": "2026-04-01",
            "ends_on": "2026-03-31",
            "amount": "100.00",
            "warn_at_percent": "90",
        },
    )
    page = response.content.decode()
    assert "The budget must end after it starts." in page
    assert "Constraint" not in page and "budget_ends_after_start" not in page
    assert not Budget.objects.exists()
