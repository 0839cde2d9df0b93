"""Benchmark of the main pages under load: gunicorn on production settings, real sessions, PostgreSQL.

What it measures: p50/p95/p99 latency, requests per second and errors of the pages a working
day is made of (client record, caseload, caseworker home, supervisor home, approval queue,
name search), each alone and all mixed, at 1, 4 and 16 concurrent users, with the machine's
one-minute load average beside each figure (on a shared machine the figures mean little
without it).

How:
1. A PostgreSQL database of N clients (default 300,000) in the shape of a state agency: households
   of one to four (2.5 on average), each a case; caseworkers with 200 cases each, in teams of ten
   with a supervisor; offices of about 30,000 clients that share their unrestricted cases; two
   case notes and four audit events per client, a task per two cases and a request waiting for a
   supervisor's approval per twenty. Rows are written with COPY, indexes built after. The
   database is named after its size (casework_bench_web_300000) and reused while it holds that
   many clients and its migrations match the code (--rebuild to build it again).
2. gunicorn serves it with config/gunicorn.py on config.settings.production. The bench stands
   where the TLS proxy stands: it sends X-Forwarded-Proto: https (trusted from 127.0.0.1, as in
   deploy/), so HTTPS redirects, secure cookies and CSRF's referer check work as in production
   and nothing in the production settings is relaxed.
3. Each simulated user signs in through the login page; a supervisor then gives a recovery code
   on the second-factor page (their role needs one), as a person would.
4. A small load driver (threads, one keep-alive connection and session each) requests the pages
   for a fixed time per level, bounded in count too, and prints the figures.

    .venv/bin/python scripts/bench_web.py --clients 20000 --seconds 10

Only loopback is ever requested. The script only writes to databases whose name contains "bench".
"""

from __future__ import annotations

import argparse
import http.client
import io
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # beside this script

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench_web"
SEED = 20261203
PASSWORD = "bench-web-password-1"
CASES_PER_WORKER = 200
TEAM_SIZE = 10
CLIENTS_PER_OFFICE = 30_000
NOTES_PER_CLIENT = 2
EVENTS_PER_CLIENT = 4
RECOVERY_CODES = 200  # per supervisor: one is used up by each sign-in
COPY_BATCH = 50_000
PAGES = ("client record", "caseload", "caseworker home", "supervisor home", "approval queue", "search")
SUPERVISOR_PAGES = {"supervisor home", "approval queue"}
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "Maria", "Wei", "Priya"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Rodriguez", "Nguyen", "Patel", "Kim", "Okafor"]


# --- the database ----------------------------------------------------------------------------


def database_url(base: str, clients: int) -> str:
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')}_{clients}"
    if "bench" not in name:
        sys.exit(f"bench_web drops and rebuilds its database; give it a name containing 'bench', not {name!r}.")
    return urlunsplit(parts._replace(path=f"/{name}"))


