"""Benchmark of the client name search (`clients.selectors.client_search`) on PostgreSQL.

What it measures: the wall-clock time of typo'd name searches ("jonh smiht") run through the
real selector as a caseworker, so the access rule (`accounts.access.client_scope`: an Exists on
`accounts.CaseAccess` for the worker's own cases, or one for the unrestricted cases their office
shares), the name filters (every typed word within one typo, then two, of a word of the name by
the deletion-key index, else pg_trgm word-similar to one), the ordering by edit distance and the
LIMIT are all included, plus the share of searches whose
intended client is among the results (recall). It ends with the EXPLAIN (ANALYZE, BUFFERS) plan
of the median search and of the p95 one.

How: a dedicated database is created and migrated if missing, and dropped, created and migrated
again when its schema no longer matches the code (an applied migration that is gone, or a table,
column, index or constraint of the models the bench uses that differs) or with --reseed. It is
seeded with N clients in households of one to four (2.5 on average), each household a case in
one of two offices, worked by one of 40 caseworkers of that office (teams of ten, each with a
supervisor); about 1 % of cases are restricted. Names are drawn from a few hundred common first
and last names. A seeded random.Random makes every run build the same data and the same
queries. Clients and their CaseAccess rows are loaded with COPY while the tables' secondary
indexes are dropped, then indexed and ANALYZEd. Seeding is skipped when the tables already hold
N clients and N access rows, unless --reseed. The searches run as a caseworker of office 1, so
they go through the office-sharing path, the common case.

Run it with `make bench-search`, which runs `.venv/bin/python scripts/bench_search.py`, or:

    .venv/bin/python scripts/bench_search.py --clients 100000 --queries 200 --reseed

Seeding truncates clients_client (and whatever refers to it) and may drop the whole database,
so the script only writes to a database whose name contains "bench"
(default postgres://postgres@127.0.0.1:5432/casework_bench).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from accounts.models import User

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench"
SEED = 20260501
WARMUP_QUERIES = 5
COPY_BATCH = 100_000

# Common names, roughly in order of frequency; draws are skewed towards the front of each list
# (weight 1 / rank**0.6, about the shape of census name frequencies), so "john smith" has many
# namesakes, as it would in a real registry. Hyphens stand for two-word names.
FIRST_NAMES = """
    James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard
    Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty
    Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua
    Michelle Kenneth Dorothy Kevin Carol Brian Amanda George Melissa Edward Deborah Ronald
    Stephanie Timothy Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy
    Nicholas Shirley Eric Angela Jonathan Helen Stephen Anna Larry Brenda Justin Pamela Scott
    Nicole Brandon Emma Benjamin Samantha Samuel Katherine Gregory Christine Frank Debra Alexander
    Rachel Raymond Catherine Patrick Carolyn Jack Janet Dennis Ruth Jerry Maria Tyler Heather
    Aaron Diane Jose Virginia Adam Julie Henry Joyce Nathan Victoria Douglas Olivia Zachary Kelly
    Peter Christina Kyle Lauren Walter Joan Ethan Evelyn Jeremy Judith Harold Megan Keith Cheryl
    Christian Andrea Roger Hannah Noah Martha Gerald Jacqueline Carl Frances Terry Gloria Sean
    Ann Austin Teresa Arthur Kathryn Lawrence Sara Jesse Janice Dylan Jean Bryan Alice Joe
    Madison Jordan Doris Billy Abigail Bruce Julia Albert Judy Willie Grace Gabriel Denise Logan
    Amber Alan Marilyn Juan Beverly Wayne Danielle Roy Theresa Ralph Sophia Randy Marie Eugene
    Diana Vincent Brittany Russell Natalie Elijah Isabella Louis Charlotte Bobby Rose Philip
    Alexis Johnny Kayla Muhammad Fatima Mohammed Aisha Wei Li Ming Xin Yan Hiroshi Yuki Sakura
    Kenji Min-jun Ji-woo Seo-yeon Priya Rahul Anjali Arjun Deepika Vikram Sunita Ravi Lakshmi
    Amit Olga Dmitri Ivan Natasha Sergei Svetlana Katarzyna Piotr Agnieszka Tomasz Mateusz
    Zofia Oksana Andriy Kofi Amara Chinedu Ngozi Oluwaseun Adaeze Kwame Abena Tariq Leila Omar
    Yusuf Zainab Hassan Layla Mustafa Amina Khalid Noor Ahmed Mariam Ali Hana Santiago Valentina
    Mateo Camila Sebastian Lucia Diego Ximena Alejandro Gabriela Carlos Fernanda Luis Guadalupe
    Jorge Rosa Miguel Carmen Pedro Ana Francisco Sofia Javier Elena Andres Paula Jesus Mariana
    Manuel Beatriz Rafael Isabel Fernando Daniela Ricardo Adriana Eduardo Monica Emilio Lorena
    Thi Minh Huong Duc Linh Quang Thanh Tuan Nguyet Bao Liam Zoe Lucas Chloe Mason Ava Oliver
    Mia Elias Aria Finn Nora Silas Luna Theo Ivy Milo Hazel Felix Stella Hugo Iris Leo Ruby
    José Zoë Renée André Chloé Héloïse François Siobhán Seán Niamh Eoin Aoife Björn Søren
