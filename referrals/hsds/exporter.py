"""Exporting the directory as an HSDS 3.0 tabular datapackage (CSV files and datapackage.json).

Rows the directory keeps no id for (phones, languages, schedules, attributes, units) get a
UUID derived from what they belong to, so exporting twice gives the same file and importing
an export changes nothing.
"""

import csv
import io
import json
import uuid
import zipfile
from pathlib import Path

from referrals.models import Category, Location, Organization, Service, ServiceAtLocation

NAMESPACE = uuid.UUID("6f1c3a52-8a41-4d0e-9d8e-0b7f3f1f2a10")

COLUMNS: dict[str, list[str]] = {
    "organization": ["id", "name", "alternate_name", "description", "email", "website"],
    "service": [
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
    ],
    "location": ["id", "location_type", "organization_id", "name", "description", "latitude", "longitude"],
    "address": [
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "phone": ["id", "organization_id", "service_id", "location_id", "number"],
    "service_at_location": ["id", "service_id", "location_id"],
    "language": ["id", "service_id", "name", "code"],
    "schedule": ["id", "service_id", "location_id", "description"],
    "taxonomy_term": ["id", "code", "name", "description", "taxonomy"],
    "attribute": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
    "service_capacity": ["id", "service_id", "unit_id", "available", "maximum", "updated"],
    "unit": ["id", "name"],
}


def _derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def directory_tables() -> dict[str, list[dict[str, str]]]:
    """Every table of the export as rows of text, in HSDS 3.0 column names."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    units: dict[str, str] = {}
    for org in Organization.objects.order_by("hsds_id"):
        tables["organization"].append(
            {"id": org.hsds_id, "name": org.name, "alternate_name": org.alternate_name,
             "description": org.description, "email": org.email, "website": org.website}
        )  # fmt: skip
        if org.phone:
            row = {"id": _derived_id("phone", "organization", org.hsds_id), "organization_id": org.hsds_id}
            tables["phone"].append({**row, "number": org.phone})
    for term in Category.objects.order_by("hsds_id"):
        tables["taxonomy_term"].append(
            {"id": term.hsds_id, "code": term.code, "name": term.name, "description": "", "taxonomy": term.taxonomy}
        )
    for loc in Location.objects.select_related("organization").order_by("hsds_id"):
        tables["location"].append(
            {"id": loc.hsds_id, "location_type": "physical",
             "organization_id": loc.organization.hsds_id if loc.organization else "", "name": loc.name,
             "description": loc.description, "latitude": _text(loc.latitude), "longitude": _text(loc.longitude)}
        )  # fmt: skip
        if any((loc.address_1, loc.city, loc.postal_code)):
            tables["address"].append(
                {"id": loc.address_hsds_id or _derived_id("address", loc.hsds_id), "location_id": loc.hsds_id,
                 "address_1": loc.address_1, "address_2": loc.address_2, "city": loc.city,
                 "state_province": loc.state_province, "postal_code": loc.postal_code, "country": loc.country,
                 "address_type": "physical"}
            )  # fmt: skip
        if loc.phone:
            row = {"id": _derived_id("phone", "location", loc.hsds_id), "location_id": loc.hsds_id}
            tables["phone"].append({**row, "number": loc.phone})
        if loc.hours:
            row = {"id": _derived_id("schedule", "location", loc.hsds_id), "location_id": loc.hsds_id}
            tables["schedule"].append({**row, "description": loc.hours})
    services = Service.objects.select_related("organization").prefetch_related("categories", "languages")
    for service in services.order_by("hsds_id"):
        sid = service.hsds_id
        tables["service"].append(
            {"id": sid, "organization_id": service.organization.hsds_id, "name": service.name,
             "alternate_name": service.alternate_name, "description": service.description, "url": service.url,
             "email": service.email, "status": service.status, "application_process": service.application_process,
             "fees_description": service.fees_description,
             "eligibility_description": service.eligibility_description,
             "minimum_age": _text(service.minimum_age), "maximum_age": _text(service.maximum_age),
             "assured_date": _text(service.last_verified_on)}
        )  # fmt: skip
        if service.phone:
            tables["phone"].append({"id": _derived_id("phone", "service", sid), "service_id": sid,
                                    "number": service.phone})  # fmt: skip
        if service.hours:
            tables["schedule"].append({"id": _derived_id("schedule", "service", sid), "service_id": sid,
                                       "description": service.hours})  # fmt: skip
        for lang in service.languages.all():
            tables["language"].append(
                {"id": _derived_id("language", sid, lang.name), "service_id": sid, "name": lang.name, "code": lang.code}
            )
        for term in service.categories.all():
            tables["attribute"].append(
                {"id": _derived_id("attribute", sid, term.hsds_id), "link_id": sid, "link_type": "service_category",
                 "link_entity": "service", "taxonomy_term_id": term.hsds_id}
            )  # fmt: skip
        if service.capacity_available is not None:
            unit = service.capacity_unit or "Place"
            units.setdefault(unit, _derived_id("unit", unit))
            tables["service_capacity"].append(
                {"id": service.capacity_hsds_id or _derived_id("capacity", sid), "service_id": sid,
                 "unit_id": units[unit], "available": _text(service.capacity_available),
                 "maximum": _text(service.capacity_maximum), "updated": _text(service.capacity_updated_at)}
            )  # fmt: skip
    for link in ServiceAtLocation.objects.select_related("service", "location").order_by("hsds_id"):
        tables["service_at_location"].append(
            {"id": link.hsds_id, "service_id": link.service.hsds_id, "location_id": link.location.hsds_id}
        )
    tables["unit"] = [{"id": unit_id, "name": name} for name, unit_id in sorted(units.items())]
    return tables


def _csv(name: str, rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS[name], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _descriptor() -> bytes:
    resources = [
        {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
         "mediatype": "text/csv", "encoding": "utf-8",
         "schema": {"fields": [{"name": column, "type": "string"} for column in columns]}}
        for name, columns in COLUMNS.items()
    ]  # fmt: skip
    package = {"name": "casework-resource-directory", "profile": "tabular-data-package", "resources": resources}
    return json.dumps(package, indent=2).encode("utf-8")


def package_files() -> dict[str, bytes]:
    files = {f"{name}.csv": _csv(name, rows) for name, rows in directory_tables().items()}
    files["datapackage.json"] = _descriptor()
    return files


def package_zip(files: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (files or package_files()).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def export_package(target: str | Path) -> list[str]:
    """Write the package to a folder, or to a zip file when `target` ends in .zip. Returns the file names."""
    target = Path(target)
    files = package_files()
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(package_zip(files))
        return sorted(files)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    return sorted(files)
