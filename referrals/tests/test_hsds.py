"""Importing and exporting the directory as an Open Referral HSDS datapackage.

The sample (tests/data/hsds_riverton) is an HSDS 3.0 tabular package of three
organizations, four services and three locations, with the optional tables filled the way
real publishers fill them (extra columns we do not keep, a postal address beside a
physical one, an organization's attribute beside the services').
"""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from referrals.hsds import HsdsError, export_package, import_package, package_zip
from referrals.models import Category, Language, Location, Organization, Service, ServiceAtLocation
from referrals.services import directory_import
from referrals.tests.helpers import FOOD_PANTRY_ID, SAMPLE, SHELTER_ID, copy_sample, rewrite

pytestmark = pytest.mark.django_db

ALL_MODELS = [Organization, Service, Location, Category, Language, ServiceAtLocation]
SPANISH_AT_PANTRY = "d4d4d4d4-0000-4000-8000-000000000002,5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a11,,,Spanish,es"
GROCERIES_AT_WAREHOUSE = (
    "b2b2b2b2-0000-4000-8000-000000000012,5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a12,9e7d1a2b-4c3f-4e5a-8b6c-1d2e3f4a5b61"
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def zipped(folder, *, top: str = "") -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{top}/{path.name}" if top else path.name)
    buffer.seek(0)
    return buffer


# Importing ----------------------------------------------------------------------------


def test_import_builds_the_directory_from_every_table():
    report = import_package(SAMPLE)

    assert counts() == {
        "Organization": 3, "Service": 4, "Location": 3, "Category": 4, "Language": 3, "ServiceAtLocation": 4,
    }  # fmt: skip
    assert str(report.counts["service"]) == "4 created, 0 updated, 0 unchanged"
    food_bank = Organization.objects.get(name="Riverton Food Bank")
    assert (food_bank.alternate_name, food_bank.phone, food_bank.website) == (
        "RFB",
        "312-555-0100",
        "https://rivertonfoodbank.example",
    )
    pantry = Service.objects.get(hsds_id=FOOD_PANTRY_ID)
    assert pantry.organization == food_bank
    assert pantry.phone == "312-555-0111"
    assert pantry.hours == "Monday to Friday, 9:00 am \N{EN DASH} 4:00 pm; Saturday, 10:00 am \N{EN DASH} 1:00 pm"
    assert pantry.fees_description == "Free"
    assert pantry.eligibility_description.startswith("Residents of Riverton County")
    assert pantry.last_verified_on == date(2026, 9, 14)
    assert {c.name for c in pantry.categories.all()} == {"Food pantries"}
    assert {lang.name for lang in pantry.languages.all()} == {"English", "Spanish"}
    (where,) = pantry.locations.all()
    assert where.one_line_address == "410 Mill Street, Riverton, IL 60601"
    assert (where.latitude, where.longitude) == (Decimal("41.878100"), Decimal("-87.629800"))

    shelter = Service.objects.get(hsds_id=SHELTER_ID)
    assert (shelter.capacity_unit, shelter.capacity_available, shelter.capacity_maximum) == ("Bed", 3, 40)
    assert shelter.capacity_text == "3 of 40 beds available"
    assert shelter.capacity_updated_at == datetime(2026, 11, 20, 13, 30, tzinfo=ZoneInfo("UTC"))
    # Only a postal address: a family is not sent to a PO box.
    assert shelter.locations.get().city == ""
    legal = Service.objects.get(name="Tenant legal advice")
    assert legal.phone == "312-555-0300 ext. 12"
    assert legal.ages_served == "18 and over"
    assert (
        Location.objects.get(name="Lakeside Legal Aid office").hours
        == "Monday, Wednesday and Thursday, 9:30 am \N{EN DASH} 5:00 pm"
    )
    groceries = Service.objects.get(name="Home-delivered groceries")
    assert {c.name for c in groceries.categories.all()} == {"Food pantries", "Home delivered groceries"}


def test_importing_the_same_file_again_changes_nothing():
    import_package(SAMPLE)
    before = counts()
    stamps = dict(Service.objects.values_list("hsds_id", "updated_at"))

    report = import_package(SAMPLE)

    assert report.changed == 0
    assert str(report.counts["service"]) == "0 created, 0 updated, 4 unchanged"
    assert counts() == before
    assert dict(Service.objects.values_list("hsds_id", "updated_at")) == stamps


def test_reimporting_an_edited_file_updates_the_records_it_lists(tmp_path):
    import_package(SAMPLE)
    package = copy_sample(tmp_path)
    rewrite(package / "service.csv", "Emergency food pantry", "Community food pantry")
    rewrite(package / "language.csv", f"{SPANISH_AT_PANTRY},Staff on Tuesdays and Thursdays\n", "")
    rewrite(package / "service_capacity.csv", ",3,40,", ",0,40,")
    rewrite(package / "service_at_location.csv", f"{GROCERIES_AT_WAREHOUSE},Deliveries leave from the warehouse\n", "")

    report = import_package(package)

    assert str(report.counts["service"]) == "0 created, 2 updated, 2 unchanged"
    assert str(report.counts["service_at_location"]) == "0 created, 1 updated, 3 unchanged"
    assert Service.objects.count() == 4
    pantry = Service.objects.get(hsds_id=FOOD_PANTRY_ID)
    assert pantry.name == "Community food pantry"
    assert [lang.name for lang in pantry.languages.all()] == ["English"]
    assert Service.objects.get(hsds_id=SHELTER_ID).capacity_text == "0 of 40 beds available"
    assert not Service.objects.get(name="Home-delivered groceries").locations.exists()


def test_a_zip_of_the_folder_imports_the_same(tmp_path):
    import_package(zipped(SAMPLE, top="riverton"))
    assert counts()["Service"] == 4

    assert import_package(zipped(SAMPLE)).changed == 0


def test_hsds_2_plural_file_names_and_columns_are_read(tmp_path):
    package = tmp_path / "hsds2"
    package.mkdir()
    (package / "organizations.csv").write_text(
        "id,name,description,url\norg-1,The Riverton Food Bank,Food for all,https://rfb.example\n"
    )
    (package / "services.csv").write_text(
        "id,organization_id,name,status,fees,eligibility\nsvc-1,org-1,Pantry,active,Free,County residents\n"
    )
    (package / "taxonomy.csv").write_text("id,name,parent_id,vocabulary\ntax-1,Food,,Open Eligibility\n")
    (package / "service_taxonomy.csv").write_text("id,service_id,taxonomy_id,taxonomy_detail\nst-1,svc-1,tax-1,\n")
    (package / "languages.csv").write_text("id,service_id,location_id,language\nl-1,svc-1,,Polish\n")

    import_package(package)

    service = Service.objects.get(hsds_id="svc-1")
    assert (service.fees_description, service.eligibility_description) == ("Free", "County residents")
    assert service.organization.website == "https://rfb.example"
    assert [c.name for c in service.categories.all()] == ["Food"]
    assert Category.objects.get().taxonomy == "Open Eligibility"
    assert [lang.name for lang in service.languages.all()] == ["Polish"]


# Bad files ----------------------------------------------------------------------------


ORG = "0b1f4c6e-3a57-4b1e-9d2a-6f0f6a1c2e0"  # + 1, 2, 3: the food bank, the shelter, legal aid
SERVICE = "5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a"  # + 11, 12, 21, 31
TERM = "f6f6f6f6-0000-4000-8000-00000000000"  # + 1 to 4
NOT_THERE = "is in neither the file nor the directory"

# (file, text in it, replaced by, the problem reported)
BAD_ROWS = [
    ("service.csv", f"{ORG}3,,Tenant legal advice", "nobody,,Tenant legal advice",
     f"service.csv, row 5: organization_id 'nobody' {NOT_THERE}"),
    ("service.csv", ",active,Telephone", ",closed for good,Telephone",
     "service.csv, row 2: status 'closed for good' is not one of active, inactive, defunct, temporarily closed"),
    ("service.csv", ",2026-08-02,", ",02/08/2026,",
     "service.csv, row 3: assured_date: '02/08/2026' is not a date (YYYY-MM-DD)"),
    ("service.csv", ",18,,2026-03-20", ",18,12,2026-03-20",
     "service.csv, row 5: maximum_age 12 is below minimum_age 18"),
    ("organization.csv", f"{ORG}2,Riverside", f"{ORG}1,Riverside",
     f"organization.csv, row 3: repeats the id '{ORG}1' of row 2"),
    ("organization.csv", "info@rivertonfoodbank.example", "info at rivertonfoodbank",
     "organization.csv, row 2: email: Enter a valid email address."),
    ("location.csv", "41.8781,-87.6298", "141.8781,-87.6298",
     "location.csv, row 2: latitude: 141.8781 is outside -90 to 90"),
    ("service_at_location.csv", f"{SERVICE}31,9e7d", f"{SERVICE}99,9e7d",
     f"service_at_location.csv, row 5: service_id '{SERVICE}99' {NOT_THERE}"),
    ("attribute.csv", f"{TERM}4,service_category", f"{TERM}9,service_category",
     f"attribute.csv, row 6: taxonomy term '{TERM}9' {NOT_THERE}"),
    ("service_capacity.csv", ",3,40,", ",three,40,", "service_capacity.csv, row 2: 'three' is not a number"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"), BAD_ROWS, ids=[f"{i}-{b[0]}" for i, b in enumerate(BAD_ROWS)]
)
def test_a_bad_row_refuses_the_whole_file_saying_where_and_why(tmp_path, file, old, new, expected):
    package = copy_sample(tmp_path)
    rewrite(package / file, old, new)

    with pytest.raises(HsdsError) as refused:
        import_package(package)

    assert expected in [str(p) for p in refused.value.problems]
    assert counts() == dict.fromkeys(counts(), 0)


def test_every_bad_row_is_reported_at_once(tmp_path):
    package = copy_sample(tmp_path)
    rewrite(package / "service.csv", ",active,Telephone", ",gone,Telephone")
    rewrite(package / "language.csv", "5c2a9b1d-7e44-4f0a-8a3e-2d9b7c1f3a31,,,Vietnamese", "nope,,,Vietnamese")

    with pytest.raises(HsdsError) as refused:
        import_package(package)

    assert [str(p) for p in refused.value.problems] == [
        "service.csv, row 2: status 'gone' is not one of active, inactive, defunct, temporarily closed",
        "language.csv, row 8: service_id 'nope' is not a service in the file",
    ]


UNREADABLE = [
    ("missing table", lambda p: (p / "service.csv").unlink(), "service.csv: is missing: an HSDS package needs it"),
    ("not utf-8", lambda p: (p / "location.csv").write_bytes("id,name\nx,Caf\xe9\n".encode("latin-1")),
     "location.csv: is not UTF-8 text"),
    ("empty", lambda p: (p / "organization.csv").write_text(""), "organization.csv: is empty: it needs a header row"),
    ("no id column", lambda p: (p / "location.csv").write_text("name,city\nOffice,Riverton\n"),
     "location.csv, row 1: has no 'id' column"),
    ("ragged row", lambda p: (p / "phone.csv").write_text("id,number\np1,555,extra\n"),
     "phone.csv, row 2: has 3 values but the header has 2"),
    ("bad descriptor", lambda p: (p / "datapackage.json").write_text("{not json"),
     "datapackage.json: is not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("_name", "make", "expected"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_a_file_that_cannot_be_read_is_refused(tmp_path, _name, make, expected):
    package = copy_sample(tmp_path)
    make(package)

    with pytest.raises(HsdsError) as refused:
        import_package(package)

    assert any(expected in str(p) for p in refused.value.problems), refused.value.problems
    assert counts()["Organization"] == 0


def test_something_that_is_not_a_zip_is_refused():
    with pytest.raises(HsdsError, match="is not a folder or a zip file"):
        import_package(io.BytesIO(b"organization,name\n"))


def test_a_refused_file_leaves_the_directory_as_it_was(tmp_path):
    import_package(SAMPLE)
    package = copy_sample(tmp_path)
    rewrite(package / "organization.csv", "Riverton Food Bank,RFB", "Riverton Food Bank (renamed),RFB")
    rewrite(package / "service_capacity.csv", ",3,40,", ",-1,40,")

    with pytest.raises(HsdsError, match=r"service_capacity\.csv, row 2"):
        import_package(package)

    assert Organization.objects.filter(name="Riverton Food Bank").exists()
    assert Service.objects.get(hsds_id=SHELTER_ID).capacity_available == 3


# Exporting --------------------------------------------------------------------------


def test_an_export_imports_back_without_a_change(tmp_path):
    import_package(SAMPLE)
    files = export_package(tmp_path / "export")

    assert "datapackage.json" in files and "service_at_location.csv" in files
    header = (tmp_path / "export" / "service.csv").read_text().splitlines()[0]
    assert header.startswith("id,organization_id,name,alternate_name,description,url,email,status")
    assert import_package(tmp_path / "export").changed == 0
    assert import_package(io.BytesIO(package_zip())).changed == 0


def test_an_export_into_an_empty_directory_rebuilds_it(tmp_path):
    import_package(SAMPLE)
    export_package(tmp_path / "directory.zip")
    snapshot = sorted(
        (s.hsds_id, s.name, s.phone, s.hours, s.capacity_text, s.last_verified_on,
         tuple(sorted(c.name for c in s.categories.all())), tuple(sorted(lang.name for lang in s.languages.all())),
         tuple(sorted(loc.one_line_address for loc in s.locations.all())))
        for s in Service.objects.all()
    )  # fmt: skip
    ServiceAtLocation.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.all().delete()
    Category.objects.all().delete()

    import_package(tmp_path / "directory.zip")

    assert snapshot == sorted(
        (s.hsds_id, s.name, s.phone, s.hours, s.capacity_text, s.last_verified_on,
         tuple(sorted(c.name for c in s.categories.all())), tuple(sorted(lang.name for lang in s.languages.all())),
         tuple(sorted(loc.one_line_address for loc in s.locations.all())))
        for s in Service.objects.all()
    )  # fmt: skip


# Commands and the audit trail -------------------------------------------------------------------


def test_the_commands_import_and_export(tmp_path, capsys):
    call_command("hsds_import", str(SAMPLE))
    assert "service: 4 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    event = AuditEvent.objects.get(object_type="referrals.directory")
    assert event.actor is None and "organization: 3 created" in event.changes["hsds_import"][1]

    call_command("hsds_export", str(tmp_path / "out.zip"))
    assert "Wrote 13 file(s)" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert "organization.csv" in archive.namelist()


def test_the_import_command_refuses_a_bad_file_with_its_rows(tmp_path):
    package = copy_sample(tmp_path)
    rewrite(package / "service.csv", ",active,Telephone", ",gone,Telephone")

    with pytest.raises(CommandError, match=r"Nothing was imported:\nservice\.csv, row 2: status 'gone'"):
        call_command("hsds_import", str(package))
    assert not AuditEvent.objects.filter(object_type="referrals.directory").exists()


def test_only_an_administrator_imports(caseworker, admin_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        directory_import(acting_user=caseworker, source=SAMPLE)
    directory_import(acting_user=admin_user, source=SAMPLE, name="riverton.zip")
    assert AuditEvent.objects.get(object_type="referrals.directory").actor == admin_user