"""
LAST_NAMES = """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
    Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
    Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
    Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
    Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
    Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
    Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell
    Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
    Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
    Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez
    McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
    Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt
    Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer
    Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant
    Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
    Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado
    Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
    Sandoval Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin Tanaka Suzuki
    Takahashi Watanabe Yamamoto Nakamura Kobayashi Park Choi Jung Kang Cho Yoon Jang Lim Pham
    Le Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly Shah Singh Kumar Sharma Gupta Reddy Rao Iyer
    Mehta Desai Joshi Chaudhry Malik Khan Hussain Ahmed Rahman Qureshi Siddiqui Haddad Nasser
    Abdullah Mansour Okafor Okonkwo Adeyemi Mensah Owusu Asante Diallo Traore Kamara Mwangi
    Otieno Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Ivanov Petrov Smirnov Popov
    Kuznetsov Volkov Shevchenko Bondarenko Kovalenko Tkachenko Muller Schneider Fischer Weber
    Becker Wolf Schulz Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Dubois Lefebvre
    Moreau Laurent Girard Tremblay Gagnon Roy Bouchard Gauthier Morin Lavoie Fortin O'Brien
    O'Connor O'Neill McCarthy Byrne Doyle Walsh Quinn Nilsson Johansson Larsen Jensen Haugen
    Müller Sørensen Núñez Peña Ibáñez Muñoz-Díaz García-López Van-der-Berg De-la-Cruz St-Pierre