def reusable(clients: int) -> bool:
    """Whether the database already holds `clients` bench clients and no migration is missing."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from clients.models import Client

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    return Client.objects.count() == clients and bench_users().exists()


def bench_users():
    from accounts.models import User

    return User.objects.filter(username__startswith="bench.web.")


@dataclass
class Shape:
    """How many of each, derived from the number of clients."""

    clients: int
    households: list[int] = field(default_factory=list)  # members per household, in order

    @property
    def cases(self) -> int:
        return len(self.households)

    @property
    def workers(self) -> int:
        return max(2, math.ceil(self.cases / CASES_PER_WORKER))

    @property
    def teams(self) -> int:
        return math.ceil(self.workers / TEAM_SIZE)

    @property
    def offices(self) -> int:
        return max(1, min(self.teams, round(self.clients / CLIENTS_PER_OFFICE)))


def shape(clients: int, rng: random.Random) -> Shape:
    sizes, left = [], clients
    while left:
        size = min(left, rng.choice((1, 2, 3, 4)))
        sizes.append(size)
        left -= size
    return Shape(clients=clients, households=sizes)


def staff(s: Shape) -> tuple[list[int], list[int], list[int]]:
    """Offices, caseworkers (by number) and supervisors (by team): ids of users made with the ORM (a few hundred)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Office, Role, Team, User
    from accounts.second_factor import AUTHENTICATOR, RECOVERY

    # Hashed once (every bench user shares it), with a hasher production accepts whatever the settings in force.
    password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    groups = {role: Group.objects.get(name=role) for role in (Role.CASEWORKER, Role.SUPERVISOR)}
    offices = [
        Office.objects.create(code=f"bw-{n}", name=f"Bench Web Office {n}", share_cases_in_office=True).pk
        for n in range(1, s.offices + 1)
    ]
    supervisors, teams = [], []
    for t in range(s.teams):
        office_id = offices[t % len(offices)]
        supervisor = User.objects.create(
            username=f"bench.web.sup{t + 1:03d}",
            password=password,
            office_id=office_id,
            first_name="Sup",
            last_name=f"{t + 1}",
        )
        supervisor.groups.add(groups[Role.SUPERVISOR])
        # The role needs a second factor: an authenticator, and recovery codes the bench signs in with.
        TOTPDevice.objects.create(user=supervisor, name=AUTHENTICATOR, confirmed=True)
        device = StaticDevice.objects.create(user=supervisor, name=RECOVERY, confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=recovery_code(n)) for n in range(RECOVERY_CODES)
        )
        supervisors.append(supervisor.pk)
        teams.append(Team.objects.create(office_id=office_id, name=f"Team {t + 1}", supervisor=supervisor))
    workers = []
    for w in range(s.workers):
        team = teams[w // TEAM_SIZE]
        worker = User.objects.create(
            username=f"bench.web.w{w + 1:04d}",
            password=password,
            office_id=team.office_id,
            team=team,
            first_name="Worker",
            last_name=f"{w + 1}",
        )
        worker.groups.add(groups[Role.CASEWORKER])
        workers.append(worker.pk)
    return offices, workers, supervisors


def recovery_code(n: int) -> str:
    return f"{7_000_000_000 + n:010d}"


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def line(*values) -> str:
    """One COPY text-format line."""
    out = []
    for value in values:
        if value is None:
            out.append("\\N")
        elif value is True or value is False:
            out.append("t" if value else "f")
        elif isinstance(value, str):
            out.append(value.translate(_ESCAPES))
        elif isinstance(value, date | datetime):
            out.append(value.isoformat())
        else:
            out.append(str(value))
    return "\t".join(out) + "\n"


TABLES = {
    "clients_household": ("id", "office_id", "name", "created_at"),
    "clients_client": (
        "id", "office_id", "first_name", "middle_name", "last_name", "preferred_name", "date_of_birth", "sex",
        "gender", "language", "interpreter_needed", "phone", "email", "address_line1", "address_line2", "city",
        "region", "postal_code", "address_confidential", "identifier_kind", "identifier_encrypted",
        "identifier_last4", "restricted", "search_name", "phone_digits", "created_at", "updated_at",
    ),
    "clients_householdmembership": ("id", "household_id", "client_id", "relationship", "start_date"),
    "casework_case": (
        "id", "number", "household_id", "primary_client_id", "office_id", "assigned_worker_id", "status",
        "restricted", "opened_on", "closure_reason", "last_contact_at", "created_at",
    ),
    "accounts_caseaccess": ("id", "case_id", "client_id", "office_id", "worker_id", "restricted"),
    "casework_casenote": (
        "id", "case_id", "kind", "contact_at", "present", "subject", "body", "confidential", "author_id", "created_at",
    ),
    "casework_task": ("id", "case_id", "assignee_id", "kind", "title", "details", "due_on", "status", "created_at"),
    "audit_auditevent": (
        "id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr", "changes", "reason",
    ),
    "audit_auditeventclient": ("id", "event_id", "client_id"),
    "assistance_issuance": (
        "id", "case_id", "client_id", "program_id", "kind", "status", "amount", "recovered", "purpose", "payee_kind",
        "payee_name", "payee_address", "method", "reference", "idempotency_key", "fingerprint", "exceeds",
        "requested_by_id", "requested_at", "decision_reason",
    ),
}  # fmt: skip


def check_columns(cursor) -> None:
    """Fail clearly when a table gained a NOT NULL column without a default that the COPY would miss."""
    for table, columns in TABLES.items():
        cursor.execute(
            """SELECT column_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = %s
                 AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'""",
            [table],
        )
        missing = {row[0] for row in cursor.fetchall()} - set(columns)
        if missing:
            sys.exit(f"{table} has NOT NULL columns bench_web does not fill: {', '.join(sorted(missing))}")


def rows(s: Shape, workers: list[int], worker_office: dict[int, int], program_id: int, rng: random.Random):
    """COPY lines per table, generated case by case (a household, its clients, its case and what hangs off it)."""
    from clients.normalize import search_key

    now = datetime.now(UTC)
    today = now.date()
    client_id = note_id = task_id = event_id = subject_id = issuance_id = membership_id = 0
    out: dict[str, list[str]] = {table: [] for table in TABLES}
    for case_id, size in enumerate(s.households, start=1):
        worker = workers[(case_id - 1) % len(workers)]
        office = worker_office[worker]
        restricted = rng.random() < 0.01
        created = now - timedelta(days=rng.randint(30, 3000))
        last = rng.choice(LAST)
        out["clients_household"].append(line(case_id, office, last, created))
        members = []
        for n in range(size):
            client_id += 1
            membership_id += 1
            first = rng.choice(FIRST)
            born = today - timedelta(days=rng.randint(1 * 365, 85 * 365))
            digits = f"{rng.randint(200, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
            out["clients_client"].append(
                line(
                    client_id,
                    office,
                    first,
                    "",
                    last,
                    "",
                    born,
                    rng.choice("FM"),
                    "",
                    "English",
                    False,
                    f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
                    "",
                    f"{rng.randint(1, 9999)} Main St",
                    "",
                    "Springfield",
                    "IL",
                    "62701",
                    restricted,
                    "",
                    "",
                    "",
                    restricted,
                    search_key(first, "", last, ""),
                    digits,
                    created,
                    created,
                )
            )
            out["clients_householdmembership"].append(
                line(membership_id, case_id, client_id, "head" if n == 0 else "child", created.date())
            )
            out["accounts_caseaccess"].append(line(client_id, case_id, client_id, office, worker, restricted))
            members.append(client_id)
            for k in range(EVENTS_PER_CLIENT):
                event_id += 1
                subject_id += 1
                at = now - timedelta(days=rng.randint(0, 365), seconds=rng.randint(0, 86_399))
                out["audit_auditevent"].append(
                    line(
                        event_id,
                        at,
                        worker,
                        "",
                        "view" if k else "create",
                        "clients.client",
                        client_id,
                        f"{first} {last}",
                        "{}",
                        "",
                    )
                )
                out["audit_auditeventclient"].append(line(subject_id, event_id, client_id))
        contact = now - timedelta(days=rng.randint(0, 120))
        out["casework_case"].append(
            line(
                case_id,
                f"BW-{case_id:07d}",
                case_id,
                members[0],
                office,
                worker,
                "open",
                restricted,
                created.date(),
                "",
                contact,
                created,
            )
        )
        for _ in range(NOTES_PER_CLIENT * size):
            note_id += 1
            at = now - timedelta(days=rng.randint(0, 365))
            out["casework_casenote"].append(
                line(
                    note_id,
                    case_id,
                    "phone_call",
                    at,
                    "",
                    "Check-in",
                    "Called about the month's paperwork; all in order.",
                    False,
                    worker,
                    at,
                )
            )
        if case_id % 2 == 0:
            task_id += 1
            out["casework_task"].append(
                line(
                    task_id,
                    case_id,
                    worker,
                    "follow_up",
                    "Ask for the lease",
                    "",
                    today + timedelta(days=rng.randint(-10, 30)),
                    "open",
                    created,
                )
            )
        if case_id % 20 == 0:
            issuance_id += 1
            out["assistance_issuance"].append(
                line(
                    issuance_id,
                    case_id,
                    members[0],
                    program_id,
                    "emergency",
                    "pending",
                    "450.00",
                    "0.00",
                    "Rent arrears",
                    "client",
                    last,
                    "",
                    "direct_deposit",
                    f"BW-{issuance_id:07d}",
                    f"bench-web-{issuance_id}",
                    secrets.token_hex(32),
                    "[]",
                    worker,
                    now - timedelta(hours=rng.randint(1, 400)),
                    "",
                )
            )
        if len(out["clients_client"]) >= COPY_BATCH or case_id == s.cases:
            yield out
            out = {table: [] for table in TABLES}


def drop_secondary_indexes(cursor, tables: Sequence[str]) -> list[str]:
    """Drop the indexes that back no constraint (rebuilt after loading, several times faster); return their SQL."""
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


def seed(clients: int) -> float:
    """Fill a migrated, empty database; return the seconds it took."""
    from django.db import connection, transaction

    from eligibility.models import Program

    started = time.perf_counter()
    rng = random.Random(SEED)
    s = shape(clients, rng)
    print(
        f"seeding {clients:,} clients: {s.cases:,} cases, {s.workers:,} caseworkers in {s.teams:,} teams, "
        f"{s.offices:,} offices ...",
        flush=True,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        check_columns(cursor)
        _offices, workers, _supervisors = staff(s)
        from accounts.models import User

        worker_office = dict(User.objects.filter(pk__in=workers).values_list("pk", "office_id"))
        program_id = Program.objects.get(code="snap").pk
        indexes = drop_secondary_indexes(cursor, list(TABLES))
        loaded = 0
        for batch in rows(s, workers, worker_office, program_id, rng):
            for table, lines in batch.items():
                if lines:
                    cursor.cursor.copy_expert(
                        f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN", io.StringIO("".join(lines))
                    )
            loaded += len(batch["clients_client"])
            print(f"  copied {loaded:,} clients and their rows ({time.perf_counter() - started:.0f} s)", flush=True)
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
    return time.perf_counter() - started


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(url: str, port: int, args: argparse.Namespace) -> dict[str, str]:
    """What config/settings/production.py reads (deploy/casework.env.example), with bench values."""
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CASEWORK_FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CASEWORK_IDENTIFIER_HASH_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": url,
        "REDIS_URL": args.redis_url,
        # Its own static files: collecting them never rewrites those another server is using.
        "CASEWORK_STATIC_ROOT": str(ROOT / "bench_output" / "static"),
        "CASEWORK_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.web_workers),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(url: str, args: argparse.Namespace) -> Server:
    port = args.port or free_port()
    env = server_environment(url, port, args)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    log = ROOT / "bench_output" / f"gunicorn-{port}.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "config/gunicorn.py", "--access-logfile", "/dev/null", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {process.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log}")


# --- sessions and requests -------------------------------------------------------------------


class Browser:
    """One user's keep-alive connection and cookies, behind the TLS proxy (X-Forwarded-Proto: https)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, bytes]:
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", content

    def sign_in(self, username: str, recovery: str | None) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        token = csrf_token(page)
        status, location, _ = self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username}: sign-in answered {status}")
        if recovery is not None:
            status, _, page = self.request("GET", "/accounts/second-factor/")
            status, location, _ = self.request(
                "POST", "/accounts/second-factor/", {"csrfmiddlewaretoken": csrf_token(page), "code": recovery}
            )
            if status != 302 or "second-factor" in location:
                raise RuntimeError(f"{username}: the recovery code was refused ({status})")
        status, _, _ = self.request("GET", "/")
        if status != 200:
            raise RuntimeError(f"{username}: the home page answered {status} after signing in")


def csrf_token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1).decode()


@dataclass
class Users:
    """Who the simulated users are, and what each page asks for."""

    workers: list[tuple[str, list[int], list[str]]]  # username, their clients, search texts
    supervisors: list[str]


def bench_people(limit: int) -> Users:
    from accounts.models import CaseAccess, Role, User
    from clients.models import Client

    workers = []
    for user in bench_users().filter(groups__name=Role.CASEWORKER).order_by("username")[:limit]:
        client_ids = list(
            CaseAccess.objects.filter(worker=user, restricted=False)
            .order_by("client_id")
            .values_list("client_id", flat=True)[:200]
        )
        names = list(Client.objects.filter(pk__in=client_ids[:40]).values_list("first_name", "last_name"))
        searches = [f"{typo(first)} {last}" for first, last in names] or ["smith"]
        workers.append((user.username, client_ids, searches))
    # Each sign-in uses a recovery code up: every run starts with the supervisors' full set again.
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    devices = list(StaticDevice.objects.filter(user__username__startswith="bench.web.sup"))
    StaticToken.objects.filter(device__in=devices).delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code(n)) for device in devices for n in range(RECOVERY_CODES)
    )
    supervisors = list(
        User.objects.filter(username__startswith="bench.web.sup")
        .order_by("username")
        .values_list("username", flat=True)[:limit]
    )
    return Users(workers=workers, supervisors=supervisors)


def typo(word: str) -> str:
    """One letter dropped from the middle, the commonest slip."""
    if len(word) < 5:
        return word.lower()
    at = len(word) // 2
    return (word[:at] + word[at + 1 :]).lower()


def page_path(page: str, worker: tuple[str, list[int], list[str]], rng: random.Random) -> str:
    _, client_ids, searches = worker
    if page == "client record":
        return f"/clients/{rng.choice(client_ids)}/"
    if page == "caseload":
        return "/cases/"
    if page in ("caseworker home", "supervisor home"):
        return "/"
    if page == "approval queue":
        return "/assistance/approvals/"
    if page == "search":
        return "/clients/?" + urlencode({"q": rng.choice(searches)})
    raise ValueError(page)


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    load: float

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def drive(
    sessions: list[tuple[Browser, tuple]], pages: Sequence[str], seconds: float, max_requests: int, seed: int
) -> Figures:
    """Each session in its own thread asks for the pages in turn until the time or the count runs out."""
    latencies: list[float] = []
    errors = [0]
    count = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user(number: int, browser: Browser, worker: tuple) -> None:
        rng = random.Random(seed * 100 + number)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at:
            with lock:
                if count[0] >= max_requests:
                    break
                count[0] += 1
            page = pages[len(mine) % len(pages)] if len(pages) > 1 else pages[0]
            path = page_path(page, worker, rng)
            started = time.perf_counter()
            try:
                status, _, _ = browser.request("GET", path)
            except (OSError, http.client.HTTPException):
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n, browser, worker)) for n, (browser, worker) in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Figures(len(latencies), errors[0], elapsed, latencies, os.getloadavg()[0])


def sessions_for(port: int, people: Users, count: int, supervisor: bool, used: dict[str, int]) -> list:
    """`count` signed-in sessions: distinct users while there are enough, then shared."""
    made = []
    for n in range(count):
        worker = people.workers[n % len(people.workers)]
        browser = Browser(port)
        if supervisor:
            username = people.supervisors[n % len(people.supervisors)]
            used[username] = used.get(username, 0) + 1
            browser.sign_in(username, recovery_code(RECOVERY_CODES - used[username]))
            # A supervisor's pages read their team; the worker only lends the client ids (unused there).
        else:
            browser.sign_in(worker[0], None)
        made.append((browser, worker))
    return made


def measure(port: int, args: argparse.Namespace) -> None:
    levels = [int(level) for level in args.concurrency.split(",")]
    people = bench_people(max(levels))
    used: dict[str, int] = {}
    print(f"signing in up to {max(levels)} caseworkers and {max(levels)} supervisors ...", flush=True)
    worker_sessions = sessions_for(port, people, max(levels), supervisor=False, used=used)
    supervisor_sessions = sessions_for(port, people, max(levels), supervisor=True, used=used)
    header = (
        f"{'page':<16} {'users':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'requests':>8} {'errors':>6} {'load':>6}"
    )
    print(header)
    print("-" * len(header))
    pages: list[tuple[str, Callable[[int], list]]] = [
        (page, (lambda n, sup=page in SUPERVISOR_PAGES: (supervisor_sessions if sup else worker_sessions)[:n]))
        for page in PAGES
    ]
    for page, sessions in pages:
        # Warm the workers (imports, templates, connections) before timing.
        drive(sessions(1), [page], 1.0, 3, seed=0)
        for level in levels:
            figures = drive(sessions(level), [page], args.seconds, args.max_requests, seed=level)
            report(page, level, figures)
    for level in levels:
        report("mix", level, drive_mix(worker_sessions, supervisor_sessions, level, args))


def drive_mix(worker_sessions, supervisor_sessions, level: int, args) -> Figures:
    """Caseworkers (three in four) and supervisors (one in four), each going through their own pages."""
    supervisors = max(0, level // 4) if level > 1 else 0
    workers = level - supervisors
    results = []
    threads = []

    def run(sessions, pages):
        results.append(drive(sessions, pages, args.seconds, args.max_requests, seed=level))

    worker_pages = [p for p in PAGES if p not in SUPERVISOR_PAGES]
    threads.append(threading.Thread(target=run, args=(worker_sessions[:workers], worker_pages)))
    if supervisors:
        threads.append(threading.Thread(target=run, args=(supervisor_sessions[:supervisors], sorted(SUPERVISOR_PAGES))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Figures(
        requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results),
        seconds=max(r.seconds for r in results),
        latencies=[x for r in results for x in r.latencies],
        load=os.getloadavg()[0],
    )


def report(page: str, level: int, figures: Figures) -> None:
    rate = figures.requests / figures.seconds if figures.seconds else 0
    print(
        f"{page:<16} {level:>5} {rate:>8.1f} {figures.percentile(0.50):>8.1f} {figures.percentile(0.95):>8.1f} "
        f"{figures.percentile(0.99):>8.1f} {figures.requests:>8} {figures.errors:>6} {figures.load:>6.2f}",
        flush=True,
    )


# --- entry points ----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300_000, help="clients in the database (default 300,000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per page and level (default 10)")
    parser.add_argument("--max-requests", type=int, default=5000, help="at most this many requests per page and level")
    parser.add_argument("--concurrency", default="1,4,16", help="users at once, comma-separated (default 1,4,16)")
    parser.add_argument("--web-workers", type=int, default=5, help="gunicorn worker processes (default 5)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the database whatever it holds")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")),
        help="Redis for the server's cache and sessions (default $BENCH_REDIS_URL, else $REDIS_URL)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = database_url(args.database_url, args.clients)
    fresh = args.rebuild or not benchdb.database_exists(url)
    if fresh:
        benchdb.recreate_database(url)
    benchdb.setup_django(url, script="bench_web")
    from django.core.management import call_command

    if not fresh and not reusable(args.clients):
        from django.db import connections

        connections.close_all()
        benchdb.recreate_database(url)
        fresh = True
    if fresh:
        print(f"migrating {urlsplit(url).path.lstrip('/')} ...", flush=True)
        call_command("migrate", verbosity=0)
        print(f"  built in {seed(args.clients):.0f} s", flush=True)
    else:
        print(f"reusing {urlsplit(url).path.lstrip('/')} ({args.clients:,} clients)", flush=True)
    run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    """Serve the seeded database with gunicorn and measure the pages (Django already set up on it)."""
    from django.db import connections

    connections.close_all()
    server = start_server(url, args)
    try:
        print(f"gunicorn on 127.0.0.1:{server.port}, {args.web_workers} workers, production settings", flush=True)
        measure(server.port, args)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
