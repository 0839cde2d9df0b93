"""Benchmark of the client name search (`clients.selectors.client_search`) on PostgreSQL.

What it measures: the wall-clock time of typo'd name searches ("jonh smiht") run through the
real selector as a caseworker, so the access rule (`accounts.access.client_scope`), the pg_trgm
similarity filter, the ordering by similarity and the LIMIT are all included, plus the share
of searches whose intended client is among the results (recall). It ends with the
EXPLAIN (ANALYZE, BUFFERS) plan of one representative search.

How: a dedicated database (created and migrated if missing) is seeded with N clients in two
offices, with names drawn from a few hundred common first and last names (a seeded
random.Random, so every run builds the same data and the same queries), loaded with COPY while
the trigram index is dropped, then indexed and ANALYZEd. Seeding is skipped when the table
already holds N clients, unless --reseed.

Run it with `make bench-search`, which runs `.venv/bin/python scripts/bench_search.py`, or:

    .venv/bin/python scripts/bench_search.py --clients 100000 --queries 200 --reseed

Seeding truncates clients_client, so the script only writes to a database whose name contains
"bench" (default postgres://postgres@127.0.0.1:5432/casework_bench).
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
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from accounts.models import Office, User

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench"
SEED = 20260501
WARMUP_QUERIES = 5
COPY_BATCH = 100_000
TRIGRAM_INDEX_SQL = "CREATE INDEX client_search_name_trgm ON clients_client USING gin (search_name gin_trgm_ops)"

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
BENCH_USERNAME = "bench.caseworker"
OTHER_USERNAME = "bench.caseworker2"
LANGUAGES = ["English"] * 16 + ["Spanish"] * 4 + ["Vietnamese", "Mandarin", "Arabic", "French", "Ukrainian"]
CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Georgetown", "Salem", "Franklin", "Clinton"]
STREETS = ["Elm St", "Main St", "Oak Ave", "Cedar Ln", "Lake Dr", "Park Rd", "Maple St", "Pine Ct"]
KEYBOARD_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]

# The columns COPY fills, in order: every NOT NULL one (checked against the table before loading)
# and the nullable identifier_hash, restricted_worker_id and merged_into_id, mostly \N.
COPY_COLUMNS = [
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
    "restricted_worker_id",
    "merged_into_id",
    "search_name",
    "phone_digits",
    "created_at",
    "updated_at",
]


@dataclass(frozen=True)
class Query:
    text: str
    client_id: int
    search_name: str


@dataclass(frozen=True)
class Result:
    seconds: float
    found: bool
    namesake_found: bool
    rows: int


# --- set-up ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1_000_000, help="clients to seed (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200, help="typo'd searches to time (default 200)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the table holds N clients")
    return parser.parse_args(argv)


def require_postgresql(url: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "psql"}:
        sys.exit(f"bench_search measures the PostgreSQL trigram search; {scheme or url!r} is not PostgreSQL.")
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"bench_search truncates clients_client; give it a database whose name contains 'bench', not {name!r}."
        )


def create_database_if_missing(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(maintenance)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                print(f"Creating database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # Timings should be those of production: no query log kept in memory.
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"bench_search needs PostgreSQL; DATABASE_URL gave {connection.vendor}.")
    call_command("migrate", interactive=False, verbosity=0)


def bench_users() -> tuple[list[Office], list[User]]:
    """The two offices and a caseworker in each (the first one runs the searches)."""
    from django.contrib.auth.models import Group

    from accounts.models import Office, Role, User

    offices = [Office.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in OFFICES]
    caseworkers = Group.objects.get(name=Role.CASEWORKER)
    users = []
    for username, office in [(BENCH_USERNAME, offices[0]), (OTHER_USERNAME, offices[1])]:
        user, created = User.objects.get_or_create(username=username, defaults={"office": office})
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(caseworkers)
        users.append(user)
    return offices, users


# --- seeding ---------------------------------------------------------------------------------


def zipf_weights(count: int) -> list[float]:
    return [1 / (rank**0.6) for rank in range(1, count + 1)]


def client_rows(count: int, office_ids: Sequence[int], worker_ids: Sequence[int]) -> Iterator[str]:
    """COPY text lines for clients 1..count. Same seed, same rows."""
    from clients.normalize import search_key

    rng = random.Random(SEED)
    first_names, last_names = FIRST_NAMES.split(), [n.replace("-", " ") for n in LAST_NAMES.split()]
    first_weights, last_weights = zipf_weights(len(first_names)), zipf_weights(len(last_names))
    today = date.today()
    now = datetime.now(UTC)
    for pk in range(1, count + 1):
        first, last = (
            rng.choices(first_names, first_weights)[0],
            rng.choices(last_names, last_weights)[0],
        )
        middle = rng.choices(first_names, first_weights)[0] if rng.random() < 0.3 else ""
        preferred = rng.choice(first_names) if rng.random() < 0.03 else ""
        born = today - timedelta(days=rng.randint(18 * 365, 90 * 365))
        digits = f"{rng.randint(200, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        language = rng.choice(LANGUAGES)
        restricted = rng.random() < 0.01
        merged = pk > 1 and rng.random() < 0.005
        has_identifier = rng.random() < 0.7
        created = now - timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86_399))
        fields = [
            pk,
            office_ids[pk % len(office_ids)],
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
            "t" if restricted else "f",
            "ssn" if has_identifier else "",
            "",
            r"\N",
            f"{rng.randint(0, 9999):04d}" if has_identifier else "",
            "t" if restricted else "f",
            worker_ids[pk % len(worker_ids)] if restricted else r"\N",
            pk - 1 if merged else r"\N",
            search_key(first, middle, last, preferred),
            digits,
            created.isoformat(),
            created.isoformat(),
        ]
        yield "\t".join(map(str, fields)) + "\n"


def check_copy_columns(cursor: CursorWrapper) -> None:
    """Fail clearly if the model gained a NOT NULL column without a default that COPY would miss."""
    cursor.execute(
        """SELECT column_name FROM information_schema.columns
           WHERE table_name = 'clients_client' AND is_nullable = 'NO' AND column_default IS NULL"""
    )
    missing = {row[0] for row in cursor.fetchall()} - set(COPY_COLUMNS)
    if missing:
        sys.exit(f"clients_client has NOT NULL columns this script does not fill: {', '.join(sorted(missing))}")


def seed(count: int, office_ids: Sequence[int], worker_ids: Sequence[int]) -> float:
    """Replace all clients with `count` generated ones; return the seconds it took."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        check_copy_columns(cursor)
        cursor.execute("TRUNCATE clients_client RESTART IDENTITY CASCADE")
        cursor.execute("DROP INDEX IF EXISTS client_search_name_trgm")
        copy_sql = f"COPY clients_client ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        rows = client_rows(count, office_ids, worker_ids)
        loaded = 0
        while loaded < count:
            batch = io.StringIO("".join(line for _, line in zip(range(COPY_BATCH), rows, strict=False)))
            cursor.cursor.copy_expert(copy_sql, batch)  # the psycopg2 cursor under Django's wrapper
            loaded = min(count, loaded + COPY_BATCH)
            print(f"  copied {loaded:,} clients ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('clients_client', 'id'), %s)", [count])
        # Check the deferred foreign keys now: an index cannot be built over pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(TRIGRAM_INDEX_SQL)
        print(f"  foreign keys checked, trigram index built ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_client")
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