"""
OFFICES = [("bench-1", "Bench Office One"), ("bench-2", "Bench Office Two")]
WORKERS_PER_OFFICE = 40
TEAM_SIZE = 10  # caseworkers per team, each team with its own supervisor
# The caseworker the searches run as: one of office 1's 40, who also sees office 1's unrestricted cases.
SEARCH_USERNAME = "bench.o1.w01"
HOUSEHOLD_SIZES = (1, 2, 3, 4)  # drawn uniformly: 2.5 clients per household (and per case) on average
RESTRICTED_CASES = 0.01
LANGUAGES = ["English"] * 16 + ["Spanish"] * 4 + ["Vietnamese", "Mandarin", "Arabic", "French", "Ukrainian"]
CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Georgetown", "Salem", "Franklin", "Clinton"]
STREETS = ["Elm St", "Main St", "Oak Ave", "Cedar Ln", "Lake Dr", "Park Rd", "Maple St", "Pine Ct"]
KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]

# The columns COPY fills, in order, per table: every NOT NULL one without a database default
# (checked against the table before loading) and the nullable identifier_hash and merged_into_id,
# mostly \N.
CLIENT_COLUMNS = [
    "id",
    "office_id",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "address_confidential",
    "identifier_kind",
    "identifier_encrypted",
    "identifier_hash",
    "identifier_last4",
    "restricted",
    "merged_into_id",
    "search_name",
    "phone_digits",
    "created_at",
    "updated_at",
]
ACCESS_COLUMNS = ["id", "case_id", "client_id", "office_id", "worker_id", "restricted"]
COPY_TABLES = {"clients_client": CLIENT_COLUMNS, "accounts_caseaccess": ACCESS_COLUMNS}


@dataclass(frozen=True)
class Query:
    text: str
    client_id: int
    search_name: str


@dataclass(frozen=True)
class Result:
    seconds: float
    cpu_ms: float | None  # CPU time of the PostgreSQL backend and of this process; None if not measurable
    wait_ms: float | None  # the backend's time ready to run but waiting for a CPU
    found: bool
    namesake_found: bool
    rows: int


@dataclass(frozen=True)
class Staff:
    office_ids: list[int]
    workers: dict[int, list[int]]  # office id -> its caseworkers' ids
    searcher: User


# --- set-up ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients to seed (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200, help="typo'd searches to time (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument(
        "--reseed", action="store_true", help="drop, recreate and migrate the database, then seed, whatever it holds"
    )
    return parser.parse_args(argv)


def bench_models() -> list:
    """The models whose tables the bench writes or its searches read."""
    from accounts.models import CaseAccess, Office, Team, User
    from clients.models import Client

    return [Office, Team, User, CaseAccess, Client]


def schema_drift() -> str | None:
    """Why the bench database no longer matches the code, or None if it does (as far as the bench cares).

    Migrations here are edited in place while the project is young, so an applied migration can
    have changed under the same name: besides migrations applied but gone, compare the tables of
    the bench's models, once their app is fully migrated, with the models themselves.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    gone = sorted(set(loader.applied_migrations) - set(loader.disk_migrations))
    if gone:
        return "applied migrations no longer in the code: " + ", ".join(f"{app}.{name}" for app, name in gone)
    pending = {app for app, name in loader.disk_migrations if (app, name) not in loader.applied_migrations}
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in bench_models():
            meta = model._meta
            if meta.app_label in pending:
                continue  # migrate will bring it up to date
            if meta.db_table not in tables:
                return f"table {meta.db_table} is missing"
            columns = {c.name for c in connection.introspection.get_table_description(cursor, meta.db_table)}
            expected = {f.column for f in meta.local_concrete_fields}
            if columns != expected:
                extra, missing = sorted(columns - expected), sorted(expected - columns)
                return f"{meta.db_table}: columns {extra} are not in the model, {missing} not in the table"
            declared = {i.name for i in meta.indexes} | {c.name for c in meta.constraints}
            missing = sorted(declared - set(connection.introspection.get_constraints(cursor, meta.db_table)))
            if missing:
                return f"{meta.db_table} lacks {', '.join(missing)}"
    return None


def prepare_database(url: str, *, rebuild: bool) -> bool:
    """Bring the bench database to the current schema; True if it was (re)created empty."""
    from django.core.management import call_command
    from django.db import connections

    name = urlsplit(url).path.lstrip("/")
    reason = "--reseed" if rebuild else None if benchdb.database_exists(url) else "it does not exist"
    reason = reason or schema_drift()
    if reason:
        print(f"Creating database {name} afresh ({reason}) and migrating it...", flush=True)
        connections.close_all()
        benchdb.recreate_database(url)
    call_command("migrate", interactive=False, verbosity=0)
    drift = schema_drift()
    if drift:
        sys.exit(f"After migrate, {name} still differs from the models ({drift}): a migration is missing?")
    return reason is not None


