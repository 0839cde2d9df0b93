"""Each determination records the version of the rules code it ran on; its page says whether replay used the same."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from eligibility import rules
from eligibility.models import Determination
from eligibility.services import determination_replay, determination_run
from eligibility.tests.helpers import FY2026, snap_enrollment
from eligibility.tests.test_reviews import RUN_NIGHT, active_enrollment
from tests.factories import IncomeFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime(2025, 10, 6, 14, 0, tzinfo=UTC)


@pytest.fixture
def determination(caseworker):
    with time_machine.travel(MOMENT, tick=False):
        return determination_run(acting_user=caseworker, enrollment=snap_enrollment(caseworker), as_of=FY2026)


def page(client, user, determination) -> str:
    client.force_login(user)
    with time_machine.travel(MOMENT, tick=False):
        response = client.get(reverse("eligibility:determination_detail", args=[determination.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_determination_records_the_rules_version_it_ran_on(determination):
    assert Determination.objects.get(pk=determination.pk).rule_version == rules.snap.RULE_VERSION


def test_the_page_says_the_replay_used_the_same_rules(client, caseworker, determination):
    html = page(client, caseworker, determination)
    assert "same result" in html
    assert f"Replayed with the same rules (version {rules.snap.RULE_VERSION})." in html


def test_the_page_says_the_rules_changed_when_the_code_has_a_newer_version(
    client, caseworker, determination, monkeypatch
):
    then = rules.snap.RULE_VERSION
    monkeypatch.setattr(rules.snap, "RULE_VERSION", then + 1)
    html = page(client, caseworker, determination)
    assert f"The rules have changed since: version {then} then, {then + 1} now." in html
    assert "Replayed with the same rules" not in html
    replay = determination_replay(determination=determination)
    assert replay.same_rules is False and replay.matches


def test_a_determination_from_before_versions_were_kept_says_so(client, caseworker, determination):
    Determination.objects.filter(pk=determination.pk).update(rule_version=None)
    html = page(client, caseworker, determination)
    assert "The rules version this determination used was not recorded" in html
    assert determination_replay(determination=Determination.objects.get(pk=determination.pk)).same_rules is None


def test_a_different_result_under_the_same_version_is_flagged(client, caseworker, determination):
    # A stored result that today's code, at the same version, does not give back.
    outcome = {**determination.outcome, "monthly_amount": "150.00"}
    Determination.objects.filter(pk=determination.pk).update(outcome=outcome)
    html = page(client, caseworker, determination)
    assert "Replaying gives a different result ($144.00), although the rules version is the same" in html


def test_the_nightly_redetermination_records_the_rules_version_too(caseworker, monkeypatch):
    enrollment = active_enrollment(caseworker)
    IncomeFactory(client=enrollment.case.primary_client, kind="earned", amount="300", start_date=RUN_NIGHT)
    monkeypatch.setattr(rules.snap, "RULE_VERSION", rules.snap.RULE_VERSION + 1)
    with time_machine.travel(datetime(2026, 3, 6, 2, 0, tzinfo=UTC), tick=False):
        call_command("eligibility_redetermine", date=RUN_NIGHT.isoformat())
    redetermined = enrollment.determinations.get(is_redetermination=True)
    assert redetermined.rule_version == rules.snap.RULE_VERSION
    assert (
        enrollment.determinations.exclude(pk=redetermined.pk).filter(rule_version=rules.snap.RULE_VERSION).count() == 0
    )