def run_query(user: User, query: Query) -> Result:
    from clients.selectors import ClientSearch, client_search

    started = time.perf_counter()
    found = client_search(user=user, criteria=ClientSearch(name=query.text))
    seconds = time.perf_counter() - started
    return Result(
        seconds=seconds,
        found=any(c.pk == query.client_id for c in found),
        namesake_found=any(c.search_name == query.search_name for c in found),
        rows=len(found),
    )


def explain(user: User, query: Query) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of exactly the SQL the selector sends for `query`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients.selectors import ClientSearch, client_search

    with CaptureQueriesContext(connection) as captured:
        client_search(user=user, criteria=ClientSearch(name=query.text))
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{sql}\n\n{plan}"


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(1, math.ceil(len(sorted_values) * share)) - 1]


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    require_postgresql(args.database_url)
    create_database_if_missing(args.database_url)
    setup_django(args.database_url)

    from clients.models import Client

    offices, users = bench_users()
    user = users[0]
    existing = Client.objects.count()
    if existing == args.clients and not args.reseed:
        print(f"Seeding skipped: clients_client already holds {existing:,} clients (--reseed to redo it).")
    else:
        print(f"Seeding {args.clients:,} clients...")
        seconds = seed(args.clients, [o.pk for o in offices], [u.pk for u in users])
        print(f"Seeding took {seconds:.1f} s")

    queries = make_queries(user, args.queries + WARMUP_QUERIES, args.clients)
    warmup, queries = queries[:WARMUP_QUERIES], queries[WARMUP_QUERIES:]
    for query in warmup:
        run_query(user, query)
    results = [run_query(user, query) for query in queries]

    times = sorted(r.seconds * 1000 for r in results)
    found = sum(r.found for r in results)
    namesakes = sum(r.namesake_found for r in results)
    print()
    print(f"Clients:           {args.clients:,} ({offices[0].name}: searched as {user.username})")
    print(f"Load average:      {' '.join(f'{n:.2f}' for n in os.getloadavg())} (1, 5, 15 min; {os.cpu_count()} CPUs)")
    examples = ", ".join(q.text for q in queries[:4])
    print(f"Queries run:       {len(results)} (after {len(warmup)} warm-up), e.g. {examples}")
    print(f"p50:               {statistics.median(times):.1f} ms")
    print(f"p95:               {percentile(times, 0.95):.1f} ms")
    print(f"p99:               {percentile(times, 0.99):.1f} ms")
    print(f"max:               {times[-1]:.1f} ms")
    print(f"mean rows:         {statistics.mean(r.rows for r in results):.1f} (limit 50)")
    print(f"Recall:            {100 * found / len(results):.1f} % (the intended client among the results)")
    print(f"Namesake recall:   {100 * namesakes / len(results):.1f} % (a client of the same name among the results)")

    median = statistics.median(times)
    representative = min(zip(results, queries, strict=True), key=lambda rq: abs(rq[0].seconds * 1000 - median))[1]
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the median search {representative.text!r}:\n")
    print(explain(user, representative))


if __name__ == "__main__":
    main()