def bench_staff() -> Staff:
    """Two offices (sharing cases, the default), each with four teams of ten caseworkers and a supervisor."""
    from django.contrib.auth.models import Group

    from accounts.models import Office, Role, Team, User

    groups = {role: Group.objects.get(name=role) for role in (Role.CASEWORKER, Role.SUPERVISOR)}

    def user(username: str, office: Office, role: str, team: Team | None = None) -> User:
        person, created = User.objects.get_or_create(username=username, defaults={"office": office, "team": team})
        if created:
            person.set_unusable_password()
            person.save()
        person.groups.add(groups[role])
        return person

    offices, workers = [], {}
    for number, (code, name) in enumerate(OFFICES, start=1):
        office, _ = Office.objects.update_or_create(code=code, defaults={"name": name, "share_cases_in_office": True})
        offices.append(office.pk)
        workers[office.pk] = []
        for team_number in range(1, WORKERS_PER_OFFICE // TEAM_SIZE + 1):
            supervisor = user(f"bench.o{number}.sup{team_number}", office, Role.SUPERVISOR)
            team, _ = Team.objects.update_or_create(
                office=office, name=f"Team {team_number}", defaults={"supervisor": supervisor}
            )
            for at in range(TEAM_SIZE):
                worker = user(
                    f"bench.o{number}.w{(team_number - 1) * TEAM_SIZE + at + 1:02d}", office, Role.CASEWORKER, team
                )
                workers[office.pk].append(worker.pk)
    return Staff(office_ids=offices, workers=workers, searcher=User.objects.get(username=SEARCH_USERNAME))


# --- seeding ---------------------------------------------------------------------------------


def zipf_weights(count: int) -> list[float]:
    return [1 / (rank**0.6) for rank in range(1, count + 1)]


def seed_rows(count: int, workers: dict[int, list[int]]) -> Iterator[tuple[str, str]]:
    """COPY text lines for clients 1..count and each one's CaseAccess row. Same seed, same rows.

    No Case (nor Household) rows are made: the access rule reads only CaseAccess, so each run
    of one to four consecutive clients gets a synthetic case_id, an office, a caseworker of that
    office and, for about 1 % of cases, the restriction, as `casework.services.cases.case_access_sync`
    would write them for a household's case. The members of a restricted case are restricted
    clients too (a family fleeing violence, say).
    """
    from clients.normalize import search_key

    rng = random.Random(SEED)
    first_names, last_names = FIRST_NAMES.split(), [n.replace("-", " ") for n in LAST_NAMES.split()]
    first_weights, last_weights = zipf_weights(len(first_names)), zipf_weights(len(last_names))
    office_ids = sorted(workers)
    today = date.today()
    now = datetime.now(UTC)
    case_id = members_left = 0
    office = worker = 0
    restricted = False
    for pk in range(1, count + 1):
        if members_left == 0:
            case_id += 1
            members_left = rng.choice(HOUSEHOLD_SIZES)
            office = rng.choice(office_ids)
            worker = rng.choice(workers[office])
            restricted = rng.random() < RESTRICTED_CASES
        members_left -= 1
        first, last = (
            rng.choices(first_names, first_weights)[0],
            rng.choices(last_names, last_weights)[0],
        )
        middle = rng.choices(first_names, first_weights)[0] if rng.random() < 0.3 else ""
        preferred = rng.choice(first_names) if rng.random() < 0.03 else ""
        born = today - timedelta(days=rng.randint(18 * 365, 90 * 365))
        digits = f"{rng.randint(200, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        language = rng.choice(LANGUAGES)
        # A merged client keeps its access row here; merging moves it to the survivor, but a
        # merged client is never listed, so the row only adds realistic noise.
        merged = pk > 1 and rng.random() < 0.005
        has_identifier = rng.random() < 0.7
        created = now - timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86_399))
        flag = "t" if restricted else "f"
        client = [
            pk,
            office,
            first,
            middle,
            last,
            preferred,
            born.isoformat(),
            rng.choice("FFMMMXU"),
            "",
            language,
            "t" if language != "English" and rng.random() < 0.6 else "f",
            f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"{search_key(first)}.{search_key(last).replace(' ', '')}{pk}@example.org" if rng.random() < 0.5 else "",
            f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
            "",
            rng.choice(CITIES),
            "IL",
            f"{rng.randint(60000, 62999)}",
            flag,
            "ssn" if has_identifier else "",
            "",
            r"\N",
            f"{rng.randint(0, 9999):04d}" if has_identifier else "",
            flag,
            pk - 1 if merged else r"\N",
            search_key(first, middle, last, preferred),
            digits,
            created.isoformat(),
            created.isoformat(),
        ]
        access = [pk, case_id, pk, office, worker, flag]
        yield "\t".join(map(str, client)) + "\n", "\t".join(map(str, access)) + "\n"


