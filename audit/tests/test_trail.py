"""The audit trail: nobody can rewrite it, and the auditor can find what happened, by whom, from where."""

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, transaction
from django.urls import reverse

from audit.models import AppendOnlyError, AuditEvent, AuditEventClient
from audit.services import audit_record
from tests import app_role
from tests.factories import ClientFactory, case_for

TRAIL = reverse("audit:trail")


@pytest.fixture
def event(caseworker) -> AuditEvent:
    return audit_record(
        actor=caseworker,
        action=AuditEvent.Action.VIEW,
        object_type="clients.client",
        object_id=7,
        object_repr="Original entry",
        client_ids=[7, 8],
        changes={"page": "overview"},
    )


def unchanged(event: AuditEvent) -> bool:
    row = AuditEvent.objects.get(pk=event.pk)
    subjects = set(AuditEventClient.objects.filter(event_id=event.pk).values_list("client_id", flat=True))
    return (row.object_repr, row.reason, row.action, subjects) == ("Original entry", "", "view", {7, 8})


# Append-only, in the application ---------------------------------------------------------


class TestAppendOnly:
    def test_changing_a_saved_event_is_refused(self, event):
        event.reason = "tidied up"
        event.object_repr = "Something else"

        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.save(update_fields=["reason"])

        assert unchanged(event)

    def test_a_new_object_given_a_saved_events_number_does_not_overwrite_it(self, event):
        forged = AuditEvent(pk=event.pk, action=AuditEvent.Action.VIEW, object_repr="Forged entry")

        # SQLite: the key is taken. PostgreSQL: the trail's ids are the database's alone (GENERATED
        # ALWAYS, since the monthly partitions' key is (id, at) and cannot refuse the id by itself).
        with pytest.raises((IntegrityError, ProgrammingError)), transaction.atomic():
            forged.save()

        assert unchanged(event)
        assert AuditEvent.objects.count() == 1

    def test_deleting_an_event_is_refused(self, event):
        with pytest.raises(AppendOnlyError):
            event.delete()
        assert unchanged(event)

    def test_updating_events_in_bulk_is_refused(self, event):
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(reason="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().update(object_repr="x")
        event.reason = "x"
        # bulk_update runs in the caller's transaction without a savepoint: give it one.
        with pytest.raises(AppendOnlyError), transaction.atomic():
            AuditEvent.objects.bulk_update([event], ["reason"])
        assert unchanged(event)

    def test_deleting_events_in_bulk_is_refused(self, event):
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()
        assert unchanged(event)

    def test_which_clients_an_event_concerns_cannot_be_changed_or_removed(self, event):
        subject = AuditEventClient.objects.filter(event=event).order_by("client_id").first()

        with pytest.raises(AppendOnlyError):
            AuditEventClient.objects.filter(event=event).update(client_id=99)
        with pytest.raises(AppendOnlyError):
            AuditEventClient.objects.filter(event=event).delete()
        subject.client_id = 99
        with pytest.raises(AppendOnlyError):
            subject.save()
        with pytest.raises(AppendOnlyError):
            subject.delete()

        assert unchanged(event)

    def test_new_events_can_still_be_added(self, event, caseworker):
        audit_record(actor=caseworker, action=AuditEvent.Action.SEARCH, object_repr="client search", client_ids=[7])
        assert AuditEvent.objects.count() == 2


# Append-only, in the database ------------------------------------------------------------


@pytest.mark.postgres
class TestDatabaseTrigger:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditevent SET reason = 'x'",
            "UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %(pk)s",
            "DELETE FROM audit_auditevent",
            "DELETE FROM audit_auditevent WHERE id = %(pk)s",
            "UPDATE audit_auditeventclient SET client_id = 99",
            "DELETE FROM audit_auditeventclient",
        ],
    )
    def test_raw_sql_cannot_rewrite_or_remove_the_trail(self, event, sql):
        # The trigger holds for the owner too; the application's role is refused before it.
        with (
            app_role.as_owner(),
            pytest.raises(DatabaseError) as excinfo,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql % {"pk": int(event.pk)})

        assert "append-only" in str(excinfo.value)
        assert unchanged(event)

    def test_raw_sql_can_still_add_to_the_trail(self, event):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent"
                " (at, actor_name, action, object_type, object_id, object_repr, changes, reason)"
                " VALUES (now(), 'system', 'view', '', '', 'raw insert', '{}', '')"
            )
        assert AuditEvent.objects.filter(object_repr="raw insert").exists()


# The trail page --------------------------------------------------------------------------


def dated(actor, action: str, label: str, client_ids: list[int], day: date) -> AuditEvent:
    """An event from an earlier day (audit_record always stamps 'now'): inserted, as the trail only ever is."""
    event = AuditEvent.objects.create(
        at=datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC),  # 11:00 or 12:00 in the agency's time zone
        actor=actor,
        actor_name=actor.username,
        action=action,
        object_repr=label,
        ip_address="192.0.2.10",
    )
    AuditEventClient.objects.bulk_create(AuditEventClient(event=event, client_id=i) for i in client_ids)
    return event


