"""A person's facts as a caseworker records them on the client's page change what SNAP pays.

The household: one person of 40, living on Social Security disability of $1,800 a month, with
rent of $1,700, $100 of medical costs and $4,000 in the bank; October 2025 (FY2026 figures:
gross limit $1,696, net limit $1,305, maximum allotment $298, standard deduction $209, shelter
cap $744, resource limits $3,000 and $4,500, homeless shelter deduction $198.99).
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from clients.models import Asset, Expense, PersonFact
from clients.services import MemberInput, household_register
from eligibility.models import Determination, Program
from eligibility.rules import HouseholdSnapshot
from eligibility.services import determination_finalise, determination_run, enrollment_apply
from eligibility.services.determinations import determination_replay
from eligibility.services.snapshots import snapshot_build, snapshots_build_many
from tests.factories import ClientFactory, IncomeFactory, case_for

pytestmark = pytest.mark.django_db

APPLIED = date(2025, 8, 1)
OCTOBER = "2025-10-01"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2025-10-15 15:00:00+00:00", tick=False):
        yield


def _enrollment(worker, client):
    case = case_for(client, worker)
    return enrollment_apply(
        acting_user=worker, case=case, program=Program.objects.get(code="snap"), application_date=APPLIED
    )


def _run(browser, enrollment, as_of: str = OCTOBER) -> Determination:
    response = browser.post(reverse("eligibility:determination_run", args=[enrollment.pk]), {"as_of": as_of})
    determination = enrollment.determinations.order_by("-id").first()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("eligibility:determination_detail", args=[determination.pk])
    return determination


def _criteria(determination: Determination) -> dict[str, dict]:
    return {c["name"]: c for c in determination.outcome["criteria"]}


@pytest.fixture
def disabled_household(caseworker):
    client = ClientFactory(office=caseworker.office, date_of_birth=date(1985, 5, 5), last_name="Okafor")
    IncomeFactory(client=client, kind="benefits", amount=Decimal("1800"), start_date=date(2025, 1, 1))
    Expense.objects.create(client=client, kind="rent", amount=Decimal("1700"), start_date=date(2025, 1, 1))
    Expense.objects.create(client=client, kind="medical", amount=Decimal("100"), start_date=date(2025, 1, 1))
    Asset.objects.create(client=client, kind="bank_account", value=Decimal("4000"), as_of=date(2025, 9, 1))
    return client


def test_a_disability_recorded_on_the_client_page_makes_the_household_eligible(client, caseworker, disabled_household):
    person = disabled_household
    enrollment = _enrollment(caseworker, person)
    client.force_login(caseworker)

    before = _run(client, enrollment)
    assert not before.eligible
    assert not _criteria(before)["Gross monthly income"]["passed"]  # $1,800 over the $1,696 limit
    assert not _criteria(before)["Resources"]["passed"]  # $4,000 over $3,000

    response = client.post(
        reverse("clients:fact_add", args=[person.pk]),
        {"kind": "disability", "basis": "social_security", "start_date": "2024-03-01", "verification": "verified"},
    )
    assert response.status_code == 302
    page = client.get(reverse("clients:detail", args=[person.pk])).content.decode()
    assert "Receives Social Security disability or blindness payments (SSDI)" in page
    assert "2024-03-01" in page

    after = _run(client, enrollment)
    criteria = _criteria(after)
    assert after.snapshot["members"][0]["disabled"] is True
    # No gross test; $100 medical less $35 = $65; adjusted $1,800 - $209 - $65 = $1,526; shelter
    # $1,700 - $763 = $937, above the $744 cap and deducted in full; net $589; 30% = $176.70 -> $177.
    assert criteria["Gross monthly income"]["passed"] and criteria["Gross monthly income"]["limit"] is None
    assert criteria["Medical deduction"]["figure"] == "65.00"
    assert criteria["Excess shelter deduction"]["figure"] == "937.00"
    assert criteria["Net monthly income"]["figure"] == "589"
    assert criteria["Resources"]["passed"] and criteria["Resources"]["limit"] == "4500"
    assert after.eligible and after.monthly_amount == Decimal("121.00")

    html = client.get(reverse("eligibility:determination_detail", args=[after.pk])).content.decode()
    assert "$121.00" in html and "no cap" in html


def test_a_disability_that_ended_before_the_month_no_longer_counts(client, caseworker, disabled_household):
    person = disabled_household
    enrollment = _enrollment(caseworker, person)
    fact = PersonFact.objects.create(
        client=person, kind="disability", basis="ssi", start_date=date(2024, 1, 1), recorded_by=caseworker
    )
    client.force_login(caseworker)
    response = client.post(reverse("clients:fact_end", args=[fact.pk]), {"end_date": "2025-09-30"})
    assert response.status_code == 302

    determination = _run(client, enrollment)

    assert determination.snapshot["members"][0]["disabled"] is False
    assert not determination.eligible


@pytest.fixture
def homeless_person(caseworker):
    person = ClientFactory(office=caseworker.office, date_of_birth=date(1990, 2, 2), last_name="Reyes")
    IncomeFactory(client=person, kind="benefits", amount=Decimal("900"), start_date=date(2025, 1, 1))
    return person


def test_homelessness_gives_the_homeless_shelter_deduction_until_shelter_is_free(client, caseworker, homeless_person):
    enrollment = _enrollment(caseworker, homeless_person)
    client.force_login(caseworker)
    add = reverse("clients:fact_add", args=[homeless_person.pk])
    response = client.post(add, {"kind": "homelessness", "pays_for_shelter": "yes", "start_date": "2025-07-01"})
    assert response.status_code == 302

    paying = _run(client, enrollment)
    # $900 - $209 = $691; less $198.99 = $492.01 -> $492; 30% = $147.60 -> $148; $298 - $148 = $150.
    assert paying.snapshot["homeless"] is True and paying.snapshot["receives_free_shelter"] is False
    assert _criteria(paying)["Homeless shelter deduction"]["figure"] == "198.99"
    assert paying.monthly_amount == Decimal("150.00")

    # From October the shelter is free: a new fact, which ends the old one the day before.
    response = client.post(add, {"kind": "homelessness", "pays_for_shelter": "no", "start_date": "2025-10-01"})
    assert response.status_code == 302
    facts = list(PersonFact.objects.filter(client=homeless_person).order_by("start_date"))
    assert [(f.start_date, f.end_date, f.pays_for_shelter) for f in facts] == [
        (date(2025, 7, 1), date(2025, 9, 30), True),
        (date(2025, 10, 1), None, False),
    ]

    free = _run(client, enrollment)
    # No shelter deduction: $691 net; 30% = $207.30 -> $208; $298 - $208 = $90.
    assert free.snapshot["receives_free_shelter"] is True
    assert "Homeless shelter deduction" not in _criteria(free)
    assert free.monthly_amount == Decimal("90.00")


def test_an_ineligible_student_is_left_out_with_their_income(client, caseworker, homeless_person):
    """A 22-year-old student enrolled half time, with no exemption, lives with the person above."""

    student = ClientFactory(office=caseworker.office, date_of_birth=date(2003, 4, 4), last_name="Reyes")
    IncomeFactory(client=student, kind="earned", amount=Decimal("1500"), start_date=date(2025, 1, 1))
    household_register(
        acting_user=caseworker,
        office=caseworker.office,
        members=[MemberInput(relationship="head", existing=homeless_person), MemberInput("child", existing=student)],
        start_date=date(2025, 1, 1),
    )
    enrollment = _enrollment(caseworker, homeless_person)
    client.force_login(caseworker)
    response = client.post(
        reverse("clients:fact_add", args=[student.pk]), {"kind": "student", "start_date": "2025-09-01"}
    )
    assert response.status_code == 302

    determination = _run(client, enrollment)
    criteria = _criteria(determination)

    assert [m["student"] for m in determination.snapshot["members"]] == [False, True]
    assert criteria["Household members"]["figure"] == "1"
    assert "1 person is not counted" in criteria["Household members"]["explanation"]
    # As a household of one on $900: $900 - $209 = $691; 30% -> $208; $298 - $208 = $90.
    assert criteria["Gross monthly income"]["figure"] == "900.00"
    assert determination.monthly_amount == Decimal("90.00")


# The snapshot -----------------------------------------------------------------------------


def test_both_builders_give_the_same_snapshot_with_facts_in_force_on_the_day(caseworker, homeless_person):

    student = ClientFactory(office=caseworker.office, date_of_birth=date(2003, 4, 4))
    blind = ClientFactory(office=caseworker.office, date_of_birth=date(1970, 4, 4))
    household = household_register(
        acting_user=caseworker,
        office=caseworker.office,
        members=[
            MemberInput(relationship="head", existing=homeless_person),
            MemberInput("child", existing=student),
            MemberInput("sibling", existing=blind),
        ],
        start_date=date(2025, 1, 1),
    )
    case = case_for(homeless_person, caseworker)

    def fact(person, kind, start, **values):
        PersonFact.objects.create(client=person, kind=kind, start_date=start, recorded_by=caseworker, **values)

    fact(blind, "blindness", date(2020, 1, 1), basis="ssi")
    fact(blind, "disability", date(2020, 1, 1), basis="ssi", end_date=date(2025, 9, 30))
    fact(student, "student", date(2025, 9, 1))
    fact(homeless_person, "student", date(2025, 9, 1), student_exemption="employed")
    fact(homeless_person, "homelessness", date(2025, 10, 2), pays_for_shelter=False)

    for day, homeless in ((date(2025, 10, 1), False), (date(2025, 10, 2), True)):
        one = snapshot_build(case=case, as_of=day, application_date=APPLIED)
        many = snapshots_build_many(households={household.pk: (APPLIED, ())}, as_of=day)[household.pk]
        assert one == many
        flags = {m.id: (m.disabled, m.blind, m.student) for m in one.members}
        assert flags == {
            str(homeless_person.pk): (False, False, False),  # a student, but exempt: works 20 hours
            str(student.pk): (False, False, True),
            str(blind.pk): (False, True, False),  # the disability ended on September 30
        }
        assert (one.homeless, one.receives_free_shelter) == (homeless, homeless)


def test_a_stored_version_1_snapshot_is_still_read_and_replayed_to_the_cent(caseworker, disabled_household):

    PersonFact.objects.create(
        client=disabled_household, kind="disability", basis="ssi", start_date=date(2024, 1, 1), recorded_by=caseworker
    )
    determination = determination_run(
        acting_user=caseworker, enrollment=_enrollment(caseworker, disabled_household), as_of=date(2025, 10, 1)
    )
    assert determination.snapshot["version"] == 2 and determination.monthly_amount == Decimal("121.00")

    # The same household as a version-1 document stored it: members had no `blind` or `student`.
    stored = determination.snapshot
    stored["version"] = 1
    for member in stored["members"]:
        del member["blind"], member["student"]
    Determination.objects.filter(pk=determination.pk).update(snapshot=stored)
    determination.refresh_from_db()

    snapshot = HouseholdSnapshot.from_dict(determination.snapshot)
    assert [(m.disabled, m.blind, m.student) for m in snapshot.members] == [(True, False, False)]
    replay = determination_replay(determination=determination)
    assert replay.matches and replay.replayed.monthly_amount == Decimal("121.00")


def test_a_version_1_document_cannot_smuggle_in_version_2_fields():

    data = {
        "version": 1,
        "application_date": "2025-08-01",
        "members": [{"id": "1", "date_of_birth": "2000-01-01", "disabled": False, "student": True}],
    }
    assert HouseholdSnapshot.from_dict(data).members[0].student is False
    assert HouseholdSnapshot.from_dict({**data, "version": 2}).members[0].student is True


def test_the_nightly_job_sees_no_change_in_a_household_stored_as_version_1_but_sees_a_new_fact(
    caseworker, homeless_person
):
    enrollment = _enrollment(caseworker, homeless_person)
    decided = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 1))
    # As a version-1 run wrote it (while still a draft: a decided determination cannot change).
    stored = decided.snapshot
    stored["version"] = 1
    for member in stored["members"]:
        del member["blind"], member["student"]
    Determination.objects.filter(pk=decided.pk).update(snapshot=stored)
    decided.refresh_from_db()
    determination_finalise(acting_user=caseworker, determination=decided, decision="approve")

    with time_machine.travel("2025-11-05 03:00:00+00:00", tick=False):
        call_command("eligibility_redetermine", date="2025-11-05")
    assert enrollment.determinations.count() == 1

    PersonFact.objects.create(
        client=homeless_person, kind="disability", basis="ssi", start_date=date(2025, 10, 20), recorded_by=caseworker
    )
    with time_machine.travel("2025-11-06 03:00:00+00:00", tick=False):
        call_command("eligibility_redetermine", date="2025-11-06")
    latest = enrollment.determinations.order_by("-id").first()
    assert latest.is_redetermination and latest.snapshot["members"][0]["disabled"] is True


def test_a_disability_ended_late_counts_from_the_day_after_its_end(client, caseworker, disabled_household):
    person = disabled_household
    enrollment = _enrollment(caseworker, person)
    fact = PersonFact.objects.create(
        client=person, kind="disability", basis="ssi", start_date=date(2024, 1, 1), recorded_by=caseworker
    )
    decided = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 1))
    determination_finalise(acting_user=caseworker, determination=decided, decision="approve")

    # Reported in November: the disability benefit stopped at the end of September.
    with time_machine.travel("2025-11-05 15:00:00+00:00", tick=False):
        client.force_login(caseworker)
        response = client.post(reverse("clients:fact_end", args=[fact.pk]), {"end_date": "2025-09-30"})
        assert response.status_code == 302
    with time_machine.travel("2025-11-06 03:00:00+00:00", tick=False):
        call_command("eligibility_redetermine", date="2025-11-06")
    lower = enrollment.determinations.order_by("-id").first()

    assert lower.is_redetermination and not lower.eligible
    assert lower.effective_on == date(2025, 10, 1), lower.effective_reason  # October, not November
    assert "disability changed on 2025-10-01" in lower.effective_reason


def test_a_disability_that_raises_the_benefit_counts_from_the_month_it_was_reported(
    client, caseworker, disabled_household
):
    person = disabled_household
    person.assets.all().delete()
    person.incomes.update(amount=Decimal("1500"))
    enrollment = _enrollment(caseworker, person)
    decided = determination_run(acting_user=caseworker, enrollment=enrollment, as_of=date(2025, 10, 1))
    determination_finalise(acting_user=caseworker, determination=decided, decision="approve")
    enrollment.refresh_from_db()
    assert enrollment.monthly_amount == Decimal("133.00")

    # Reported in December, said to date from October.
    with time_machine.travel("2025-12-03 15:00:00+00:00", tick=False):
        client.force_login(caseworker)
        response = client.post(
            reverse("clients:fact_add", args=[person.pk]),
            {"kind": "disability", "basis": "ssi", "start_date": "2025-10-01", "verification": "verified"},
        )
        assert response.status_code == 302
    with time_machine.travel("2025-12-04 03:00:00+00:00", tick=False):
        call_command("eligibility_redetermine", date="2025-12-04")
    higher = enrollment.determinations.order_by("-id").first()

    assert higher.is_redetermination and higher.monthly_amount == Decimal("256.00")
    assert higher.effective_on == date(2025, 12, 1), higher.effective_reason  # not October: no back pay
    assert "7 CFR 273.12(c)(1)" in higher.effective_reason
