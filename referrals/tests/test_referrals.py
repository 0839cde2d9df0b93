"""Referrals through their services: the consent rule, the moves, and the letter.

The consent rule: sharing any of a client's information with an outside organization
needs their consent for the purpose "referral", naming that organization (matched by
name, ignoring case, punctuation, a leading "The" and a trailing "Inc."), in force today;
a supervisor may override with a written reason. Sharing nothing, or referring to one of
the agency's own programs, needs no consent.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from casework.models import Task
from clients.models import Client, Document
from referrals import services
from referrals.letters import referral_letter_html
from referrals.models import Referral, ReferralStatusChange, SharedInfo
from referrals.selectors.referrals import consent_covering, organization_key
from referrals.tests.helpers import consent_for, make_service, refer
from tests.factories import ClientFactory, IncomeFactory, MembershipFactory, UserFactory, case_for

#: Every test here runs on one frozen day, so consent dates mean the same thing whenever the suite runs.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
S = Referral.Status
TODAY = timezone.localdate


@pytest.fixture
def pantry():
    service = make_service("Emergency food pantry", organization="Riverton Food Bank")
    service.organization.alternate_name = "RFB"
    service.organization.save(update_fields=["alternate_name"])
    return service


@pytest.fixture
def client_(north):
    return ClientFactory(office=north, first_name="Dolores", last_name="Haze", phone="555-201-7788",
                         email="dolores@example.org", address_line1="12 Orchard Lane", city="Millbrook",
                         postal_code="60699", date_of_birth=date(1984, 2, 29))  # fmt: skip


@pytest.fixture
def case(client_, caseworker):
    return case_for(client_, caseworker)


# Consent ------------------------------------------------------------------------------


def test_sharing_without_any_consent_is_refused_with_a_clear_message(case, caseworker, pantry):
    with pytest.raises(ValidationError) as refused:
        refer(caseworker, case, pantry, shared=["contact"])

    message = refused.value.messages[0]
    assert "Dolores Haze has no consent in force today to share their information with Riverton Food Bank" in message
    assert "ask a supervisor to override" in message
    assert not Referral.objects.exists()


def test_a_draft_that_shares_without_consent_is_refused_when_made_not_only_when_sent(case, caseworker, pantry):
    with pytest.raises(ValidationError, match="Dolores Haze has no consent in force today"):
        refer(caseworker, case, pantry, shared=["contact"], send=False)
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(object_type="referrals.referral").exists()


def test_a_draft_keeps_the_consent_it_relies_on(case, caseworker, pantry):
    consent = consent_for(case.primary_client, caseworker)
    draft = refer(caseworker, case, pantry, shared=["contact"], send=False)
    assert (draft.status, draft.consent, draft.consent_override_by) == (S.DRAFT, consent, None)


@pytest.mark.parametrize(
    "consent",
    [
        {"expires_on": date(2025, 12, 31)},
        {"revoked_on": date(2025, 7, 1)},
        {"granted_on": NOW.date() + timedelta(days=3)},
        {"organization": "Riverton Food Pantry Network"},
        {"purpose": "eligibility"},
    ],
    ids=["expired", "revoked", "not yet given", "wrong organization", "wrong purpose"],
)
def test_a_consent_that_does_not_cover_the_referral_is_no_consent(case, caseworker, pantry, consent):
    consent_for(case.primary_client, caseworker, **consent)

    with pytest.raises(ValidationError, match="has no consent in force today"):
        refer(caseworker, case, pantry, shared=["contact", "date_of_birth"])


@pytest.mark.parametrize("name", ["Riverton Food Bank", "the riverton food bank, inc.", "RIVERTON  FOOD-BANK", "rfb"])
def test_a_consent_naming_the_organization_covers_the_referral(case, caseworker, pantry, name):
    consent = consent_for(case.primary_client, caseworker, organization=name, expires_on=TODAY() + timedelta(days=1))

    referral = refer(caseworker, case, pantry, shared=["contact", "address"])

    assert (referral.status, referral.consent, referral.consent_override_reason) == (S.SENT, consent, "")


def test_the_newest_consent_in_force_is_the_one_relied_on(case, caseworker, pantry):
    consent_for(case.primary_client, caseworker, granted_on=date(2024, 1, 1))
    newer = consent_for(case.primary_client, caseworker, granted_on=date(2025, 1, 1))
    assert consent_covering(client=case.primary_client, organization=pantry.organization, day=TODAY()) == newer


def test_organization_names_match_without_case_punctuation_the_or_inc():
    assert organization_key("The Riverton Food Bank, Inc.") == "riverton food bank"
    assert organization_key("Smith & Sons LLC") == organization_key("smith and sons")
    assert organization_key("José's Café") == "jose s cafe"


def test_sharing_nothing_needs_no_consent(case, caseworker, pantry):
    referral = refer(caseworker, case, pantry, shared=[])
    assert (referral.status, referral.consent, referral.shared) == (S.SENT, None, [])


def test_a_supervisor_overrides_with_a_written_reason_which_is_audited(case, supervisor, pantry):
    referral = refer(
        supervisor, case, pantry, shared=["contact"], consent_override_reason="Client is in hospital; verbal OK given"
    )

    assert referral.status == S.SENT
    assert (referral.consent, referral.consent_override_by) == (None, supervisor)
    assert referral.consent_override_reason == "Client is in hospital; verbal OK given"
    event = AuditEvent.objects.get(object_type="referrals.referral", action=AuditEvent.Action.CREATE)
    assert event.reason == "Client is in hospital; verbal OK given"
    assert event.changes["consent_override"] == [None, True]
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_a_caseworker_cannot_override(case, caseworker, pantry):
    with pytest.raises(ValidationError) as refused:
        refer(caseworker, case, pantry, shared=["contact"], consent_override_reason="I think it is fine")
    assert refused.value.message_dict == {
        "consent_override_reason": ["Only a supervisor may override the consent rule."]
    }


def test_an_override_is_not_kept_when_a_consent_covers_the_referral(case, supervisor, pantry):
    consent = consent_for(case.primary_client, supervisor)
    referral = refer(supervisor, case, pantry, shared=["contact"], consent_override_reason="Just in case")
    assert (referral.consent, referral.consent_override_reason, referral.consent_override_by) == (consent, "", None)


def test_consent_is_checked_again_when_a_draft_is_sent(case, caseworker, pantry):
    consent = consent_for(case.primary_client, caseworker)
    draft = refer(caseworker, case, pantry, shared=["contact"], send=False)
    assert (draft.status, draft.sent_at) == (S.DRAFT, None)
    consent.revoked_on = TODAY()
    consent.save(update_fields=["revoked_on"])

    with pytest.raises(ValidationError, match="has no consent in force today"):
        services.referral_move(acting_user=caseworker, referral=draft, to=S.SENT)
    assert Referral.objects.get(pk=draft.pk).status == S.DRAFT


def test_a_supervisor_may_override_when_sending_a_draft(case, caseworker, supervisor, pantry):
    consent = consent_for(case.primary_client, caseworker)
    draft = refer(caseworker, case, pantry, shared=["contact"], send=False)
    consent.revoked_on = TODAY()
    consent.save(update_fields=["revoked_on"])

    sent = services.referral_move(
        acting_user=supervisor, referral=draft, to=S.SENT, consent_override_reason="Client asked by phone; form follows"
    )

    assert (sent.status, sent.consent, sent.consent_override_by) == (S.SENT, None, supervisor)


def test_an_agency_program_needs_no_consent_and_puts_an_intake_task_on_the_case(case, caseworker, north):
    intake_worker = UserFactory(username="intake", office=north, roles=["caseworker"])
    program = make_service(
        "Employment readiness", organization="Casework Demo Agency", internal_office=north, intake_worker=intake_worker
    )

    referral = refer(caseworker, case, program, shared=["contact", "income"], urgency=Referral.Urgency.HIGH)

    assert (referral.status, referral.consent) == (S.SENT, None)
    task = referral.intake_task
    assert (task.kind, task.case, task.assignee) == (Task.Kind.INTAKE, case, intake_worker)
    assert task.title == "Intake for Employment readiness: Dolores Haze"
    assert task.due_on == TODAY() + timedelta(days=5)


def test_an_intake_worker_of_another_office_does_not_get_the_task(case, caseworker, south, other_caseworker):
    program = make_service("Job club", organization="Casework Demo Agency", internal_office=south,
                           intake_worker=other_caseworker)  # fmt: skip
    referral = refer(caseworker, case, program)
    assert referral.intake_task.assignee == caseworker  # the case's worker passes it on


@pytest.mark.parametrize(
    "intake_worker",
    [
        {"is_active": False, "roles": ["caseworker"]},  # has left the agency
        {"is_active": True, "roles": ["auditor"]},  # works in the office but no cases
    ],
    ids=["inactive", "not_a_caseworker"],
)
def test_an_intake_worker_who_cannot_take_the_case_leaves_the_task_to_the_cases_worker(
    case, caseworker, north, intake_worker
):
    program = make_service(
        "Job club",
        organization="Casework Demo Agency",
        internal_office=north,
        intake_worker=UserFactory(username="intake", office=north, **intake_worker),
    )
    referral = refer(caseworker, case, program, reason="Wants to find work before the baby is due.")
    task = referral.intake_task
    assert (task.assignee, task.created_by) == (caseworker, caseworker)
    assert task.details == "Wants to find work before the baby is due."


def test_the_intake_tasks_title_is_cut_to_what_a_task_holds(case, caseworker, north):
    name = "Supported employment and " + "x" * 175  # 200 characters, the longest a service name may be
    program = make_service(name, organization="Casework Demo Agency", internal_office=north)
    task = refer(caseworker, case, program).intake_task
    assert task.title == f"Intake for {name}: Dolores Haze"[:200]
    assert len(task.title) == 200


# What may be referred -------------------------------------------------------------------


def test_a_restricted_clients_address_is_never_shared(north, caseworker, pantry):
    hidden = ClientFactory(office=north, restricted=True)
    case = case_for(hidden, caseworker)
    consent_for(hidden, caseworker)

    with pytest.raises(ValidationError) as refused:
        refer(caseworker, case, pantry, shared=["address"])
    assert refused.value.message_dict["shared"] == [
        "The address of a restricted client, or a confidential address, is never shared."
    ]
    assert refer(caseworker, case, pantry, shared=["contact"]).status == S.SENT


def test_only_a_member_of_the_cases_household_is_referred(case, caseworker, pantry, north):
    stranger = ClientFactory(office=north)
    with pytest.raises(ValidationError, match="is not a member of this case's household"):
        refer(caseworker, case, pantry, client=stranger, shared=[])
    child = MembershipFactory(household=case.household, relationship="child", client=ClientFactory(office=north)).client
    assert refer(caseworker, case, pantry, client=child, shared=[]).client == child


def test_a_closed_case_or_a_defunct_service_takes_no_referral(client_, caseworker, pantry):
    closed = case_for(client_, caseworker, status="closed")
    with pytest.raises(ValidationError, match="is closed; reopen it"):
        refer(caseworker, closed, pantry, shared=[])
    pantry.status = "defunct"
    with pytest.raises(ValidationError, match="is defunct and takes no referrals"):
        refer(caseworker, case_for(ClientFactory(office=client_.office), caseworker), pantry, shared=[])


def test_an_auditor_cannot_refer(case, auditor, pantry):
    with pytest.raises(PermissionDenied):
        refer(auditor, case, pantry, shared=[])


def test_a_reason_and_urgency_are_needed(case, caseworker, pantry):
    with pytest.raises(ValidationError) as refused:
        refer(caseworker, case, pantry, shared=["passport"], reason=" ", urgency="whenever")
    assert set(refused.value.message_dict) == {"reason", "urgency", "shared"}


# Moves --------------------------------------------------------------------------------


def test_sent_accepted_completed_each_move_keeps_who_and_when(case, caseworker, supervisor, pantry):
    referral = refer(caseworker, case, pantry, shared=[])
    services.referral_move(acting_user=caseworker, referral=referral, to=S.ACCEPTED)
    done = services.referral_move(acting_user=supervisor, referral=referral, to=S.COMPLETED, reason="Got groceries")

    assert (done.status, done.outcome) == (S.COMPLETED, "")
    assert done.closed_at is not None and done.sent_at <= done.closed_at
    moves = list(ReferralStatusChange.objects.filter(referral=done).order_by("changed_at", "id"))
    assert [(m.from_status, m.to_status, m.changed_by) for m in moves] == [
        ("", S.DRAFT, caseworker),
        (S.DRAFT, S.SENT, caseworker),
        (S.SENT, S.ACCEPTED, caseworker),
        (S.ACCEPTED, S.COMPLETED, supervisor),
    ]
    assert moves[-1].reason == "Got groceries"
    assert done.last_moved_at == moves[-1].changed_at
    events = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(done.pk)).order_by("at", "id")
    assert [e.changes.get("status") for e in events] == [None, ["draft", "sent"], ["sent", "accepted"],
                                                         ["accepted", "completed"]]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], S.ACCEPTED),
        ([S.SENT], S.COMPLETED),
        ([S.SENT, S.DECLINED], S.ACCEPTED),
        ([S.SENT, S.ACCEPTED, S.COMPLETED], S.WITHDRAWN),
        ([S.SENT, S.WITHDRAWN], S.SENT),
    ],
    ids=["draft to accepted", "sent to completed", "declined to accepted", "completed to withdrawn", "reopen"],
)
def test_a_move_not_in_the_table_is_refused(case, caseworker, pantry, path, to):
    referral = refer(caseworker, case, pantry, shared=[], send=False)
    for step in path:
        referral = services.referral_move(acting_user=caseworker, referral=referral, to=step, reason="r")

    moves = referral.status_changes.count()
    with pytest.raises(ValidationError, match=f"cannot become {S(to).label.lower()}"):
        services.referral_move(acting_user=caseworker, referral=referral, to=to, reason="r")
    referral.refresh_from_db()
    assert (referral.status, referral.status_changes.count()) == ((path or [S.DRAFT])[-1], moves)


def test_declining_and_withdrawing_need_a_reason_not_completed_an_outcome(case, caseworker, pantry):
    sent = refer(caseworker, case, pantry, shared=[])
    with pytest.raises(ValidationError) as refused:
        services.referral_move(acting_user=caseworker, referral=sent, to=S.DECLINED)
    assert refused.value.message_dict == {"reason": ["Say why the referral is declined."]}
    with pytest.raises(ValidationError, match="Say why the referral is withdrawn"):
        services.referral_move(acting_user=caseworker, referral=sent, to=S.WITHDRAWN, reason="  ")
    accepted = services.referral_move(acting_user=caseworker, referral=sent, to=S.ACCEPTED)
    with pytest.raises(ValidationError, match="Choose why the client did not get the service"):
        services.referral_move(acting_user=caseworker, referral=accepted, to=S.NOT_COMPLETED)

    ended = services.referral_move(
        acting_user=caseworker, referral=accepted, to=S.NOT_COMPLETED, outcome=Referral.Outcome.NO_CAPACITY
    )

    assert (ended.status, ended.outcome, ended.get_outcome_display()) == (S.NOT_COMPLETED, "no_capacity", "No capacity")
    assert ended.status_changes.first().outcome == "no_capacity"


@pytest.mark.parametrize("path", [[], [S.SENT], [S.SENT, S.ACCEPTED]], ids=["draft", "sent", "accepted"])
def test_any_open_referral_can_be_withdrawn(case, caseworker, pantry, path):
    referral = refer(caseworker, case, pantry, shared=[], send=False)
    for step in path:
        referral = services.referral_move(acting_user=caseworker, referral=referral, to=step)
    withdrawn = services.referral_move(
        acting_user=caseworker, referral=referral, to=S.WITHDRAWN, reason="Client moved away"
    )
    assert (withdrawn.status, withdrawn.is_open) == (S.WITHDRAWN, False)


def test_withdrawing_a_referral_to_a_program_cancels_its_intake_task(case, caseworker, north):
    program = make_service("Budgeting class", organization="Casework Demo Agency", internal_office=north)
    referral = refer(caseworker, case, program)
    services.referral_move(acting_user=caseworker, referral=referral, to=S.WITHDRAWN, reason="Found a job")
    assert Task.objects.get(pk=referral.intake_task_id).status == Task.Status.CANCELLED


# The letter -------------------------------------------------------------------------


def test_the_letter_is_a_pdf_and_its_download_is_audited(case, caseworker, pantry):
    consent_for(case.primary_client, caseworker)
    referral = refer(caseworker, case, pantry, shared=["contact"])

    pdf = services.referral_letter_issue(acting_user=caseworker, referral=referral)

    assert pdf.startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert (event.actor, event.object_id) == (caseworker, str(referral.pk))
    assert list(event.subjects.values_list("client_id", flat=True)) == [case.primary_client_id]


def test_the_letter_says_only_what_the_referral_shares(case, caseworker, pantry, client_):
    consent_for(client_, caseworker)
    IncomeFactory(client=client_, amount="1432.50")
    Document.objects.create(client=client_, kind="lease", file="x", storage_token="t1", original_name="lease.pdf",
                            content_type="application/pdf", size=1, uploaded_by=caseworker)  # fmt: skip
    MembershipFactory(
        household=case.household,
        relationship="child",
        client=ClientFactory(office=client_.office, date_of_birth=date(2015, 1, 1)),
    )
    MembershipFactory(household=case.household, relationship="spouse",
                      client=ClientFactory(office=client_.office, restricted=True))  # fmt: skip
    only_contact = refer(caseworker, case, pantry, shared=["contact"])
    everything = refer(caseworker, case, pantry, shared=list(SharedInfo.values))

    html = referral_letter_html(referral=only_contact)
    assert "Dolores Haze" in html and "555-201-7788" in html and "dolores@example.org" in html
    for absent in ("12 Orchard Lane", "1984-02-29", "1,432.50", "Lease", "Household", "Income"):
        assert absent not in html

    html = referral_letter_html(referral=everything)
    assert "<td>Child</td>" in html and "Spouse" not in html  # a restricted member is not even counted
    for present in (
        "12 Orchard Lane",
        "Millbrook",
        "60699",
        "1984-02-29",
        "$1,432.50 monthly",
        "Lease or rental agreement",
        "Household",
    ):
        assert present in html


def test_the_letter_never_prints_a_restricted_clients_address(case, caseworker, pantry, client_):
    consent_for(client_, caseworker)
    referral = refer(caseworker, case, pantry, shared=["contact", "address"])
    assert "12 Orchard Lane" in referral_letter_html(referral=referral)

    # The client is restricted after the referral was made: the letter withholds the address.
    Client.objects.filter(pk=client_.pk).update(restricted=True)
    referral.refresh_from_db()
    referral.client.refresh_from_db()
    html = referral_letter_html(referral=referral)

    assert "12 Orchard Lane" not in html and "60699" not in html and "Millbrook" not in html
    assert "Withheld" in html
    Client.objects.filter(pk=client_.pk).update(restricted=False, address_confidential=True)
    referral.client.refresh_from_db()
    assert "12 Orchard Lane" not in referral_letter_html(referral=referral)


@pytest.fixture
def heard(monkeypatch):
    """The referral events a listener above this app (the API's webhooks) hears."""
    from referrals import events

    got: list[tuple[int, str]] = []
    monkeypatch.setattr(events, "_listeners", [lambda *, referral, event: got.append((referral.pk, event))])
    return got


def test_each_move_is_announced_once_whoever_makes_it(case, caseworker, pantry, heard, client_):
    from referrals import partners

    consent_for(client_, caseworker)
    referral = refer(caseworker, case, pantry)
    assert heard == [(referral.pk, "referral.sent")]
    account = partners.organization_account(organization=pantry.organization)
    partners.referral_partner_accept(referral=referral, account=account)
    assert heard[1:] == [(referral.pk, "referral.accepted")]
    services.referral_move(acting_user=caseworker, referral=referral, to=S.COMPLETED)
    assert heard[2:] == [(referral.pk, "referral.completed")]
    draft = refer(caseworker, case, pantry, send=False)
    assert len(heard) == 3  # a draft has not moved
    services.referral_move(acting_user=caseworker, referral=draft, to=S.SENT)
    assert heard[3:] == [(draft.pk, "referral.sent")]
