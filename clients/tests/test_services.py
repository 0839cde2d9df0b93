"""The client registry's services, as a caseworker, supervisor or admin would meet them.

Clients whose creation carries rules (identifiers, households, consent, documents) are made
through the services; plain related rows (an income, a restricted client) through factories.
A user sees a client through a case, so a client a test looks for gets one (`case_for`).
"""

import dataclasses
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import BreakGlassGrant
from audit.models import AuditEvent, AuditEventClient
from audit.services import REDACTED
from clients.models import Asset, Client, Consent, Document, Expense, Household, HouseholdMembership, Income
from clients.selectors import ClientSearch, client_search, clients_visible
from clients.services import (
    ClientInput,
    MemberError,
    MemberInput,
    break_glass_open,
    client_create,
    client_identifier_reveal,
    client_merge,
    client_update,
    consent_record,
    consent_revoke,
    document_upload,
    finance_record_save,
    household_register,
)
from tests.documents import pdf_bytes
from tests.factories import ClientFactory, IncomeFactory, UserFactory, case_for

VALID_SIN = "130 692 544"  # passes the Luhn check; begins with a digit that SINs are issued with
PDF_BYTES = pdf_bytes()
# One frozen moment (10:00 in Chicago on 12 March 2026): "today" and grant expiry never move under a test.
NOW = datetime(2026, 3, 12, 15, tzinfo=UTC)
TODAY = date(2026, 3, 12)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def today() -> date:
    return TODAY


def person(**overrides) -> ClientInput:
    values = {
        "first_name": "John",
        "last_name": "Smith",
        "date_of_birth": date(1980, 4, 12),
        "phone": "555-201-3344",
        "city": "Riverton",
    }
    values.update(overrides)
    return ClientInput(**values)


def events(action: str | None = None):
    qs = AuditEvent.objects.order_by("id")
    return qs.filter(action=action) if action else qs