def check_copy_columns(cursor: CursorWrapper) -> None:
    """Fail clearly if a table gained a NOT NULL column without a default that COPY would miss."""
    for table, columns in COPY_TABLES.items():
        cursor.execute(
            """SELECT column_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = %s
                 AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'""",
            [table],
        )
        missing = {row[0] for row in cursor.fetchall()} - set(columns)
        if missing:
            sys.exit(f"{table} has NOT NULL columns this script does not fill: {', '.join(sorted(missing))}")


def drop_secondary_indexes(cursor: CursorWrapper, tables: Sequence[str]) -> list[str]:
    """Drop the indexes of `tables` that back no constraint; return the SQL that recreates them.

    Loading first and indexing after is several times faster than updating the indexes (the
    trigram one above all) row by row, and reads each index's definition from the database, so
    it follows the migrations.
    """
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = ANY(%s::regclass[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
           ORDER BY 1""",
        [list(tables)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def copy_lines(cursor: CursorWrapper, table: str, columns: Sequence[str], lines: Sequence[str]) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    cursor.cursor.copy_expert(sql, io.StringIO("".join(lines)))  # the psycopg2 cursor under Django's wrapper


def seed(count: int, workers: dict[int, list[int]]) -> float:
    """Replace all clients and access rows with `count` generated ones; return the seconds it took."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        check_copy_columns(cursor)
        cursor.execute(f"TRUNCATE {', '.join(COPY_TABLES)} RESTART IDENTITY CASCADE")
        indexes = drop_secondary_indexes(cursor, list(COPY_TABLES))
        rows = seed_rows(count, workers)
        loaded = 0
        while batch := list(islice(rows, COPY_BATCH)):
            copy_lines(cursor, "clients_client", CLIENT_COLUMNS, [client for client, _ in batch])
            copy_lines(cursor, "accounts_caseaccess", ACCESS_COLUMNS, [access for _, access in batch])
            loaded += len(batch)
            print(f"  copied {loaded:,} clients and access rows ({time.perf_counter() - started:.0f} s)", flush=True)
        for table in COPY_TABLES:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [count])
        # Check the deferred foreign keys now: an index cannot be built over pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        print(f"  foreign keys checked ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(COPY_TABLES)}")
    return time.perf_counter() - started


# --- queries ---------------------------------------------------------------------------------


def neighbours(letter: str) -> str:
    for row in KEYBOARD_ROWS:
        at = row.find(letter)
        if at >= 0:
            return row[max(at - 1, 0) : at] + row[at + 1 : at + 2]
    return "aeiou"


def typo(word: str, rng: random.Random) -> str:
    """One typo: two adjacent letters swapped, a letter dropped, doubled or mistyped."""
    letters = [at for at, ch in enumerate(word) if ch.isalpha()]
    for _ in range(20):
        at = rng.choice(letters)
        kind = rng.choice(["swap", "drop", "double", "substitute"])
        if kind == "swap" and at + 1 < len(word) and word[at + 1].isalpha():
            changed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif kind == "drop" and len(word) > 3:
            changed = word[:at] + word[at + 1 :]
        elif kind == "double":
            changed = word[: at + 1] + word[at:]
        elif kind == "substitute":
            changed = word[:at] + rng.choice(neighbours(word[at])) + word[at + 1 :]
        else:
            continue
        if changed != word:
            return changed
    return word


def make_queries(user: User, count: int, clients: int) -> list[Query]:
    """`count` searches for clients the caseworker may see, each name with one or two typos."""
    from clients.normalize import search_key
    from clients.selectors import clients_visible

    rng = random.Random(SEED + 1)
    candidates = rng.sample(range(1, clients + 1), min(clients, count * 4))
    visible = {
        c.pk: c
        for c in clients_visible(user=user).filter(pk__in=candidates).only("first_name", "last_name", "search_name")
    }
    queries: list[Query] = []
    for client in (visible[pk] for pk in candidates if pk in visible):
        if len(queries) == count:
            break
        words = [search_key(client.first_name), search_key(client.last_name)]
        typed = words
        while typed == words:  # two typos can undo each other ("jhon" back to "john")
            typed = list(words)
            for _ in range(rng.choice([1, 2])):
                which = rng.choice([0, 1])
                typed[which] = typo(typed[which], rng)
        queries.append(Query(text=" ".join(typed), client_id=client.pk, search_name=client.search_name))
    return queries


def backend_schedstat() -> Path | None:
    """/proc/PID/schedstat of this connection's PostgreSQL backend, when the server runs on this machine.

    Its first two fields are the nanoseconds the process has spent on a CPU and waiting for one.
    On a busy machine (tests running beside the bench) wall times swell with that wait; the CPU
    time stays close to what the search costs on an idle one (somewhat above it: busy neighbours
    share caches and cores). Parallel query workers are not counted.
    """
    from django.db import connection

    if connection.settings_dict.get("HOST") not in {"", "localhost", "127.0.0.1", "::1"}:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    return path if path.exists() else None


def read_schedstat(path: Path | None) -> tuple[float, float]:
    """(ms on a CPU, ms waiting for one) of the backend so far, (0, 0) if unknown."""
    if path is None:
        return 0.0, 0.0
    on_cpu, waiting = path.read_text().split()[:2]
    return int(on_cpu) / 1e6, int(waiting) / 1e6


def run_query(user: User, query: Query, schedstat: Path | None = None) -> Result:
    from clients.selectors import ClientSearch, client_search

    cpu_before, wait_before = read_schedstat(schedstat)
    own_cpu_before = time.process_time()
    started = time.perf_counter()
    found = client_search(user=user, criteria=ClientSearch(name=query.text))
    seconds = time.perf_counter() - started
    own_cpu = (time.process_time() - own_cpu_before) * 1000
    cpu_after, wait_after = read_schedstat(schedstat)
    return Result(
        seconds=seconds,
        cpu_ms=cpu_after - cpu_before + own_cpu if schedstat else None,
        wait_ms=wait_after - wait_before if schedstat else None,
        found=any(c.pk == query.client_id for c in found),
        namesake_found=any(c.search_name == query.search_name for c in found),
        rows=len(found),
    )


def explain(user: User, query: Query) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of exactly the SQL the selector sends for `query`.

    Each pass of the search is explained (a later pass runs only when the one before finds too
    few), the trigram one under the word-similarity threshold it ran with.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients.selectors import ClientSearch, client_search

    with CaptureQueriesContext(connection) as captured:
        client_search(user=user, criteria=ClientSearch(name=query.text))
    parts = []
    with connection.cursor() as cursor:
        for sql in (q["sql"] for q in captured.captured_queries):
            if "set_config" in sql:
                cursor.execute(sql)
                parts.append(f"-- {sql}")
            elif sql.startswith("SELECT") and 'FROM "clients_client"' in sql:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                parts.append(f"{sql}\n\n{plan}")
    return "\n\n".join(parts)


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(1, math.ceil(len(sorted_values) * share)) - 1]


