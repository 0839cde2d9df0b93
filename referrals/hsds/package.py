"""Reading an Open Referral HSDS tabular datapackage: a folder or a zip of CSV files.

HSDS 3.0 names its tables in the singular (`organization.csv`, `service.csv`,
`service_at_location.csv`...); HSDS 1.x/2.0 files use plurals (`organizations.csv`,
`physical_addresses.csv`...). Both are read. When the package has a `datapackage.json`,
its resources say which file holds which table.

Nothing is extracted to disk: files are read by name from the folder or the archive, so a
zip's paths cannot write anywhere. Row numbers count the header as row 1, as a
spreadsheet shows them.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

# Each table's name in HSDS 3.0 and the other names it is found under.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "organization": ("organizations",),
    "service": ("services",),
    "location": ("locations",),
    "address": ("addresses", "physical_address", "physical_addresses"),
    "phone": ("phones",),
    "service_at_location": ("services_at_location", "services_at_locations", "service_at_locations"),
    "language": ("languages",),
    "schedule": ("schedules", "regular_schedule", "regular_schedules"),
    "taxonomy_term": ("taxonomy_terms", "taxonomy"),
    "attribute": ("attributes",),
    "service_taxonomy": ("service_taxonomies",),  # HSDS 2.0's link of a service to a term
    "service_capacity": ("service_capacities",),
    "unit": ("units",),
}
REQUIRED_TABLES = ("organization", "service")
MAX_ERRORS = 100
# A county's directory is a few megabytes; anything far bigger is a mistake or a zip bomb.
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}: {self.message}"


class HsdsError(Exception):
    """The package was refused; `problems` says where and why, one line each."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)[:MAX_ERRORS]
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Table:
    name: str
    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _canonical(name: str) -> tuple[str, bool] | None:
    """The HSDS 3.0 table a file or resource name stands for, and whether it is that table's own name.

    HSDS 3.0's own names win over older spellings: 3.0's `taxonomy.csv` lists taxonomies,
    while 2.0's holds the terms, so it is read as the terms only when there is no
    `taxonomy_term.csv`.
    """
    stem = name.lower().removesuffix(".csv")
    for table, aliases in TABLE_ALIASES.items():
        if stem == table:
            return table, True
        if stem in aliases:
            return table, False
    return None


def _files_in(source) -> dict[str, Callable[[], IO[bytes]]]:
    """Relative POSIX path -> opener, for a folder, a zip path, or an uploaded zip file."""
    if isinstance(source, str | Path) and Path(source).is_dir():
        root = Path(source)
        return {
            path.relative_to(root).as_posix(): (lambda p=path: p.open("rb"))
            for path in root.rglob("*")
            if path.is_file()
        }
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        name = str(getattr(source, "name", source))
        raise HsdsError([Problem(name, None, f"is not a folder or a zip file ({error})")]) from error
    return {
        info.filename: (lambda n=info.filename: archive.open(n))
        for info in archive.infolist()
        if not info.is_dir() and not info.filename.startswith("__MACOSX/")
    }


def _strip_common_folder(files: dict[str, Callable]) -> dict[str, Callable]:
    """A zip made from a folder holds `folder/organization.csv`: read it as `organization.csv`."""
    tops = {PurePosixPath(p).parts[0] for p in files}
    if len(tops) == 1 and all(len(PurePosixPath(p).parts) > 1 for p in files):
        top = tops.pop()
        return {str(PurePosixPath(p).relative_to(top)): opener for p, opener in files.items()}
    return files


def _read_csv(name: str, file: str, opener: Callable[[], IO[bytes]], problems: list[Problem]) -> Table | None:
    with opener() as raw:
        data = raw.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(file, None, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(file, None, f"is not UTF-8 text (byte {error.start})"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            problems.append(Problem(file, None, "is empty: it needs a header row"))
            return None
        columns = [c.strip().lower() for c in header]
        duplicates = sorted({c for c in columns if columns.count(c) > 1 and c})
        if duplicates:
            problems.append(Problem(file, 1, f"repeats the column(s) {', '.join(duplicates)}"))
            return None
        table = Table(name=name, file=file, columns=columns)
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # a blank line
            if len(values) > len(columns):
                problems.append(Problem(file, number, f"has {len(values)} values but the header has {len(columns)}"))
                continue
            values += [""] * (len(columns) - len(values))
            table.rows.append((number, {c: v.strip() for c, v in zip(columns, values, strict=True) if c}))
    except csv.Error as error:
        problems.append(Problem(file, reader.line_num, f"is not valid CSV ({error})"))
        return None
    return table


def read_package(source) -> dict[str, Table]:
    """The package's tables by HSDS 3.0 name. Raises HsdsError if a file cannot be read."""
    files = _strip_common_folder(_files_in(source))
    problems: list[Problem] = []
    candidates: list[tuple[bool, bool, str, str]] = []  # (own name, from the descriptor, table, path)
    if "datapackage.json" in files:
        try:
            with files["datapackage.json"]() as raw:
                descriptor = json.loads(raw.read(MAX_FILE_BYTES).decode("utf-8-sig"))
            resources = descriptor.get("resources", [])
        except (ValueError, AttributeError) as error:
            raise HsdsError([Problem("datapackage.json", None, f"is not valid JSON ({error})")]) from error
        for resource in resources:
            if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                continue
            match = _canonical(str(resource.get("name", ""))) or _canonical(PurePosixPath(resource["path"]).name)
            if match and resource["path"] in files:
                candidates.append((match[1], True, match[0], resource["path"]))
            elif match:
                problems.append(Problem("datapackage.json", None, f"names {resource['path']}, which is not there"))
    for path in files:
        match = _canonical(path) if "/" not in path and path.lower().endswith(".csv") else None
        if match:
            candidates.append((match[1], False, match[0], path))
    by_table: dict[str, str] = {}
    for _own, _described, table, path in sorted(candidates, key=lambda c: (not c[0], not c[1], c[3])):
        by_table.setdefault(table, path)
    for table in REQUIRED_TABLES:
        if table not in by_table:
            problems.append(Problem(f"{table}.csv", None, "is missing: an HSDS package needs it"))
    tables = {}
    for name, path in by_table.items():
        table = _read_csv(name, path, files[path], problems)
        if table is not None:
            tables[name] = table
    if problems:
        raise HsdsError(problems)
    return tables
