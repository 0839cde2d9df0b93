"""Administrators keep programs and rule parameters in the Django admin: every change is in the
trail with its reason, and a value a decided determination used is superseded, never rewritten."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from eligibility.models import ParameterValue, Program
from eligibility.services import determination_finalise, determination_replay, determination_run
from eligibility.tests.helpers import FY2026, snap_enrollment

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def decided(caseworker):
    determination = determination_run(acting_user=caseworker, enrollment=snap_enrollment(caseworker), as_of=FY2026)
    return determination_finalise(acting_user=caseworker, determination=determination, decision="approve")


def asset_limit(effective_from: str) -> ParameterValue:
    return ParameterValue.objects.get(program__code="snap", name="snap.asset_limit", effective_from=effective_from)


def form_data(parameter: ParameterValue, **changes) -> dict:
    data = {
        "program": parameter.program_id,
        "name": parameter.name,
        "effective_from": parameter.effective_from.isoformat(),
        "value": '"3000"',
        "source_title": parameter.source_title,
        "source_url": parameter.source_url,
        "note": parameter.note,
        "reason": "Corrected from the published memo",
    }
    return {**data, **changes}


def test_the_admin_sees_the_eligibility_section_and_its_pages(client, admin_user):
    client.force_login(admin_user)
    snap = Program.objects.get(code="snap")
    parameter = asset_limit("2025-10-01")
    index = client.get(reverse("admin:index"))
    assert reverse("admin:eligibility_program_changelist") in index.content.decode()
    for url in (
        reverse("admin:eligibility_program_changelist"),
        reverse("admin:eligibility_program_change", args=[snap.pk]),
        reverse("admin:eligibility_parametervalue_changelist"),
        reverse("admin:eligibility_parametervalue_change", args=[parameter.pk]),
        reverse("admin:eligibility_parametervalue_add"),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["caseworker", "supervisor", "auditor"])
def test_other_roles_do_not_get_into_the_eligibility_admin(client, personas, persona):
    client.force_login(personas[persona])
    for url in (
        reverse("admin:eligibility_program_changelist"),
        reverse("admin:eligibility_parametervalue_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_a_value_a_decided_determination_used_is_read_only(client, admin_user, decided):
    used = asset_limit("2025-10-01")
    assert decided.parameters_used["snap.asset_limit"]["effective_from"] == "2025-10-01"
    client.force_login(admin_user)
    url = reverse("admin:eligibility_parametervalue_change", args=[used.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert b'name="value"' not in page.content
    assert b"add a new version with a later effective date" in page.content
    new_version = (
        reverse("admin:eligibility_parametervalue_add") + f"?program={used.program_id}&amp;name=snap.asset_limit"
    )
    assert new_version in page.content.decode()

    response = client.post(url, form_data(used, value='"9999"'))
    assert response.status_code == 403
    used.refresh_from_db()
    assert used.value == "3000"
    assert not AuditEvent.objects.filter(object_type="eligibility.parametervalue").exists()


def test_a_new_version_supersedes_a_used_value_and_the_decision_still_replays(client, admin_user, decided):
    used = asset_limit("2025-10-01")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:eligibility_parametervalue_add"),
        form_data(used, effective_from="2025-12-01", value='"3250"', reason="New resource limit from December"),
    )
    assert response.status_code == 302
    new = asset_limit("2025-12-01")
    assert new.value == "3250"
    event = AuditEvent.objects.get(object_type="eligibility.parametervalue", object_id=str(new.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert event.changes["value"] == [None, "3250"]
    assert event.reason == "New resource limit from December"

    replay = determination_replay(determination=decided)
    assert replay.matches
    assert replay.replayed.monthly_amount == decided.monthly_amount


def test_editing_an_unused_value_is_audited_with_old_new_who_and_why(client, admin_user):
    unused = asset_limit("2024-10-01")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:eligibility_parametervalue_change", args=[unused.pk]),
        form_data(unused, value='"2750"', reason="Typo: the FY2025 memo says 2750"),
    )
    assert response.status_code == 302
    unused.refresh_from_db()
    assert unused.value == "2750"
    event = AuditEvent.objects.get(object_type="eligibility.parametervalue", object_id=str(unused.pk))
    assert event.action == AuditEvent.Action.UPDATE
    assert event.actor == admin_user
    assert event.changes == {"value": ["3000", "2750"]}
    assert event.reason == "Typo: the FY2025 memo says 2750"


def test_a_change_without_a_reason_is_refused_on_the_field(client, admin_user):
    unused = asset_limit("2024-10-01")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:eligibility_parametervalue_change", args=[unused.pk]), form_data(unused, reason="")
    )
    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    assert not AuditEvent.objects.filter(object_type="eligibility.parametervalue").exists()


def test_an_amount_written_as_a_number_is_refused_on_the_field(client, admin_user):
    unused = asset_limit("2024-10-01")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:eligibility_parametervalue_change", args=[unused.pk]), form_data(unused, value="2750.5")
    )
    assert response.status_code == 200
    assert "write amounts as strings" in str(response.context["adminform"].form.errors["value"])
    unused.refresh_from_db()
    assert unused.value == "3000"
