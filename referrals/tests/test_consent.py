"""The consent rule itself (`referrals.consent`), on a referral being made: what it asks of the
day, the sharing and the person, and the words and codes of its refusals. The pages and services
that call it are tested in test_referrals.py and test_views.py."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from referrals.consent import (
    address_protected,
    consent_needed,
    consent_settle,
    consent_today,
    override_refusal,
    sending_check,
)
from referrals.models import Referral, SharedInfo
from referrals.tests.helpers import consent_for, make_service
from tests.factories import ClientFactory, case_for

# Thursday 12 March 2026, 10:00 in Chicago.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

NO_CONSENT = (
    "Dolores Haze has no consent in force today to share their information with Riverton Food Bank for a "
    "referral. Record their consent (purpose: referral, naming the organization) on the client's consent "
    "page, share nothing, or ask a supervisor to override with a written reason."
)
ADDRESS_NOW_PROTECTED = (
    "This referral would share an address that is now restricted or confidential; "
    "withdraw it and refer again without the address."
)


@pytest.fixture
def pantry():
    return make_service("Emergency food pantry", organization="Riverton Food Bank")


@pytest.fixture
def program(north):
    return make_service("Job readiness", organization="Casework Demo Agency", internal_office=north)


@pytest.fixture
def dolores(north):
    return ClientFactory(office=north, first_name="Dolores", last_name="Haze")


def referral(worker, client, service, *, shared=(SharedInfo.CONTACT,), **fields) -> Referral:
    """A referral being made (not saved), as the service builds it before the rule is asked."""
    case = fields.pop("case", None) or case_for(client, worker)
    return Referral(
        case=case,
        client=client,
        service=service,
        organization=service.organization,
        shared=list(shared),
        reason="Out of food until payday.",
        **fields,
    )


def refusal(call) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


# Whether consent is needed ------------------------------------------------------------------


def test_sharing_anything_with_an_outside_organization_needs_consent(pantry, program):
    assert consent_needed(pantry, [SharedInfo.CONTACT]) is True
    assert consent_needed(pantry, []) is False
    assert consent_needed(program, [SharedInfo.CONTACT, SharedInfo.ADDRESS]) is False


def test_a_referral_that_needs_no_consent_relies_on_none_even_when_one_is_in_force(
    caseworker, dolores, pantry, program
):
    consent_for(dolores, caseworker)
    assert consent_today(referral(caseworker, dolores, pantry, shared=[])) is None
    assert consent_today(referral(caseworker, dolores, program)) is None


# The day ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("granted_on", "expires_on", "in_force"),
    [
        (TODAY, None, True),
        (TODAY + timedelta(days=1), None, False),
        (date(2025, 6, 1), TODAY, True),
        (date(2025, 6, 1), TODAY - timedelta(days=1), False),
    ],
    ids=["given today", "given tomorrow", "expires today", "expired yesterday"],
)
def test_the_consent_relied_on_is_the_one_in_force_on_the_day_the_rule_is_asked(
    caseworker, dolores, pantry, granted_on, expires_on, in_force
):
    consent = consent_for(dolores, caseworker, granted_on=granted_on, expires_on=expires_on)
    made = referral(caseworker, dolores, pantry)
    if in_force:
        assert consent_today(made) == consent
    else:
        assert refusal(lambda: consent_today(made)).messages == [NO_CONSENT]


# The refusal --------------------------------------------------------------------------------


def test_the_refusal_names_the_client_and_the_organization_and_says_what_to_do(caseworker, dolores, pantry):
    refused = refusal(lambda: consent_today(referral(caseworker, dolores, pantry)))
    assert refused.messages == [NO_CONSENT]
    assert refused.code == "no_consent"


def test_the_refusal_is_in_the_workers_language(caseworker, dolores, pantry):
    made = referral(caseworker, dolores, pantry)
    with translation.override("es"):
        message = refusal(lambda: consent_today(made)).messages[0]
    assert message.startswith(
        "Dolores Haze no tiene hoy un consentimiento vigente para compartir su información con Riverton Food Bank"
    )


# A supervisor's override --------------------------------------------------------------------


def test_an_override_given_now_or_kept_on_the_referral_lets_it_go_without_consent(caseworker, dolores, pantry):
    assert consent_today(referral(caseworker, dolores, pantry), override="Client in hospital") is None
    kept = referral(caseworker, dolores, pantry, consent_override_reason="Verbal consent by phone")
    assert consent_today(kept) is None


def test_only_a_supervisor_may_give_an_override_and_a_blank_one_is_none(caseworker, supervisor):
    assert str(override_refusal(caseworker, "I think it is fine")) == "Only a supervisor may override the consent rule."
    assert override_refusal(caseworker, "   ") is None
    assert override_refusal(caseworker, "") is None
    assert override_refusal(supervisor, "Client in hospital") is None


def test_settling_keeps_the_consent_in_force_and_no_override(supervisor, caseworker, dolores, pantry):
    consent = consent_for(dolores, caseworker)
    made = referral(caseworker, dolores, pantry)
    consent_settle(supervisor, made, "Just in case")
    assert (made.consent, made.consent_override_reason, made.consent_override_by) == (consent, "", None)


def test_settling_without_consent_keeps_the_supervisors_override_and_who_gave_it(
    supervisor, caseworker, dolores, pantry
):
    made = referral(caseworker, dolores, pantry)
    consent_settle(supervisor, made, "Client in hospital")
    assert (made.consent, made.consent_override_reason, made.consent_override_by) == (
        None,
        "Client in hospital",
        supervisor,
    )


def test_settling_what_needs_no_consent_keeps_no_override(supervisor, caseworker, dolores, pantry):
    made = referral(caseworker, dolores, pantry, shared=[])
    consent_settle(supervisor, made, "Client in hospital")
    assert (made.consent, made.consent_override_reason, made.consent_override_by) == (None, "", None)


# The address --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_flags", "case_restricted", "protected"),
    [
        ({}, False, False),
        ({"restricted": True}, False, True),
        ({"address_confidential": True}, False, True),
        ({}, True, True),
    ],
    ids=["neither", "restricted client", "confidential address", "restricted case"],
)
def test_an_address_is_protected_by_the_client_their_address_or_the_case(
    north, caseworker, client_flags, case_restricted, protected
):
    client = ClientFactory(office=north, **client_flags)
    case = case_for(client, caseworker, restricted=case_restricted)
    assert address_protected(client, case) is protected


def test_sending_refuses_an_address_that_has_become_protected(caseworker, dolores, pantry):
    consent_for(dolores, caseworker)
    made = referral(caseworker, dolores, pantry, shared=[SharedInfo.CONTACT, SharedInfo.ADDRESS])
    dolores.address_confidential = True
    assert refusal(lambda: sending_check(caseworker, made, "")).messages == [ADDRESS_NOW_PROTECTED]
    assert made.consent is None


def test_sending_without_the_address_goes_on_to_consent(caseworker, dolores, pantry):
    consent = consent_for(dolores, caseworker)
    made = referral(caseworker, dolores, pantry, shared=[SharedInfo.CONTACT])
    dolores.address_confidential = True
    sending_check(caseworker, made, "")
    assert made.consent == consent


def test_sending_an_unprotected_address_still_needs_consent(caseworker, dolores, pantry):
    made = referral(caseworker, dolores, pantry, shared=[SharedInfo.ADDRESS])
    assert refusal(lambda: sending_check(caseworker, made, "")).messages == [NO_CONSENT]