class TestTrailPage:
    @pytest.fixture
    def trail(self, caseworker, supervisor):
        dated(caseworker, "view", "entry-alpha", [101], date(2025, 3, 3))
        dated(caseworker, "update", "entry-bravo", [101, 102], date(2025, 3, 10))
        dated(supervisor, "merge", "entry-charlie", [102], date(2025, 3, 17))
        dated(supervisor, "view", "entry-delta", [103], date(2025, 3, 24))

    def shown(self, response) -> set[str]:
        assert response.status_code == 200
        html = response.content.decode()
        return {label for label in ("entry-alpha", "entry-bravo", "entry-charlie", "entry-delta") if label in html}

    def test_the_auditor_sees_the_whole_trail(self, client, auditor, trail):
        client.force_login(auditor)
        response = client.get(TRAIL)
        assert self.shown(response) == {"entry-alpha", "entry-bravo", "entry-charlie", "entry-delta"}
        # Signing in is itself in the trail, so count what is there now.
        assert f"{AuditEvent.objects.count()} events, newest first" in response.content.decode()

    def test_filter_by_client(self, client, auditor, trail):
        client.force_login(auditor)
        assert self.shown(client.get(TRAIL, {"client": 101})) == {"entry-alpha", "entry-bravo"}
        assert self.shown(client.get(TRAIL, {"client": 102})) == {"entry-bravo", "entry-charlie"}
        assert self.shown(client.get(TRAIL, {"client": 999})) == set()

    def test_filter_by_user(self, client, auditor, caseworker, supervisor, trail):
        client.force_login(auditor)
        assert self.shown(client.get(TRAIL, {"actor": caseworker.pk})) == {"entry-alpha", "entry-bravo"}
        assert self.shown(client.get(TRAIL, {"actor": supervisor.pk})) == {"entry-charlie", "entry-delta"}

    def test_filter_by_action(self, client, auditor, trail):
        client.force_login(auditor)
        assert self.shown(client.get(TRAIL, {"action": "view"})) == {"entry-alpha", "entry-delta"}
        assert self.shown(client.get(TRAIL, {"action": "merge"})) == {"entry-charlie"}

    def test_filter_by_dates(self, client, auditor, trail):
        client.force_login(auditor)
        assert self.shown(client.get(TRAIL, {"since": "2025-03-10"})) == {"entry-bravo", "entry-charlie", "entry-delta"}
        assert self.shown(client.get(TRAIL, {"until": "2025-03-10"})) == {"entry-alpha", "entry-bravo"}
        assert self.shown(client.get(TRAIL, {"since": "2025-03-10", "until": "2025-03-17"})) == {
            "entry-bravo",
            "entry-charlie",
        }
        assert self.shown(client.get(TRAIL, {"since": "2025-03-17", "until": "2025-03-17"})) == {"entry-charlie"}

    def test_filters_combine(self, client, auditor, caseworker, trail):
        client.force_login(auditor)
        response = client.get(TRAIL, {"client": 101, "actor": caseworker.pk, "action": "update", "since": "2025-03-05"})
        assert self.shown(response) == {"entry-bravo"}

    def test_a_range_ending_before_it_starts_is_pointed_out(self, client, auditor, trail):
        client.force_login(auditor)
        response = client.get(TRAIL, {"since": "2025-03-20", "until": "2025-03-01"})
        assert "The end of the range is before its start." in response.content.decode()

    def test_the_page_shows_the_address_a_client_file_was_read_from(self, client, caseworker, auditor, north):
        john = ClientFactory(office=north, first_name="John", last_name="Smith")
        case_for(john, caseworker)
        client.force_login(caseworker)
        # A forged X-Forwarded-For is ignored unless the agency runs behind a trusted proxy.
        response = client.get(
            reverse("clients:detail", args=[john.pk]), REMOTE_ADDR="203.0.113.57", HTTP_X_FORWARDED_FOR="198.51.100.1"
        )
        assert response.status_code == 200
        viewed = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
        assert viewed.ip_address == "203.0.113.57"
        assert viewed.actor == caseworker

        client.force_login(auditor)
        response = client.get(TRAIL, {"client": john.pk})

        html = response.content.decode()
        assert "203.0.113.57" in html
        assert "198.51.100.1" not in html

    def test_the_address_is_taken_from_x_forwarded_for_only_behind_a_trusted_proxy(
        self, client, caseworker, north, settings
    ):
        settings.AUDIT_TRUST_X_FORWARDED_FOR = True
        john = ClientFactory(office=north)
        case_for(john, caseworker)
        client.force_login(caseworker)
        client.get(
            reverse("clients:detail", args=[john.pk]),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.1",
        )
        assert AuditEvent.objects.get(action=AuditEvent.Action.VIEW).ip_address == "198.51.100.1"

    @pytest.mark.parametrize("persona", ["caseworker", "supervisor", "other_caseworker"])
    def test_staff_without_the_auditor_or_admin_role_cannot_read_the_trail(self, client, request, persona, trail):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(TRAIL).status_code == 403

    def test_an_admin_can_read_the_trail(self, client, admin_user, trail):
        client.force_login(admin_user)
        assert self.shown(client.get(TRAIL)) == {"entry-alpha", "entry-bravo", "entry-charlie", "entry-delta"}

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, trail):
        response = client.get(TRAIL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_an_event_with_no_acting_user_is_written_as_the_system(db):
    event = audit_record(actor=None, action=AuditEvent.Action.UPDATE, object_repr="nightly job")
    assert event.actor is None
    assert event.actor_name == "system"
    assert event.ip_address is None