def load_average() -> str:
    return f"{' '.join(f'{n:.2f}' for n in os.getloadavg())} (1, 5, 15 min; {os.cpu_count()} CPUs)"


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    benchdb.require_bench_database(args.database_url, script="bench_search")
    # Timings should be those of production: no query log kept in memory.
    benchdb.setup_django(args.database_url, script="bench_search", debug=False)
    created = prepare_database(args.database_url, rebuild=args.reseed)
    run(args, seeded=not created)


def run(args: argparse.Namespace, *, seeded: bool) -> None:
    """Seed unless `seeded` and the counts match, then time the searches; Django is set up on a migrated database."""
    from accounts.models import CaseAccess
    from clients.models import Client

    staff = bench_staff()
    user = staff.searcher
    clients, access_rows = Client.objects.count(), CaseAccess.objects.count()
    if seeded and clients == access_rows == args.clients:
        print(f"Seeding skipped: {clients:,} clients and access rows already there (--reseed to redo it).")
    else:
        print(f"Seeding {args.clients:,} clients and their access rows (load {load_average()})...", flush=True)
        seconds = seed(args.clients, staff.workers)
        print(f"Seeding took {seconds:.1f} s")

    queries = make_queries(user, args.queries + WARMUP_QUERIES, args.clients)
    warmup, queries = queries[:WARMUP_QUERIES], queries[WARMUP_QUERIES:]
    for query in warmup:
        run_query(user, query)
    schedstat = backend_schedstat()
    load_before = load_average()
    results = [run_query(user, query, schedstat) for query in queries]
    load_after = load_average()

    times = sorted(r.seconds * 1000 for r in results)
    found = sum(r.found for r in results)
    namesakes = sum(r.namesake_found for r in results)
    sharing = CaseAccess.objects.filter(office_id=user.office_id, restricted=False).count()
    own = CaseAccess.objects.filter(worker_id=user.pk).count()
    print()
    print(f"Clients:           {args.clients:,} in {len(staff.office_ids)} offices")
    print(f"Searched as:       {user.username}, a caseworker of office {user.office_id}: {own:,} access rows")
    print(f"                   of their own cases, {sharing:,} unrestricted ones shared in the office")
    print(f"Load average:      {load_before} before the timed searches")
    print(f"                   {load_after} after")
    examples = ", ".join(q.text for q in queries[:4])
    print(f"Queries run:       {len(results)} (after {len(warmup)} warm-up), e.g. {examples}")
    print(f"p50:               {statistics.median(times):.1f} ms")
    print(f"p95:               {percentile(times, 0.95):.1f} ms")
    print(f"p99:               {percentile(times, 0.99):.1f} ms")
    print(f"max:               {times[-1]:.1f} ms")
    if schedstat:
        cpu = sorted(r.cpu_ms for r in results)
        print(
            f"CPU per search:    p50 {statistics.median(cpu):.1f}, p95 {percentile(cpu, 0.95):.1f}, "
            f"p99 {percentile(cpu, 0.99):.1f}, max {cpu[-1]:.1f} ms (PostgreSQL backend + this process, without"
        )
        print("                   parallel query workers: near the wall time on an idle machine, a little above it")
        print("                   on a busy one, whose CPUs share caches and cores)")
        print(
            f"Waiting for a CPU: {statistics.mean(r.wait_ms for r in results):.1f} ms per search on average (backend)"
        )
    print(f"mean rows:         {statistics.mean(r.rows for r in results):.1f} (limit 50)")
    print(f"Recall:            {100 * found / len(results):.1f} % (the intended client among the results)")
    print(f"Namesake recall:   {100 * namesakes / len(results):.1f} % (a client of the same name among the results)")

    by_time = sorted(zip(results, queries, strict=True), key=lambda rq: rq[0].seconds)
    for label, share in (("median", 0.5), ("p95", 0.95)):
        result, query = by_time[max(1, math.ceil(len(by_time) * share)) - 1]
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {label} search {query.text!r} ({result.seconds * 1000:.1f} ms):\n")
        print(explain(user, query))


if __name__ == "__main__":
    main()
