"""Importing an HSDS datapackage into the directory: every row checked first, then all
written in one transaction, or nothing.

What a file says replaces what the directory held for the records the file lists, keyed
by their HSDS ids: importing the same file twice changes nothing the second time. Records
the file does not list are left alone (a file may cover part of the directory). For a
listed service or location, a table the package carries is authoritative: when
`language.csv` is there, a service's languages are exactly the ones it lists; when it is
absent, they are left as they were. The same holds for phones, schedules, categories
(`attribute.csv`, or HSDS 2.0's `service_taxonomy.csv`), capacity, addresses and
service-at-location links.

One phone number, one address and one capacity per record are kept (the first in the
file); schedules become a line of opening hours.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from referrals.hsds.package import HsdsError, Problem, Table, read_package
from referrals.hsds.schedules import opening_hours
from referrals.hsds.values import (
    ADDRESS_FIELDS,
    SERVICE_STATUSES,
    Bad,
    ImportReport,
    column_value,
    date_or_none,
    datetime_or_none,
    decimal_in_range,
    model_errors,
    url,
    whole_number,
)
from referrals.models import Category, Language, Location, Organization, Service, ServiceAtLocation


class Importer:
    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self.problems: list[Problem] = []
        self.organizations: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        self.locations: dict[str, dict] = {}
        self.terms: dict[str, dict] = {}
        self.links: dict[str, tuple[str, str]] = {}
        self.addresses: dict[str, dict] = {}
        self.phones: dict[tuple[str, str], str] = {}
        self.hours: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.languages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.service_terms: dict[str, list[str]] = defaultdict(list)
        self.capacities: dict[str, dict] = {}
        self.units: dict[str, str] = {}
        self.report = ImportReport()

    # Checking -----------------------------------------------------------------------

    def rows(self, name: str):
        table = self.tables.get(name)
        if table is None:
            return
        for number, row in table.rows:
            yield table, number, row

    def problem(self, table: Table, number: int | None, message: str) -> None:
        self.problems.append(Problem(table.file, number, message))

    def _ids(self, name: str, target: dict) -> None:
        """Each row of `name` with its id, refusing rows without one and repeated ids."""
        for table, number, row in self.rows(name):
            hsds_id = row.get("id", "")
            if not hsds_id:
                self.problem(table, number, "has no id")
            elif hsds_id in target:
                self.problem(table, number, f"repeats the id '{hsds_id}' of row {target[hsds_id]['_row']}")
            else:
                target[hsds_id] = {"_row": number, "_raw": row, "_table": table}

    def _existing(self, model: type[models.Model], ids: set[str]) -> set[str]:
        return set(model.objects.filter(hsds_id__in=ids).values_list("hsds_id", flat=True)) if ids else set()

    def _referenced(self, name: str, columns: Iterable[str]) -> set[str]:
        return {row.get(c, "") for _, _, row in self.rows(name) for c in columns} - {""}

    def check(self) -> None:
        for name in ("organization", "service", "location", "taxonomy_term"):
            if name in self.tables and "id" not in self.tables[name].columns:
                self.problem(self.tables[name], 1, "has no 'id' column")
        self._ids("organization", self.organizations)
        self._ids("service", self.services)
        self._ids("location", self.locations)
        self._ids("taxonomy_term", self.terms)
        # Ids that rows refer to but the file does not hold may already be in the directory.
        self.known_organizations = set(self.organizations) | self._existing(
            Organization,
            self._referenced("service", ["organization_id"])
            | self._referenced("location", ["organization_id"])
            | self._referenced("phone", ["organization_id"]),
        )
        self.known_services = set(self.services) | self._existing(
            Service, self._referenced("service_at_location", ["service_id"])
        )
        self.known_locations = set(self.locations) | self._existing(
            Location, self._referenced("service_at_location", ["location_id"])
        )
        self.known_terms = set(self.terms) | self._existing(
            Category,
            self._referenced("attribute", ["taxonomy_term_id"]) | self._referenced("service_taxonomy", ["taxonomy_id"]),
        )
        for _table, _number, row in self.rows("unit"):
            if row.get("id"):
                self.units[row["id"]] = row.get("name") or row["id"]
        self._check_organizations()
        self._check_services()
        self._check_locations()
        self._check_terms()
        self._check_links()
        self._check_addresses()
        self._check_phones()
        self._check_schedules()
        self._check_languages()
        self._check_categories()
        self._check_capacities()

    def _clean(self, record: dict, model: type[models.Model], values: dict[str, Any], exclude=()) -> None:
        """Keep `values` on the record, or note what the model's checks refuse."""
        for message in model_errors(model(**values), exclude):
            self.problem(record["_table"], record["_row"], message)
        record.update(values)

    def _check_organizations(self) -> None:
        for hsds_id, record in self.organizations.items():
            row = record["_raw"]
            values = {
                "hsds_id": hsds_id,
                "name": row.get("name", ""),
                "alternate_name": row.get("alternate_name", ""),
                "description": row.get("description", ""),
                "email": row.get("email", ""),
                "website": url(column_value("organization", row, "website")),
            }
            self._clean(record, Organization, values)

    def _check_services(self) -> None:
        for hsds_id, record in self.services.items():
            table, number, row = record["_table"], record["_row"], record["_raw"]
            organization_id = row.get("organization_id", "")
            if not organization_id:
                self.problem(table, number, "has no organization_id")
            elif organization_id not in self.known_organizations:
                self.problem(
                    table, number, f"organization_id '{organization_id}' is in neither the file nor the directory"
                )
            status = (row.get("status") or "active").lower()
            if status not in SERVICE_STATUSES:
                self.problem(
                    table, number, f"status '{row['status']}' is not one of {', '.join(Service.Status.values)}"
                )
            values: dict[str, Any] = {
                "hsds_id": hsds_id,
                "name": row.get("name", ""),
                "alternate_name": row.get("alternate_name", ""),
                "description": row.get("description", ""),
                "url": url(row.get("url", "")),
                "email": row.get("email", ""),
                "status": SERVICE_STATUSES.get(status, Service.Status.ACTIVE),
                "application_process": row.get("application_process", ""),
                "eligibility_description": column_value("service", row, "eligibility_description"),
                "fees_description": column_value("service", row, "fees_description"),
            }
            for name, column, parse in (
                ("minimum_age", "minimum_age", whole_number),
                ("maximum_age", "maximum_age", whole_number),
                ("last_verified_on", "assured_date", date_or_none),
            ):
                try:
                    values[name] = parse(row.get(column, ""))
                except Bad as error:
                    self.problem(table, number, f"{column}: {error}")
                    values[name] = None
            low, high = values["minimum_age"], values["maximum_age"]
            if low is not None and high is not None and high < low:
                self.problem(table, number, f"maximum_age {high} is below minimum_age {low}")
            self._clean(record, Service, values, exclude=["organization", "internal_office", "intake_worker"])
            record["_organization"] = organization_id

    def _check_locations(self) -> None:
        for hsds_id, record in self.locations.items():
            table, number, row = record["_table"], record["_row"], record["_raw"]
            organization_id = row.get("organization_id", "")
            if organization_id and organization_id not in self.known_organizations:
                self.problem(
                    table, number, f"organization_id '{organization_id}' is in neither the file nor the directory"
                )
            values: dict[str, Any] = {
                "hsds_id": hsds_id,
                "name": row.get("name", ""),
                "description": row.get("description", ""),
            }
            for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
                try:
                    values[name] = decimal_in_range(row.get(name, ""), low, high)
                except Bad as error:
                    self.problem(table, number, f"{name}: {error}")
                    values[name] = None
            self._clean(record, Location, values, exclude=["organization"])
            record["_organization"] = organization_id or None

    def _check_terms(self) -> None:
        for hsds_id, record in self.terms.items():
            row = record["_raw"]
            values = {
                "hsds_id": hsds_id,
                "code": row.get("code", ""),
                "name": row.get("name", ""),
                "taxonomy": column_value("taxonomy_term", row, "taxonomy"),
            }
            self._clean(record, Category, values)

    def _check_links(self) -> None:
        seen_pairs: dict[tuple[str, str], int] = {}
        for table, number, row in self.rows("service_at_location"):
            hsds_id, service_id, location_id = row.get("id", ""), row.get("service_id", ""), row.get("location_id", "")
            if not hsds_id:
                self.problem(table, number, "has no id")
                continue
            if hsds_id in self.links:
                self.problem(table, number, f"repeats the id '{hsds_id}'")
            if service_id not in self.known_services:
                self.problem(table, number, f"service_id '{service_id}' is in neither the file nor the directory")
            if location_id not in self.known_locations:
                self.problem(table, number, f"location_id '{location_id}' is in neither the file nor the directory")
            if (service_id, location_id) in seen_pairs:
                self.problem(
                    table, number, f"links the same service and location as row {seen_pairs[service_id, location_id]}"
                )
            seen_pairs[service_id, location_id] = number
            self.links[hsds_id] = (service_id, location_id)

    def _check_addresses(self) -> None:
        for table, number, row in self.rows("address"):
            location_id = row.get("location_id", "")
            if (row.get("address_type") or "physical").lower() != "physical":
                continue  # postal and virtual addresses are not where a client goes
            if location_id not in self.locations:
                self.problem(table, number, f"location_id '{location_id}' is not a location in the file")
                continue
            if location_id in self.addresses:
                continue  # one address per location: the first
            values = {
                "address_hsds_id": row.get("id", ""),
                "address_1": row.get("address_1", ""),
                "address_2": row.get("address_2", ""),
                "city": row.get("city", ""),
                "state_province": row.get("state_province", ""),
                "postal_code": row.get("postal_code", ""),
                "country": row.get("country", "").upper(),
            }
            for message in model_errors(Location(**values), exclude=["hsds_id", "organization"]):
                self.problem(table, number, message)
            self.addresses[location_id] = values

    def _owner(self, table: Table, number: int, row: dict[str, str]) -> tuple[str, str] | None:
        """The service, location or organization in the file that a phone or schedule row belongs to."""
        for entity, records in (("service", self.services), ("location", self.locations)):
            key = row.get(f"{entity}_id", "")
            if key:
                if key not in records:
                    self.problem(table, number, f"{entity}_id '{key}' is not a {entity} in the file")
                    return None
                return entity, key
        key = row.get("organization_id", "")
        if key and key in self.organizations:
            return "organization", key
        if key:
            self.problem(table, number, f"organization_id '{key}' is not an organization in the file")
        return None  # a contact's or other record's row: not kept here

    def _check_phones(self) -> None:
        for table, number, row in self.rows("phone"):
            owner = self._owner(table, number, row)
            if owner is None:
                continue
            if not row.get("number"):
                self.problem(table, number, "has no number")
                continue
            text = row["number"] + (f" ext. {row['extension']}" if row.get("extension") else "")
            if len(text) > Service._meta.get_field("phone").max_length:
                self.problem(table, number, "number is too long")
                continue
            self.phones.setdefault(owner, text)

    def _check_schedules(self) -> None:
        limit = Service._meta.get_field("hours").max_length
        for table, number, row in self.rows("schedule"):
            owner = self._owner(table, number, row)
            if owner is None:
                continue
            text = row.get("description", "")
            if not text:
                text = opening_hours(
                    column_value("schedule", row, "byday"), row.get("opens_at", ""), row.get("closes_at", "")
                )
            if text:
                self.hours[owner].append(text)
            if len("; ".join(self.hours[owner])) > limit:
                self.problem(table, number, f"the opening hours come to more than {limit} characters")

    def _check_languages(self) -> None:
        for table, number, row in self.rows("language"):
            service_id = row.get("service_id", "")
            if not service_id:
                continue  # a location's or a phone's languages are not kept
            if service_id not in self.services:
                self.problem(table, number, f"service_id '{service_id}' is not a service in the file")
                continue
            name, code = column_value("language", row, "name"), row.get("code", "")
            if not (name or code):
                self.problem(table, number, "has neither a name nor a code")
                continue
            if len(name) > Language._meta.get_field("name").max_length or len(code) > 10:
                self.problem(table, number, "name or code is too long")
                continue
            self.languages[service_id].append((name or code, code))

    def _check_categories(self) -> None:
        pairs = [
            (t, n, r, r.get("link_id", ""), r.get("taxonomy_term_id", ""))
            for t, n, r in self.rows("attribute")
            if (r.get("link_entity") or "service").lower() == "service"
        ]
        pairs += [
            (t, n, r, r.get("service_id", ""), column_value("service_taxonomy", r, "taxonomy_term_id"))
            for t, n, r in self.rows("service_taxonomy")
        ]
        for table, number, _row, service_id, term_id in pairs:
            if service_id not in self.services:
                self.problem(table, number, f"service '{service_id}' is not a service in the file")
            elif term_id not in self.known_terms:
                self.problem(table, number, f"taxonomy term '{term_id}' is in neither the file nor the directory")
            elif term_id not in self.service_terms[service_id]:
                self.service_terms[service_id].append(term_id)

    def _check_capacities(self) -> None:
        for table, number, row in self.rows("service_capacity"):
            service_id = row.get("service_id", "")
            if service_id not in self.services:
                self.problem(table, number, f"service_id '{service_id}' is not a service in the file")
                continue
            try:
                available = whole_number(row.get("available", ""))
                maximum = whole_number(row.get("maximum", ""))
                updated = datetime_or_none(row.get("updated", ""))
            except Bad as error:
                self.problem(table, number, str(error))
                continue
            if available is None:
                self.problem(table, number, "has no number available")
                continue
            if service_id in self.capacities:
                continue
            unit_id = row.get("unit_id", "")
            self.capacities[service_id] = {
                "capacity_hsds_id": row.get("id", ""),
                "capacity_unit": self.units.get(unit_id, unit_id)[
                    : Service._meta.get_field("capacity_unit").max_length
                ],
                "capacity_available": available,
                "capacity_maximum": maximum,
                "capacity_updated_at": updated,
            }

    # Writing ------------------------------------------------------------------------

    def _save(self, table: str, model, existing, values: dict[str, Any]):
        counts = self.report.counts[table]
        if existing is None:
            counts.created += 1
            return model.objects.create(**values)
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        if changed:
            for name in changed:
                setattr(existing, name, values[name])
            if hasattr(existing, "updated_at"):
                existing.updated_at = timezone.now()
                changed.append("updated_at")
            existing.save(update_fields=changed)
            counts.updated += 1
        else:
            counts.unchanged += 1
        return existing

    @staticmethod
    def _fields(record: dict) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def write(self) -> None:
        organizations = Organization.objects.in_bulk(self.known_organizations, field_name="hsds_id")
        for hsds_id, record in self.organizations.items():
            values = self._fields(record)
            if "phone" in self.tables:
                values["phone"] = self.phones.get(("organization", hsds_id), "")
            organizations[hsds_id] = self._save("organization", Organization, organizations.get(hsds_id), values)

        terms = Category.objects.in_bulk(self.known_terms, field_name="hsds_id")
        for hsds_id, record in self.terms.items():
            terms[hsds_id] = self._save("taxonomy_term", Category, terms.get(hsds_id), self._fields(record))

        locations = Location.objects.in_bulk(self.known_locations, field_name="hsds_id")
        for hsds_id, record in self.locations.items():
            values = self._fields(record)
            values["organization"] = organizations.get(record["_organization"]) if record["_organization"] else None
            if "address" in self.tables:
                values.update(dict.fromkeys(ADDRESS_FIELDS, ""))
                values.update(self.addresses.get(hsds_id, {}))
            if "phone" in self.tables:
                values["phone"] = self.phones.get(("location", hsds_id), "")
            if "schedule" in self.tables:
                values["hours"] = "; ".join(self.hours.get(("location", hsds_id), []))
            locations[hsds_id] = self._save("location", Location, locations.get(hsds_id), values)

        services = {
            s.hsds_id: s
            for s in Service.objects.filter(hsds_id__in=self.known_services).prefetch_related("categories", "languages")
        }
        languages = self._languages()
        no_capacity = dict.fromkeys(
            ("capacity_hsds_id", "capacity_unit", "capacity_available", "capacity_maximum", "capacity_updated_at")
        )
        no_capacity["capacity_hsds_id"] = no_capacity["capacity_unit"] = ""
        for hsds_id, record in self.services.items():
            values = self._fields(record)
            values["organization"] = organizations[record["_organization"]]
            if "phone" in self.tables:
                values["phone"] = self.phones.get(("service", hsds_id), "")
            if "schedule" in self.tables:
                values["hours"] = "; ".join(self.hours.get(("service", hsds_id), []))
            if "service_capacity" in self.tables:
                values.update(self.capacities.get(hsds_id, no_capacity))
            existing = services.get(hsds_id)
            before = self.report.counts["service"].updated
            service = self._save("service", Service, existing, values)
            services[hsds_id] = service
            relations_changed = self._set_relations(service, existing, terms, languages)
            if existing is not None and relations_changed and self.report.counts["service"].updated == before:
                self.report.counts["service"].updated += 1
                self.report.counts["service"].unchanged -= 1
                Service.objects.filter(pk=service.pk).update(updated_at=timezone.now())

        self._write_links(services, locations)

    def _languages(self) -> dict[str, Language]:
        names = {name for rows in self.languages.values() for name, _ in rows}
        known = {lang.name.lower(): lang for lang in Language.objects.all()}
        for name in sorted(names):
            if name.lower() not in known:
                code = next(c for rows in self.languages.values() for n, c in rows if n == name)
                known[name.lower()] = Language.objects.create(name=name, code=code)
                self.report.counts["language"].created += 1
        return known

    def _set_relations(self, service: Service, existing: Service | None, terms, languages) -> bool:
        changed = False
        if "attribute" in self.tables or "service_taxonomy" in self.tables:
            wanted = {terms[t].pk for t in self.service_terms.get(service.hsds_id, [])}
            current = {c.pk for c in existing.categories.all()} if existing else set()
            if wanted != current:
                service.categories.set(wanted)
                changed = True
        if "language" in self.tables:
            wanted = {languages[n.lower()].pk for n, _ in self.languages.get(service.hsds_id, [])}
            current = {lang.pk for lang in existing.languages.all()} if existing else set()
            if wanted != current:
                service.languages.set(wanted)
                changed = True
        return changed

    def _write_links(self, services: dict[str, Service], locations: dict[str, Location]) -> None:
        if "service_at_location" not in self.tables:
            return
        counts = self.report.counts["service_at_location"]
        listed = [services[s].pk for s in self.services]
        existing = {link.hsds_id: link for link in ServiceAtLocation.objects.filter(service_id__in=listed)}
        existing.update({link.hsds_id: link for link in ServiceAtLocation.objects.filter(hsds_id__in=list(self.links))})
        by_pair = {(link.service_id, link.location_id): link for link in existing.values()}
        kept: set[int] = set()
        for hsds_id, (service_id, location_id) in self.links.items():
            service, location = services[service_id], locations[location_id]
            link = existing.get(hsds_id) or by_pair.get((service.pk, location.pk))
            if link is None:
                link = ServiceAtLocation.objects.create(hsds_id=hsds_id, service=service, location=location)
                counts.created += 1
            elif (link.hsds_id, link.service_id, link.location_id) != (hsds_id, service.pk, location.pk):
                link.hsds_id, link.service, link.location = hsds_id, service, location
                link.save(update_fields=["hsds_id", "service", "location"])
                counts.updated += 1
            else:
                counts.unchanged += 1
            kept.add(link.pk)
        # A listed service's links the file no longer has: the service is not offered there any more.
        gone = ServiceAtLocation.objects.filter(service_id__in=listed).exclude(pk__in=kept)
        counts.updated += gone.delete()[0]


def import_package(source) -> ImportReport:
    """Import a datapackage (folder, zip path or uploaded zip). Raises HsdsError listing every bad row."""
    importer = Importer(read_package(source))
    importer.check()
    if importer.problems:
        raise HsdsError(importer.problems)
    with transaction.atomic():
        importer.write()
    return importer.report
