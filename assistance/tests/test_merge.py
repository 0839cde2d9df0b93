"""A client merge: the whole record moves to the survivor, each app its own rows, and the ledger's
balances by one balanced transfer, never by rewriting an entry.

Checked through the pages a supervisor and a caseworker open (the survivor's ledger, their
overpayment), and by the ledger itself: every transaction still sums to zero. On PostgreSQL the
deferred balance trigger is fired before the test ends (SET CONSTRAINTS ALL IMMEDIATE).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from assistance.models import Issuance, LedgerEntry, LedgerTransaction, Overpayment
from assistance.selectors.ledger import client_balances
from assistance.tests.helpers import client_case, request
from assistance.tests.test_overpayments import investigated
from audit.models import AuditEvent
from casework.models import Case, Inquiry, Plan, ScheduledActivity
from casework.services.attendance import scheduled_activity_create
from casework.tests.plan_helpers import draft_plan
from referrals.models import Referral
from referrals.tests.helpers import consent_for, make_service, refer

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 3, 16, 10, 0))


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(caseworker):
    """Ana with $100 of emergency help this month; 'Anna', the same person registered again, paid
    $50 in January and February with $70 of it found to be an overpayment, plus a plan, an activity,
    an inquiry and a referral on her case."""
    ana, _case = client_case(caseworker, first_name="Ana", last_name="Okafor")
    request(caseworker, _case, amount="100.00")
    overpayment = investigated(caseworker)
    duplicate = overpayment.client
    duplicate_case = overpayment.case
    draft_plan(worker=caseworker, case=duplicate_case)
    scheduled_activity_create(
        acting_user=caseworker,
        case=duplicate_case,
        client=duplicate,
        name="Job club",
        weekly_hours=Decimal("10"),
        starts_on=date(2026, 3, 2),
    )
    Inquiry.objects.create(
        office=caseworker.office,
        channel=Inquiry.Channel.PHONE,
        source=Inquiry.Source.CLIENT,
        subject=Inquiry.Subject.PAYMENT,
        description="Asks when the March payment arrives.",
        client=duplicate,
        case=duplicate_case,
        response_due_on=date(2026, 3, 20),
        handled_by=caseworker,
        recorded_by=caseworker,
    )
    consent_for(duplicate, caseworker)
    refer(caseworker, duplicate_case, make_service())
    return ana, duplicate, overpayment


def merge(client, supervisor, survivor, duplicate):
    client.force_login(supervisor)
    return client.post(
        reverse("clients:merge", args=[survivor.pk]),
        {"duplicate": duplicate.pk, "reason": "Same person, registered twice", "confirm": "1"},
    )


def assert_ledger_balanced() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    unbalanced = (
        LedgerEntry.objects.order_by()
        .values("transaction_id")
        .annotate(total=Sum("amount"))
        .exclude(total=Decimal("0"))
    )
    assert not unbalanced.exists()


def test_the_survivors_ledger_shows_both_records_money_after_a_merge(client, caseworker, supervisor, pair):
    ana, duplicate, _overpayment = pair
    entries_before = {(e.pk, e.client_id, e.amount) for e in LedgerEntry.objects.all()}

    response = merge(client, supervisor, ana, duplicate)

    assert response.status_code == 302
    client.force_login(caseworker)
    page = text(client.get(reverse("assistance:client_ledger", args=[ana.pk])))
    # Ana's $100, and the duplicate's $100 paid less $70 not due: issued 130, paid 200, owed 70.
    assert "Income Support $130.00 $200.00 $70.00 $0.00" in page
    assert "Moved to the surviving record of a merged client" in page
    # Nothing is left on the hidden record, and no entry was changed: one transfer was added.
    assert client_balances(client_ids=[duplicate.pk])[duplicate.pk].owed == 0
    assert client_balances(client_ids=[duplicate.pk])[duplicate.pk].issued == 0
    assert client_balances(client_ids=[duplicate.pk])[duplicate.pk].paid == 0
    kept = LedgerEntry.objects.filter(pk__in=[pk for pk, *_ in entries_before])
    assert {(e.pk, e.client_id, e.amount) for e in kept} == entries_before
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TRANSFER).count() == 1
    assert_ledger_balanced()


def test_the_overpayment_and_the_rest_of_the_file_follow_the_survivor(client, caseworker, supervisor, pair):
    ana, duplicate, overpayment = pair

    merge(client, supervisor, ana, duplicate)

    overpayment.refresh_from_db()
    assert overpayment.client_id == ana.pk
    assert overpayment.balance == Decimal("70.00")
    # The overpayment's balance is still the sum of its receivable entries, now all on Ana.
    receivable = LedgerEntry.objects.filter(overpayment=overpayment).values("client_id").annotate(t=Sum("amount"))
    assert {row["client_id"]: row["t"] for row in receivable} == {ana.pk: Decimal("70.00"), duplicate.pk: Decimal("0")}
    for model in (Issuance, Overpayment, Plan, ScheduledActivity, Inquiry, Referral, Case):
        field = "primary_client" if model is Case else "client"
        assert not model.objects.filter(**{field: duplicate}).exists(), model.__name__
    assert Issuance.objects.filter(client=ana).count() == 3
    client.force_login(caseworker)
    page = text(client.get(reverse("assistance:overpayment_detail", args=[overpayment.pk])))
    assert "$70.00" in page
    assert "Ana Okafor" in page


def test_the_merge_is_one_audit_event_that_lists_what_moved(client, supervisor, pair):
    ana, duplicate, overpayment = pair

    merge(client, supervisor, ana, duplicate)

    event = AuditEvent.objects.get(action=AuditEvent.Action.MERGE)
    moved = event.changes["moved"]
    assert moved["overpayment"] == [overpayment.pk]
    assert len(moved["issuance"]) == 2
    assert moved["ledgertransaction"] == list(
        LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TRANSFER).values_list("pk", flat=True)
    )
    for name in ("plan", "scheduledactivity", "inquiry", "referral", "consent", "case"):
        assert moved.get(name), name


def test_a_merge_with_nothing_posted_adds_no_transfer(client, caseworker, supervisor):
    ana, _ = client_case(caseworker)
    other, _ = client_case(caseworker)

    merge(client, supervisor, ana, other)

    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TRANSFER).exists()


def test_two_plan_histories_on_one_case_become_one_and_keep_a_single_draft(client, caseworker, supervisor, pair):
    ana, duplicate, overpayment = pair
    # Both records are on the same case, each with a draft employment plan.
    Case.objects.filter(pk=overpayment.case_id).update(primary_client=ana)
    theirs = draft_plan(worker=caseworker, case=overpayment.case, client=ana)
    ours = Plan.objects.get(client=duplicate)

    assert merge(client, supervisor, ana, duplicate).status_code == 302

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.client_id, ours.version, ours.status) == (ana.pk, 2, Plan.Status.SUPERSEDED)
    assert (theirs.version, theirs.status) == (1, Plan.Status.DRAFT)
    moved = AuditEvent.objects.get(action=AuditEvent.Action.MERGE).changes["moved"]
    assert moved["plan_draft_superseded"] == [ours.pk]


def test_a_refusing_hook_leaves_everything_where_it_was(client, caseworker, supervisor, other_caseworker, pair):
    ana, duplicate, _overpayment = pair
    client.force_login(supervisor)
    transfer_to = other_caseworker.office
    client.post(
        reverse("casework:transfer_request", args=[duplicate.pk]),
        {"to_office": transfer_to.pk, "reason": "Moved south"},
    )

    response = merge(client, supervisor, ana, duplicate)

    assert response.status_code == 200
    assert "is waiting" in text(response)
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert Overpayment.objects.get().client_id == duplicate.pk
    assert Plan.objects.get(client=duplicate)
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TRANSFER).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_transfer_passes_the_ledger_triggers(client, caseworker, supervisor, pair):
    ana, duplicate, _overpayment = pair

    response = merge(client, supervisor, ana, duplicate)

    assert response.status_code == 302
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.TRANSFER).count() == 1
    assert client_balances(client_ids=[ana.pk])[ana.pk].owed == Decimal("70.00")
    assert_ledger_balanced()