def subjects(event: AuditEvent) -> set[int]:
    return set(AuditEventClient.objects.filter(event=event).values_list("client_id", flat=True))


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    """Documents go to a folder of this test's own, so 'nothing left behind' can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# Registering and changing a client -------------------------------------------------------


class TestClientCreate:
    def test_a_client_is_registered_with_an_audit_event_holding_the_new_values(self, caseworker, north):
        client = client_create(acting_user=caseworker, office=north, data=person())

        assert Client.objects.get(pk=client.pk).full_name == "John Smith"
        (event,) = events()
        assert event.action == AuditEvent.Action.CREATE
        assert event.actor == caseworker
        assert event.object_type == "clients.client"
        assert event.object_id == str(client.pk)
        assert subjects(event) == {client.pk}
        assert event.changes["first_name"] == [None, "John"]
        assert event.changes["date_of_birth"] == [None, "1980-04-12"]
        assert event.changes["office_id"] == [None, north.pk]

    def test_future_date_of_birth_is_refused_and_nothing_is_saved(self, caseworker, north):
        with pytest.raises(ValidationError) as excinfo:
            client_create(acting_user=caseworker, office=north, data=person(date_of_birth=today() + timedelta(days=1)))

        assert "date_of_birth" in error_fields(excinfo)
        assert not Client.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_date_of_birth_today_is_accepted(self, caseworker, north):
        client = client_create(acting_user=caseworker, office=north, data=person(date_of_birth=today()))
        assert client.pk is not None

    @pytest.mark.parametrize(
        "ssn",
        [
            "123-45-678",  # eight digits
            "123-45-67890",  # ten digits
            "000-12-3456",  # area 000
            "666-12-3456",  # area 666
            "912-34-5678",  # area 9xx
            "987-65-4321",  # area 9xx
            "123-00-4567",  # group 00
            "123-45-0000",  # serial 0000
            "12a-45-6789",  # a letter
        ],
    )
    def test_malformed_ssn_is_refused_and_nothing_is_saved(self, caseworker, north, ssn):
        with pytest.raises(ValidationError) as excinfo:
            client_create(acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier=ssn))

        assert error_fields(excinfo) == {"identifier"}
        assert not Client.objects.exists()
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize("ssn", ["123-45-6789", "123456789", "123 45 6789"])
    def test_a_well_formed_ssn_is_accepted_however_it_is_typed(self, caseworker, north, ssn):
        client = client_create(acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier=ssn))
        assert client.identifier_last4 == "6789"
        assert client.masked_identifier.endswith("6789")

    def test_sin_passing_the_luhn_check_is_accepted(self, caseworker, north):
        client = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier=VALID_SIN)
        )
        assert client.identifier_kind == "sin"
        assert client.identifier_last4 == "2544"

    @pytest.mark.parametrize(
        "sin",
        [
            "130 692 545",  # last digit off: fails the Luhn check
            "046 454 287",  # fails the Luhn check
            "130 692 54",  # eight digits
        ],
    )
    def test_sin_failing_the_luhn_check_or_length_is_refused(self, caseworker, north, sin):
        with pytest.raises(ValidationError) as excinfo:
            client_create(acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier=sin))
        assert error_fields(excinfo) == {"identifier"}
        assert not Client.objects.exists()

    @pytest.mark.parametrize(
        "sin",
        [
            "046 454 286",  # the Government of Canada's published sample SIN: passes Luhn, begins with 0
            "846 454 288",  # passes Luhn, begins with 8
        ],
    )
    def test_sin_beginning_with_0_or_8_is_refused_even_when_it_passes_luhn(self, caseworker, north, sin):
        # clients.identifiers: no SIN is issued beginning with 0 or 8 (0 is kept for samples like this one).
        with pytest.raises(ValidationError) as excinfo:
            client_create(acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier=sin))
        assert error_fields(excinfo) == {"identifier"}
        assert not Client.objects.exists()

    def test_identifier_without_its_kind_is_refused(self, caseworker, north):
        with pytest.raises(ValidationError) as excinfo:
            client_create(acting_user=caseworker, office=north, data=person(identifier="123-45-6789"))
        assert "identifier_kind" in error_fields(excinfo)

    def test_identifier_already_on_another_client_is_refused_without_naming_them(self, caseworker, north, south):
        other_worker = UserFactory(office=south, roles=["caseworker"])
        client_create(
            acting_user=other_worker,
            office=south,
            data=person(first_name="Marguerite", last_name="Okonkwo", identifier_kind="sin", identifier=VALID_SIN),
        )

        with pytest.raises(ValidationError) as excinfo:
            client_create(
                acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier="130-692-544")
            )

        messages = " ".join(excinfo.value.message_dict["identifier"])
        assert "already recorded for another client" in messages
        assert "Marguerite" not in messages
        assert "Okonkwo" not in messages
        assert "South" not in messages
        assert Client.objects.count() == 1

    def test_same_digits_as_ssn_and_as_sin_are_different_identifiers(self, caseworker, north):
        client_create(acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier=VALID_SIN))
        client_create(
            acting_user=caseworker,
            office=north,
            data=person(first_name="Jane", identifier_kind="ssn", identifier="130-69-2544"),
        )
        assert Client.objects.count() == 2

    def test_identifier_is_stored_encrypted_with_a_hash_and_the_last_four(self, caseworker, north):
        client = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier="123-45-6789")
        )
        stored = Client.objects.get(pk=client.pk)

        assert stored.identifier_encrypted
        assert "123456789" not in stored.identifier_encrypted
        assert "6789" not in stored.identifier_encrypted
        assert re.fullmatch(r"[0-9a-f]{64}", stored.identifier_hash)
        assert "123456789" not in stored.identifier_hash
        assert stored.identifier_last4 == "6789"

    def test_audit_event_shows_the_identifier_only_as_hidden(self, caseworker, north):
        client = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier="123-45-6789")
        )
        (event,) = events(AuditEvent.Action.CREATE)

        assert event.changes["identifier_hash"] == [REDACTED, REDACTED]
        written = json.dumps(event.changes)
        assert "123456789" not in written
        assert "123-45-6789" not in written
        assert client.identifier_hash not in written
        assert client.identifier_encrypted not in written


class TestClientUpdate:
    @pytest.fixture
    def registered(self, caseworker, north):
        data = person(identifier_kind="ssn", identifier="123-45-6789")
        return client_create(acting_user=caseworker, office=north, data=data), data

    def test_a_change_is_saved_and_the_trail_keeps_old_and_new_values(self, caseworker, registered):
        client, data = registered

        client_update(
            acting_user=caseworker, client=client, data=dataclasses.replace(data, last_name="Smyth", city="Lakeside")
        )

        client.refresh_from_db()
        assert client.last_name == "Smyth"
        assert client.search_name == "john smyth"
        (event,) = events(AuditEvent.Action.UPDATE)
        assert event.actor == caseworker
        assert subjects(event) == {client.pk}
        assert event.changes == {"last_name": ["Smith", "Smyth"], "city": ["Riverton", "Lakeside"]}

    def test_an_update_that_changes_nothing_writes_no_event(self, caseworker, registered):
        client, data = registered
        before = AuditEvent.objects.count()

        client_update(acting_user=caseworker, client=client, data=data)
        client_update(acting_user=caseworker, client=client, data=dataclasses.replace(data, identifier=""))

        assert AuditEvent.objects.count() == before
        assert not events(AuditEvent.Action.UPDATE).exists()

    def test_future_date_of_birth_is_refused_and_nothing_changes(self, caseworker, registered):
        client, data = registered

        with pytest.raises(ValidationError) as excinfo:
            client_update(
                acting_user=caseworker,
                client=client,
                data=dataclasses.replace(data, date_of_birth=today() + timedelta(days=30), city="Lakeside"),
            )

        assert "date_of_birth" in error_fields(excinfo)
        client.refresh_from_db()
        assert client.date_of_birth == date(1980, 4, 12)
        assert client.city == "Riverton"
        assert not events(AuditEvent.Action.UPDATE).exists()

    def test_malformed_ssn_is_refused_and_the_old_one_is_kept(self, caseworker, registered):
        client, data = registered
        old_hash = client.identifier_hash

        with pytest.raises(ValidationError) as excinfo:
            client_update(
                acting_user=caseworker, client=client, data=dataclasses.replace(data, identifier="666-12-3456")
            )

        assert error_fields(excinfo) == {"identifier"}
        client.refresh_from_db()
        assert client.identifier_hash == old_hash
        assert client.identifier_last4 == "6789"

    def test_changing_the_identifier_is_recorded_only_as_hidden(self, caseworker, registered):
        client, data = registered

        client_update(
            acting_user=caseworker,
            client=client,
            data=dataclasses.replace(data, identifier_kind="sin", identifier=VALID_SIN),
        )

        client.refresh_from_db()
        assert client.identifier_last4 == "2544"
        (event,) = events(AuditEvent.Action.UPDATE)
        assert event.changes["identifier_hash"] == [REDACTED, REDACTED]
        assert event.changes["identifier_kind"] == ["ssn", "sin"]
        written = json.dumps(event.changes)
        assert "130692544" not in written
        assert client.identifier_hash not in written

    def test_identifier_already_on_another_client_is_refused_without_naming_them(self, caseworker, north, registered):
        _, _ = registered
        data = person(first_name="Jane", last_name="Doe")
        jane = client_create(acting_user=caseworker, office=north, data=data)

        with pytest.raises(ValidationError) as excinfo:
            client_update(
                acting_user=caseworker,
                client=jane,
                data=dataclasses.replace(data, identifier_kind="ssn", identifier="123456789"),
            )

        message = " ".join(excinfo.value.message_dict["identifier"])
        assert "another client" in message
        assert "John" not in message
        assert "Smith" not in message
        jane.refresh_from_db()
        assert jane.identifier_hash is None
        assert not events(AuditEvent.Action.UPDATE).exists()


class TestIdentifierReveal:
    def test_caseworker_may_not_see_the_full_identifier(self, caseworker, north):
        client = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier="123-45-6789")
        )

        with pytest.raises(PermissionDenied):
            client_identifier_reveal(acting_user=caseworker, client=client)
        assert not events(AuditEvent.Action.REVEAL).exists()

    @pytest.mark.parametrize(
        ("kind", "typed", "shown"),
        [("ssn", "123456789", "123-45-6789"), ("sin", "130692544", "130 692 544")],
    )
    def test_supervisor_sees_the_formatted_number_and_the_reveal_is_recorded(
        self, caseworker, supervisor, north, kind, typed, shown
    ):
        client = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind=kind, identifier=typed)
        )

        assert client_identifier_reveal(acting_user=supervisor, client=client) == shown

        (event,) = events(AuditEvent.Action.REVEAL)
        assert event.actor == supervisor
        assert subjects(event) == {client.pk}
        assert typed not in json.dumps(event.changes)


# Households ------------------------------------------------------------------------------


class TestHouseholdRegister:
    def test_a_household_and_its_new_members_are_registered_together(self, caseworker, north):
        household = household_register(
            acting_user=caseworker,
            office=north,
            members=[
                MemberInput(relationship="head", new=person()),
                MemberInput(relationship="child", new=person(first_name="Amy", date_of_birth=date(2015, 3, 1))),
            ],
        )

        assert household.name == "Smith household"
        members = HouseholdMembership.objects.filter(household=household, end_date__isnull=True)
        assert sorted(m.client.first_name for m in members) == ["Amy", "John"]
        assert members.get(relationship="head").client.first_name == "John"

    @pytest.mark.parametrize(
        "relationships",
        [["spouse", "child"], ["head", "head"], []],
        ids=["no head", "two heads", "no members"],
    )
    def test_a_household_needs_exactly_one_head(self, caseworker, north, relationships):
        members = [
            MemberInput(relationship=rel, new=person(first_name=f"Member{i}")) for i, rel in enumerate(relationships)
        ]
        with pytest.raises(ValidationError):
            household_register(acting_user=caseworker, office=north, members=members)

        assert not Household.objects.exists()
        assert not Client.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_bad_input_on_one_member_saves_nothing_and_says_which_member(self, caseworker, north):
        members = [
            MemberInput(relationship="head", new=person()),
            MemberInput(relationship="child", new=person(first_name="Amy", date_of_birth=today() + timedelta(days=3))),
            MemberInput(relationship="child", new=person(first_name="Ben", date_of_birth=date(2016, 1, 1))),
        ]

        with pytest.raises(MemberError) as excinfo:
            household_register(acting_user=caseworker, office=north, members=members)

        assert excinfo.value.index == 1
        assert "date_of_birth" in excinfo.value.message_dict
        assert not Household.objects.exists()
        assert not Client.objects.exists()
        assert not HouseholdMembership.objects.exists()
        assert not AuditEvent.objects.exists()
        assert not AuditEventClient.objects.exists()

    def test_a_member_whose_identifier_is_taken_saves_nothing(self, caseworker, north):
        client_create(acting_user=caseworker, office=north, data=person(identifier_kind="sin", identifier=VALID_SIN))
        already = AuditEvent.objects.count()

        with pytest.raises(MemberError) as excinfo:
            household_register(
                acting_user=caseworker,
                office=north,
                members=[
                    MemberInput(relationship="head", new=person(first_name="Ann", last_name="Lee")),
                    MemberInput(
                        relationship="spouse",
                        new=person(first_name="Bo", last_name="Lee", identifier_kind="sin", identifier=VALID_SIN),
                    ),
                ],
            )

        assert excinfo.value.index == 1
        assert "identifier" in excinfo.value.message_dict
        assert Client.objects.count() == 1
        assert not Household.objects.exists()
        assert AuditEvent.objects.count() == already

    def test_an_existing_client_joining_a_new_household_leaves_the_old_one_and_history_keeps_both(
        self, caseworker, north
    ):
        john = client_create(acting_user=caseworker, office=north, data=person())
        first = household_register(
            acting_user=caseworker,
            office=north,
            members=[MemberInput(relationship="head", existing=john)],
            name="Old household",
            start_date=date(2024, 1, 1),
        )

        second = household_register(
            acting_user=caseworker,
            office=north,
            members=[
                MemberInput(relationship="head", new=person(first_name="Mary", last_name="Jones")),
                MemberInput(relationship="spouse", existing=john),
            ],
        )

        history = list(HouseholdMembership.objects.filter(client=john).order_by("start_date"))
        assert [(m.household, m.relationship, m.start_date, m.end_date) for m in history] == [
            (first, "head", date(2024, 1, 1), today()),
            (second, "spouse", today(), None),
        ]
        assert second.name == "Jones household"
        ended = events(AuditEvent.Action.UPDATE).get(object_type="clients.householdmembership")
        assert ended.changes == {"end_date": [None, today().isoformat()]}
        assert subjects(ended) == {john.pk}


# Income, expenses and assets -------------------------------------------------------------


class TestFinanceRecordSave:
    @pytest.fixture
    def client(self, north):
        return ClientFactory(office=north)

    def income_values(self, **overrides):
        values = {
            "kind": "earned",
            "amount": Decimal("1450.00"),
            "frequency": "monthly",
            "start_date": date(2025, 2, 1),
            "end_date": None,
        }
        values.update(overrides)
        return values

    def test_a_new_income_is_saved_and_recorded(self, caseworker, client):
        income = finance_record_save(acting_user=caseworker, record=Income(client=client), values=self.income_values())

        assert Income.objects.get(pk=income.pk).amount == Decimal("1450.00")
        (event,) = events(AuditEvent.Action.CREATE)
        assert event.changes["amount"] == [None, "1450.00"]
        assert subjects(event) == {client.pk}

    def test_income_ending_before_it_starts_is_refused(self, caseworker, client):
        values = self.income_values(start_date=date(2025, 5, 1), end_date=date(2025, 4, 30))

        with pytest.raises(ValidationError) as excinfo:
            finance_record_save(acting_user=caseworker, record=Income(client=client), values=values)

        assert error_fields(excinfo) == {"end_date"}
        assert not Income.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_negative_amount_is_refused(self, caseworker, client):
        with pytest.raises(ValidationError) as excinfo:
            finance_record_save(
                acting_user=caseworker,
                record=Expense(client=client),
                values={**self.income_values(), "kind": "rent", "amount": Decimal("-5.00")},
            )

        assert error_fields(excinfo) == {"amount"}
        assert not Expense.objects.exists()

    def test_negative_asset_value_is_refused(self, caseworker, client):
        with pytest.raises(ValidationError) as excinfo:
            finance_record_save(
                acting_user=caseworker,
                record=Asset(client=client),
                values={"kind": "vehicle", "value": Decimal("-1"), "as_of": date(2025, 1, 1)},
            )
        assert error_fields(excinfo) == {"value"}
        assert not Asset.objects.exists()

    def test_amount_with_three_decimals_is_refused(self, caseworker, client):
        with pytest.raises(ValidationError) as excinfo:
            finance_record_save(
                acting_user=caseworker,
                record=Income(client=client),
                values=self.income_values(amount=Decimal("10.125")),
            )

        assert error_fields(excinfo) == {"amount"}
        assert not Income.objects.exists()

    def test_a_change_is_recorded_with_old_and_new_values(self, caseworker, client):
        income = IncomeFactory(client=client, amount=Decimal("1200.00"), frequency="monthly")

        finance_record_save(
            acting_user=caseworker,
            record=income,
            values={"amount": Decimal("1350.50"), "frequency": "biweekly"},
        )

        income.refresh_from_db()
        assert income.amount == Decimal("1350.50")
        (event,) = events(AuditEvent.Action.UPDATE)
        assert event.changes == {"amount": ["1200.00", "1350.50"], "frequency": ["monthly", "biweekly"]}
        assert subjects(event) == {client.pk}

    def test_a_refused_change_leaves_the_record_as_it_was(self, caseworker, client):
        income = IncomeFactory(client=client, start_date=date(2025, 1, 1))

        with pytest.raises(ValidationError):
            finance_record_save(acting_user=caseworker, record=income, values={"end_date": date(2024, 12, 31)})

        income.refresh_from_db()
        assert income.end_date is None
        assert not AuditEvent.objects.exists()


# Documents -------------------------------------------------------------------------------


class TestDocumentUpload:
    @pytest.fixture
    def client(self, caseworker, north):
        return client_create(
            acting_user=caseworker, office=north, data=person(first_name="Rosalind", last_name="Quist")
        )

    def test_a_good_document_is_kept_under_a_random_name(self, caseworker, client, storage):
        upload = SimpleUploadedFile("Rosalind Quist lease.pdf", PDF_BYTES, content_type="application/pdf")

        document = document_upload(acting_user=caseworker, client=client, kind="lease", upload=upload)

        document.refresh_from_db()
        assert document.original_name == "Rosalind Quist lease.pdf"
        assert document.content_type == "application/pdf"
        assert document.size == len(PDF_BYTES)
        assert re.fullmatch(r"[0-9a-f]{32}", document.storage_token)
        assert re.fullmatch(rf"documents/\d{{4}}/\d{{2}}/{document.storage_token}", document.file.name)
        for word in ("Rosalind", "Quist", "lease", ".pdf"):
            assert word.lower() not in document.file.name.lower()
        assert stored_files(storage) == [storage / document.file.name]
        assert (storage / document.file.name).read_bytes() == PDF_BYTES
        (event,) = events(AuditEvent.Action.CREATE).filter(object_type="clients.document")
        assert subjects(event) == {client.pk}

    def test_two_uploads_of_the_same_file_get_different_names(self, caseworker, client, storage):
        first = document_upload(
            acting_user=caseworker, client=client, kind="lease", upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )
        second = document_upload(
            acting_user=caseworker, client=client, kind="lease", upload=SimpleUploadedFile("a.pdf", PDF_BYTES)
        )
        assert first.file.name != second.file.name
        assert len(stored_files(storage)) == 2

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
            ("payload.pdf.exe", PDF_BYTES),
            ("no-extension", PDF_BYTES),
            ("macro.docm", b"PK\x03\x04"),
        ],
        ids=["exe", "double extension", "no extension", "docm"],
    )
    def test_forbidden_type_is_refused_and_nothing_is_kept(self, caseworker, client, storage, name, content):
        before = AuditEvent.objects.count()

        with pytest.raises(ValidationError) as excinfo:
            document_upload(
                acting_user=caseworker, client=client, kind="other", upload=SimpleUploadedFile(name, content)
            )

        assert error_fields(excinfo) == {"file"}
        assert not Document.objects.exists()
        assert stored_files(storage) == []
        assert AuditEvent.objects.count() == before

    def test_a_pdf_name_on_bytes_that_are_not_pdf_is_refused(self, caseworker, client, storage):
        fake = SimpleUploadedFile(
            "statement.pdf", b"MZ\x90\x00this is really a program", content_type="application/pdf"
        )

        with pytest.raises(ValidationError) as excinfo:
            document_upload(acting_user=caseworker, client=client, kind="bank_statement", upload=fake)

        assert "not a PDF" in " ".join(excinfo.value.message_dict["file"])
        assert not Document.objects.exists()
        assert stored_files(storage) == []

    def test_too_large_a_file_is_refused_and_nothing_is_kept(self, caseworker, client, storage, settings):
        settings.DOCUMENT_MAX_BYTES = 64
        big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"x" * 64)

        with pytest.raises(ValidationError) as excinfo:
            document_upload(acting_user=caseworker, client=client, kind="other", upload=big)

        assert "larger than" in " ".join(excinfo.value.message_dict["file"])
        assert not Document.objects.exists()
        assert stored_files(storage) == []

    def test_an_empty_file_is_refused(self, caseworker, client, storage):
        with pytest.raises(ValidationError):
            document_upload(
                acting_user=caseworker, client=client, kind="other", upload=SimpleUploadedFile("e.txt", b"")
            )
        assert not Document.objects.exists()
        assert stored_files(storage) == []


# Consent ---------------------------------------------------------------------------------


class TestConsent:
    @pytest.fixture
    def client(self, north):
        return ClientFactory(office=north)

    @pytest.fixture
    def consent(self, caseworker, client):
        return consent_record(
            acting_user=caseworker,
            client=client,
            organization="  Riverton Food Bank ",
            purpose="referral",
            granted_on=date(2025, 6, 1),
            expires_on=date(2026, 5, 31),
        )

    def test_consent_is_recorded_with_an_audit_event(self, caseworker, client, consent):
        assert consent.organization == "Riverton Food Bank"
        assert consent.recorded_by == caseworker
        (event,) = events(AuditEvent.Action.CREATE)
        assert event.changes["granted_on"] == [None, "2025-06-01"]
        assert subjects(event) == {client.pk}

    def test_consent_granted_in_the_future_is_refused(self, caseworker, client):
        with pytest.raises(ValidationError) as excinfo:
            consent_record(
                acting_user=caseworker,
                client=client,
                organization="Clinic",
                purpose="referral",
                granted_on=today() + timedelta(days=1),
            )
        assert "granted_on" in error_fields(excinfo)
        assert not Consent.objects.exists()

    def test_consent_expiring_before_it_was_given_is_refused(self, caseworker, client):
        with pytest.raises(ValidationError) as excinfo:
            consent_record(
                acting_user=caseworker,
                client=client,
                organization="Clinic",
                purpose="referral",
                granted_on=date(2025, 6, 1),
                expires_on=date(2025, 5, 1),
            )
        assert "expires_on" in error_fields(excinfo)
        assert not Consent.objects.exists()

    def test_revoking_before_it_was_granted_is_refused(self, caseworker, consent):
        with pytest.raises(ValidationError) as excinfo:
            consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2025, 5, 31))

        assert "revoked_on" in error_fields(excinfo)
        consent.refresh_from_db()
        assert consent.revoked_on is None
        assert not events(AuditEvent.Action.UPDATE).exists()

    def test_revoking_in_the_future_is_refused(self, caseworker, consent):
        with pytest.raises(ValidationError):
            consent_revoke(acting_user=caseworker, consent=consent, revoked_on=today() + timedelta(days=1))
        consent.refresh_from_db()
        assert consent.revoked_on is None

    def test_revoking_twice_is_refused_and_the_first_date_stands(self, caseworker, consent):
        consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2025, 9, 1))

        with pytest.raises(ValidationError):
            consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2025, 10, 1))

        consent.refresh_from_db()
        assert consent.revoked_on == date(2025, 9, 1)
        (event,) = events(AuditEvent.Action.UPDATE)
        assert event.changes == {"revoked_on": [None, "2025-09-01"]}

    def test_consent_is_in_force_from_grant_until_revoked_or_expired(self, caseworker, consent):
        assert not consent.in_force_on(date(2025, 5, 31))
        assert consent.in_force_on(date(2025, 6, 1))
        assert consent.in_force_on(date(2026, 5, 31))
        assert not consent.in_force_on(date(2026, 6, 1))

        revoked = consent_revoke(acting_user=caseworker, consent=consent, revoked_on=date(2025, 9, 1))

        assert revoked.in_force_on(date(2025, 8, 31))
        assert not revoked.in_force_on(date(2025, 9, 1))
        assert not revoked.in_force_on(date(2025, 12, 1))


# Merging duplicates ----------------------------------------------------------------------


class TestClientMerge:
    @pytest.fixture
    def pair(self, caseworker, north):
        survivor = client_create(acting_user=caseworker, office=north, data=person())
        duplicate = client_create(
            acting_user=caseworker,
            office=north,
            data=person(first_name="Jon", last_name="Smithe", identifier_kind="sin", identifier=VALID_SIN),
        )
        return survivor, duplicate

    def test_caseworker_may_not_merge(self, caseworker, pair):
        survivor, duplicate = pair
        with pytest.raises(PermissionDenied):
            client_merge(acting_user=caseworker, survivor=survivor, duplicate=duplicate, reason="Same person")
        duplicate.refresh_from_db()
        assert duplicate.merged_into is None
        assert not events(AuditEvent.Action.MERGE).exists()

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_reason_is_required(self, supervisor, pair, reason):
        survivor, duplicate = pair
        with pytest.raises(ValidationError) as excinfo:
            client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason=reason)
        assert "reason" in error_fields(excinfo)
        duplicate.refresh_from_db()
        assert duplicate.merged_into is None

    def test_a_client_cannot_be_merged_into_itself(self, supervisor, pair):
        survivor, _ = pair
        with pytest.raises(ValidationError):
            client_merge(acting_user=supervisor, survivor=survivor, duplicate=survivor, reason="Same person")

    def test_every_record_moves_to_the_survivor_and_the_duplicate_is_hidden(
        self, caseworker, supervisor, north, pair, storage
    ):
        survivor, duplicate = pair
        income = IncomeFactory(client=duplicate)
        expense = Expense.objects.create(
            client=duplicate, kind="rent", amount=Decimal("800.00"), start_date=date(2025, 1, 1)
        )
        asset = Asset.objects.create(client=duplicate, kind="vehicle", value=Decimal("3000.00"))
        document = document_upload(
            acting_user=caseworker, client=duplicate, kind="identity", upload=SimpleUploadedFile("id.pdf", PDF_BYTES)
        )
        consent = consent_record(
            acting_user=caseworker,
            client=duplicate,
            organization="Clinic",
            purpose="referral",
            granted_on=date(2025, 1, 1),
        )
        own_household = household_register(
            acting_user=caseworker, office=north, members=[MemberInput(relationship="head", existing=survivor)]
        )
        dup_household = household_register(
            acting_user=caseworker,
            office=north,
            members=[
                MemberInput(relationship="head", new=person(first_name="Kim", last_name="Park")),
                MemberInput(relationship="partner", existing=duplicate),
            ],
            start_date=date(2025, 1, 1),
        )
        # Each is seen through a case of their household, so only the merge can hide the duplicate.
        case_for(survivor, caseworker)
        case_for(duplicate, caseworker)
        assert clients_visible(user=supervisor).filter(pk=duplicate.pk).exists()

        client_merge(
            acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person, typo at intake"
        )

        for record in (income, expense, asset, document, consent):
            record.refresh_from_db()
            assert record.client_id == survivor.pk, type(record).__name__
        for model in (Income, Expense, Asset, Document, Consent, HouseholdMembership):
            assert not model.objects.filter(client=duplicate).exists(), model.__name__
        memberships = HouseholdMembership.objects.filter(client=survivor)
        assert memberships.count() == 2
        # Both were in a household: the survivor keeps theirs; the duplicate's ends today, as history.
        assert memberships.get(end_date__isnull=True).household == own_household
        assert memberships.get(household=dup_household).end_date == today()

        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor
        assert duplicate in Client.objects.all()  # kept, not deleted
        assert not clients_visible(user=supervisor).filter(pk=duplicate.pk).exists()
        assert clients_visible(user=supervisor).filter(pk=survivor.pk).exists()
        found = client_search(user=supervisor, criteria=ClientSearch(name="Jon Smithe"))
        assert duplicate.pk not in [c.pk for c in found]
        assert survivor.pk in [c.pk for c in found]

    def test_the_identifier_moves_to_a_survivor_that_had_none(self, supervisor, pair):
        survivor, duplicate = pair
        original_hash = duplicate.identifier_hash

        client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person")

        survivor.refresh_from_db()
        duplicate.refresh_from_db()
        assert survivor.identifier_hash == original_hash
        assert survivor.identifier_kind == "sin"
        assert survivor.identifier_last4 == "2544"
        assert client_identifier_reveal(acting_user=supervisor, client=survivor) == VALID_SIN
        assert duplicate.identifier_hash is None

    def test_the_survivors_own_identifier_is_kept(self, caseworker, supervisor, north):
        survivor = client_create(
            acting_user=caseworker, office=north, data=person(identifier_kind="ssn", identifier="123-45-6789")
        )
        duplicate = client_create(
            acting_user=caseworker,
            office=north,
            data=person(first_name="Jon", identifier_kind="sin", identifier=VALID_SIN),
        )
        client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person")

        survivor.refresh_from_db()
        assert survivor.identifier_kind == "ssn"
        assert survivor.identifier_last4 == "6789"

    def test_one_merge_event_names_both_clients_and_the_reason(self, supervisor, pair):
        survivor, duplicate = pair
        IncomeFactory(client=duplicate)

        client_merge(
            acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person, typo at intake"
        )

        (event,) = events(AuditEvent.Action.MERGE)
        assert event.actor == supervisor
        assert event.reason == "Same person, typo at intake"
        assert subjects(event) == {survivor.pk, duplicate.pk}
        assert event.changes["merged_client_id"] == [None, duplicate.pk]
        assert "income" in event.changes["moved"]
        assert event.changes["identifier_hash"] == [REDACTED, REDACTED]
        assert duplicate.identifier_hash not in json.dumps(event.changes)

    def test_merging_an_already_merged_client_is_refused(self, caseworker, supervisor, north, pair):
        survivor, duplicate = pair
        third = client_create(acting_user=caseworker, office=north, data=person(first_name="Johnny"))
        client_merge(acting_user=supervisor, survivor=survivor, duplicate=duplicate, reason="Same person")

        with pytest.raises(ValidationError):
            client_merge(acting_user=supervisor, survivor=third, duplicate=duplicate, reason="Same person again")
        with pytest.raises(ValidationError):
            client_merge(acting_user=supervisor, survivor=duplicate, duplicate=third, reason="Same person again")

        duplicate.refresh_from_db()
        third.refresh_from_db()
        assert duplicate.merged_into == survivor
        assert third.merged_into is None
        assert events(AuditEvent.Action.MERGE).count() == 1


# Break glass -----------------------------------------------------------------------------


class TestBreakGlass:
    REASON = "Police request about a missing child, case 2025-1187"

    @pytest.fixture
    def restricted(self, caseworker, north):
        client = ClientFactory(office=north, restricted=True)
        case_for(client, caseworker)
        return client

    @pytest.mark.parametrize("persona", ["caseworker", "supervisor", "auditor"])
    def test_only_an_admin_may_break_glass(self, request, restricted, persona):
        user = request.getfixturevalue(persona)
        with pytest.raises(PermissionDenied):
            break_glass_open(acting_user=user, client=restricted, reason=self.REASON)
        assert not BreakGlassGrant.objects.exists()

    @pytest.mark.parametrize("reason", ["", "checking", "   short    "])
    def test_a_short_reason_is_refused(self, admin_user, restricted, reason):
        with pytest.raises(ValidationError) as excinfo:
            break_glass_open(acting_user=admin_user, client=restricted, reason=reason)
        assert "reason" in error_fields(excinfo)
        assert not BreakGlassGrant.objects.exists()
        assert not clients_visible(user=admin_user).filter(pk=restricted.pk).exists()

    def test_the_grant_shows_the_restricted_client_to_that_admin_only(self, admin_user, restricted):
        other_admin = UserFactory(username="boss2", roles=["admin"], is_staff=True)
        assert not clients_visible(user=admin_user).filter(pk=restricted.pk).exists()

        grant = break_glass_open(acting_user=admin_user, client=restricted, reason=self.REASON)

        assert clients_visible(user=admin_user).filter(pk=restricted.pk).exists()
        assert not clients_visible(user=other_admin).filter(pk=restricted.pk).exists()
        assert grant.expires_at > NOW
        (event,) = events(AuditEvent.Action.BREAK_GLASS)
        assert event.actor == admin_user
        assert event.reason == self.REASON
        assert subjects(event) == {restricted.pk}

    def test_an_admin_sees_an_unrestricted_client_too_only_through_a_grant(self, admin_user, caseworker, north):
        unrestricted = ClientFactory(office=north)
        case_for(unrestricted, caseworker)
        assert not clients_visible(user=admin_user).filter(pk=unrestricted.pk).exists()

        break_glass_open(acting_user=admin_user, client=unrestricted, reason=self.REASON)

        assert list(clients_visible(user=admin_user)) == [unrestricted]

    def test_an_expired_grant_no_longer_shows_the_client(self, admin_user, restricted):
        grant = break_glass_open(acting_user=admin_user, client=restricted, reason=self.REASON)
        BreakGlassGrant.objects.filter(pk=grant.pk).update(
            granted_at=NOW - timedelta(hours=5), expires_at=NOW - timedelta(hours=1)
        )

        assert not clients_visible(user=admin_user).filter(pk=restricted.pk).exists()
