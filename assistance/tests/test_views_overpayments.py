"""The overpayment pages: who may open them, establishing by hand, the actions on one overpayment,
the write-off queue, errors shown beside what was typed, and query counts that do not grow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import Overpayment
from assistance.services.overpayments import (
    PeriodAmount,
    establish,
    overpayment_write_off_request,
    repayment_record,
)
from assistance.tests.test_overpayments import investigated
from assistance.tests.test_settlements import FEB, JAN, active_enrollment, pay
from audit.models import AuditEvent
from tests.factories import UserFactory

# One frozen moment for every test here, so 'today' on a form is the same day whenever the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(datetime(2026, 3, 12, 15, tzinfo=UTC), tick=False)]
Status = Overpayment.Status
_serial = count(1)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def overpayment(caseworker) -> Overpayment:
    return investigated(caseworker)


def establish_data(**changes) -> dict:
    data = {
        "program": "",
        "reason": "client_error",
        "allegation": "Rent from a lodger not reported.",
        "findings": "The lodger confirmed paying $300 a month.",
        "outcome": "Overpayment established.",
        "periods-TOTAL_FORMS": "3",
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "36",
        "periods-0-period": "2026-01",
        "periods-0-amount": "20.00",
        "periods-1-period": "2026-02",
        "periods-1-amount": "15",
        "periods-2-period": "",
        "periods-2-amount": "",
    }
    data.update(changes)
    return data


# Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 200), ("supervisor", 200), ("other_caseworker", 404), ("auditor", 404), ("admin", 404)],
)
def test_the_case_tab_and_the_detail_page_are_seen_only_through_the_case(
    client, personas, overpayment, persona, status
):
    client.force_login(personas[persona])
    tab = client.get(reverse("assistance:case_overpayments", args=[overpayment.case_id]))
    detail = client.get(reverse("assistance:overpayment_detail", args=[overpayment.pk]))
    assert (tab.status_code, detail.status_code) == (status, status)
    if status == 200:
        assert "$70.00" in html(tab) and "Intentional program violation" in html(tab)
        assert AuditEvent.objects.filter(action="view", actor=personas[persona]).exists()


@pytest.mark.parametrize(("persona", "status"), [("other_caseworker", 404), ("auditor", 403), ("admin", 403)])
def test_only_workers_of_the_case_establish_or_act(client, personas, overpayment, persona, status):
    client.force_login(personas[persona])
    assert client.get(reverse("assistance:overpayment_new", args=[overpayment.case_id])).status_code == status
    response = client.post(
        reverse("assistance:repayment_add", args=[overpayment.pk]), {"amount": "5", "received_on": "2026-11-01"}
    )
    assert response.status_code == status
    overpayment.refresh_from_db()
    assert overpayment.balance == Decimal("70.00")


@pytest.mark.parametrize("persona", ["caseworker", "auditor", "admin"])
def test_the_write_off_queue_is_for_supervisors(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("assistance:write_off_queue")).status_code == 403


def test_a_caseworker_cannot_decide_a_write_off(client, caseworker, overpayment):
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    client.force_login(caseworker)
    response = client.post(reverse("assistance:write_off_decide", args=[overpayment.pk]), {"decision": "approve"})
    assert response.status_code == 403


# Establishing by hand -------------------------------------------------------------------------


def test_a_caseworker_establishes_an_overpayment_from_the_page(client, caseworker):
    enrollment = active_enrollment(caseworker)
    for month in (JAN, FEB):
        pay(enrollment, month)
    client.force_login(caseworker)
    page = client.get(reverse("assistance:overpayment_new", args=[enrollment.case_id]))
    assert page.status_code == 200 and 'type="month"' in html(page)

    response = client.post(
        reverse("assistance:overpayment_new", args=[enrollment.case_id]),
        establish_data(program=enrollment.program_id, client=enrollment.case.primary_client_id),
    )

    overpayment = Overpayment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:overpayment_detail", args=[overpayment.pk])
    assert (overpayment.amount, overpayment.reason, overpayment.source) == (
        Decimal("35.00"),
        "client_error",
        "investigation",
    )
    page = html(client.get(response["Location"]))
    assert "Overpayment of $35.00 established." in page
    assert "January 2026" in page and "February 2026" in page and "lodger" in page


def test_a_bad_amount_shows_beside_its_row_and_keeps_what_was_typed(client, caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    client.force_login(caseworker)
    response = client.post(
        reverse("assistance:overpayment_new", args=[enrollment.case_id]),
        establish_data(
            program=enrollment.program_id,
            client=enrollment.case.primary_client_id,
            **{"periods-1-amount": "15.005", "periods-2-period": "March"},
        ),
    )
    page = html(response)
    assert response.status_code == 200
    assert "at most two decimal places" in page
    assert "Enter a month as year and month" in page
    assert 'value="15.005"' in page and 'value="2026-01"' in page and "Rent from a lodger" in page
    assert not Overpayment.objects.exists()


def test_a_service_error_shows_on_the_page_and_nothing_is_lost(client, caseworker):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    client.force_login(caseworker)
    response = client.post(
        reverse("assistance:overpayment_new", args=[enrollment.case_id]),
        establish_data(
            program=enrollment.program_id, client=enrollment.case.primary_client_id, **{"periods-0-amount": "80.00"}
        ),
    )
    page = html(response)
    assert response.status_code == 200
    assert "January 2026: the ledger shows $50.00" in page
    assert "February 2026: the ledger shows nothing" in page
    assert 'value="80.00"' in page and "The lodger confirmed" in page
    assert not Overpayment.objects.exists()


# Acting on one overpayment -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["7,5", "1e-2", "NaN", "1,45,0"])
@pytest.mark.parametrize(
    ("url", "field"),
    [("assistance:repayment_add", "amount"), ("assistance:agreement_make", "instalment")],
)
def test_a_misread_amount_is_refused_beside_its_field(client, caseworker, overpayment, url, field, typed):
    client.force_login(caseworker)
    data = {field: typed, "received_on": timezone.localdate().isoformat(), "first_due_on": timezone.localdate()}
    response = client.post(reverse(url, args=[overpayment.pk]), data)
    assert response.status_code == 200
    assert "Enter an amount like 1,450.00." in html(response) and f'value="{typed}"' in html(response)
    overpayment.refresh_from_db()
    assert (overpayment.balance, overpayment.agreements.count()) == (Decimal("70.00"), 0)


@pytest.mark.parametrize("typed", ["7,5", "1e-2"])
def test_a_misread_amount_in_an_establishment_row_is_refused(client, caseworker, typed):
    enrollment = active_enrollment(caseworker)
    pay(enrollment, JAN)
    client.force_login(caseworker)
    response = client.post(
        reverse("assistance:overpayment_new", args=[enrollment.case_id]),
        establish_data(
            program=enrollment.program_id, client=enrollment.case.primary_client_id, **{"periods-0-amount": typed}
        ),
    )
    assert "Enter an amount like 1,450.00." in html(response)
    assert not Overpayment.objects.exists()


def test_a_repayment_from_the_page_lowers_the_balance(client, caseworker, overpayment):
    client.force_login(caseworker)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("assistance:repayment_add", args=[overpayment.pk]), {"amount": "20.00", "received_on": today}
    )
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "Repayment recorded." in page and "$50.00" in page and "Recovering" in page
    overpayment.refresh_from_db()
    assert overpayment.balance == Decimal("50.00")


def test_a_repayment_past_the_balance_is_refused_on_the_page(client, caseworker, overpayment):
    client.force_login(caseworker)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("assistance:repayment_add", args=[overpayment.pk]), {"amount": "70.01", "received_on": today}
    )
    page = html(response)
    assert response.status_code == 200
    assert "The balance is $70.00" in page and 'value="70.01"' in page
    overpayment.refresh_from_db()
    assert overpayment.balance == Decimal("70.00")


def test_an_agreement_made_and_ended_from_the_page(client, caseworker, overpayment):
    client.force_login(caseworker)
    today = timezone.localdate().isoformat()
    bad = client.post(
        reverse("assistance:agreement_make", args=[overpayment.pk]), {"instalment": "-5", "first_due_on": today}
    )
    assert "more than zero" in html(bad) and 'value="-5"' in html(bad)
    response = client.post(
        reverse("assistance:agreement_make", args=[overpayment.pk]),
        {"instalment": "10.00", "first_due_on": today, "note": "By cheque"},
    )
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "Repayment agreement" in page and "$10.00 a month" in page
    assert "End the repayment agreement" in page and "Make a repayment agreement" not in page
    client.post(reverse("assistance:agreement_end", args=[overpayment.pk]), {"reason": "Missed two"})
    overpayment.refresh_from_db()
    assert overpayment.recovery == Overpayment.Recovery.DEDUCTION


def test_a_write_off_asked_by_a_caseworker_and_approved_from_the_queue(client, caseworker, supervisor, overpayment):
    client.force_login(caseworker)
    asked = client.post(reverse("assistance:write_off_request", args=[overpayment.pk]), {"reason": "Client died"})
    assert asked.status_code == 302
    assert "Decide the write-off" not in html(client.get(asked["Location"]))

    client.force_login(supervisor)
    queue = html(client.get(reverse("assistance:write_off_queue")))
    assert f"write-off-{overpayment.pk}" in queue and "Client died" in queue
    assert AuditEvent.objects.filter(
        actor=supervisor, action="view", object_repr="write-off queue", subjects__client_id=overpayment.client_id
    ).exists()
    response = client.post(
        reverse("assistance:write_off_decide", args=[overpayment.pk]), {"decision": "approve", "next": "queue"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("assistance:write_off_queue")
    overpayment.refresh_from_db()
    assert (overpayment.status, overpayment.balance) == (Status.WRITTEN_OFF, Decimal("0.00"))
    assert "No write-off is waiting for you." in html(client.get(response["Location"]))


def test_a_refusal_without_a_reason_is_shown_on_the_page(client, caseworker, supervisor, overpayment):
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    client.force_login(supervisor)
    response = client.post(reverse("assistance:write_off_decide", args=[overpayment.pk]), {"decision": "refuse"})
    assert response.status_code == 200 and "Say why the write-off is refused." in html(response)
    overpayment.refresh_from_db()
    assert overpayment.status == Status.WRITE_OFF_PENDING


def test_a_supervisor_does_not_see_or_decide_their_own_write_off(client, supervisor, overpayment):
    overpayment_write_off_request(acting_user=supervisor, overpayment=overpayment, reason="Small amount")
    client.force_login(supervisor)
    assert f"write-off-{overpayment.pk}" not in html(client.get(reverse("assistance:write_off_queue")))
    page = html(client.get(reverse("assistance:overpayment_detail", args=[overpayment.pk])))
    assert "another supervisor decides it" in page and "Decide the write-off" not in page
    response = client.post(reverse("assistance:write_off_decide", args=[overpayment.pk]), {"decision": "approve"})
    assert "Nobody decides their own write-off request" in html(response)
    overpayment.refresh_from_db()
    assert overpayment.status == Status.WRITE_OFF_PENDING


def test_another_offices_supervisor_does_not_see_the_write_off(client, caseworker, other_caseworker, overpayment):
    overpayment_write_off_request(acting_user=caseworker, overpayment=overpayment, reason="Small amount")
    client.force_login(other_caseworker.team.supervisor)
    assert f"write-off-{overpayment.pk}" not in html(client.get(reverse("assistance:write_off_queue")))
    response = client.post(reverse("assistance:write_off_decide", args=[overpayment.pk]), {"decision": "approve"})
    assert response.status_code == 404


# Query counts --------------------------------------------------------------------------------

SMALL, LARGE = 3, 30
#: Queries per page load, whatever the number of rows (measured on SQLite and PostgreSQL).
MAX_QUERIES = {"case_tab": 16, "detail": 19, "queue": 15}


def team_worker(supervisor):
    return UserFactory(
        username=f"member{next(_serial)}", office=supervisor.office, team=supervisor.team, roles=["caseworker"]
    )


def quick_overpayment(worker, enrollment, *, month: date = JAN) -> Overpayment:
    case = enrollment.case
    return establish(
        acting_user=worker,
        case=case,
        client=case.primary_client,
        program=enrollment.program,
        enrollment=enrollment,
        source=Overpayment.Source.INVESTIGATION,
        reason=Overpayment.Reason.CLIENT_ERROR,
        periods=[PeriodAmount(period=month, paid=Decimal("50"), due=Decimal("40"), amount=Decimal("10.00"))],
    )


def assert_constant(client, page: str, path: str, add_rows, django_assert_max_num_queries) -> str:
    add_rows(SMALL)
    client.get(path)  # warm up: content types, permissions, session
    with django_assert_max_num_queries(MAX_QUERIES[page]) as small:
        assert client.get(path).status_code == 200
    add_rows(LARGE - SMALL)
    with django_assert_max_num_queries(MAX_QUERIES[page]) as large:
        response = client.get(path)
    assert response.status_code == 200
    assert len(small) == len(large), f"{page}: {len(small)} queries for {SMALL} rows but {len(large)} for {LARGE}"
    return html(response)


def test_the_case_tab_costs_the_same_for_few_and_many_overpayments(client, caseworker, django_assert_max_num_queries):
    enrollment = active_enrollment(caseworker)
    client.force_login(caseworker)
    page = assert_constant(
        client,
        "case_tab",
        reverse("assistance:case_overpayments", args=[enrollment.case_id]),
        lambda n: [quick_overpayment(caseworker, enrollment) for _ in range(n)],
        django_assert_max_num_queries,
    )
    assert page.count(">$10.00<") == 2 * LARGE


def test_the_detail_page_costs_the_same_for_few_and_many_repayments(client, caseworker, django_assert_max_num_queries):
    enrollment = active_enrollment(caseworker)
    overpayment = establish(
        acting_user=caseworker,
        case=enrollment.case,
        client=enrollment.case.primary_client,
        program=enrollment.program,
        enrollment=enrollment,
        source=Overpayment.Source.INVESTIGATION,
        reason=Overpayment.Reason.CLIENT_ERROR,
        periods=[PeriodAmount(period=JAN, paid=Decimal("500"), due=Decimal("0"), amount=Decimal("500.00"))],
    )
    today = timezone.localdate()

    def add_rows(n):
        for _ in range(n):
            repayment_record(
                acting_user=team_worker(caseworker.team.supervisor),
                overpayment=overpayment,
                amount="1.00",
                received_on=today,
            )

    client.force_login(caseworker)
    page = assert_constant(
        client,
        "detail",
        reverse("assistance:overpayment_detail", args=[overpayment.pk]),
        add_rows,
        django_assert_max_num_queries,
    )
    assert "$470.00" in page


def test_the_write_off_queue_costs_the_same_for_few_and_many(client, supervisor, django_assert_max_num_queries):
    def add_rows(n):
        for _ in range(n):
            worker = team_worker(supervisor)
            overpayment = quick_overpayment(worker, active_enrollment(worker))
            overpayment_write_off_request(acting_user=worker, overpayment=overpayment, reason="Small amount")

    client.force_login(supervisor)
    page = assert_constant(
        client, "queue", reverse("assistance:write_off_queue"), add_rows, django_assert_max_num_queries
    )
    assert f"{LARGE} write-offs waiting" in page
