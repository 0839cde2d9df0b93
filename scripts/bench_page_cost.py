"""What one load of each main page costs inside the application: CPU in Python, SQL queries, the
audit write, and the size of the HTML.

Run it after `make bench-web` has built its database (it reuses casework_bench_web_<N> and the
bench's users). Each page is loaded in this process through Django's test client, signed in as
a bench caseworker or supervisor, with a warm cache, as a person's pages after their first are:

- CPU: `time.process_time()` around the request, so the database server's own work is not in
  it (the goal is about Python: template work, formatting, per-row helpers);
- queries: statements sent, less the page transaction's BEGIN and COMMIT;
- audit write: the time of the statements that write the audit trail (INSERT INTO audit_...);
- HTML: the size of the page sent.

    .venv/bin/python scripts/bench_page_cost.py --clients 300000 --loads 30
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300_000, help="the size bench_web built (default 300,000)")
    parser.add_argument("--loads", type=int, default=30, help="loads of each page (default 30)")
    args = parser.parse_args()

    name = f"casework_bench_web_{args.clients}"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database {name}; {args.loads} loads of each page after two warming loads")
    measure(args.loads)
    return 0


def measure(loads: int) -> None:
    """Loads each main page `loads` times as a bench caseworker or supervisor and prints its costs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts.models import CaseAccess, Role, User
    from clients.models import Client as Person

    rng = random.Random(20261204)
    worker = User.objects.filter(username__startswith="bench.web.w", groups__name=Role.CASEWORKER).order_by("username")[
        0
    ]
    supervisor = User.objects.filter(username__startswith="bench.web.sup").order_by("username")[0]
    client_ids = list(
        CaseAccess.objects.filter(worker=worker, restricted=False)
        .order_by("client_id")
        .values_list("client_id", flat=True)[:200]
    )
    surnames = list(Person.objects.filter(id__in=client_ids[:20]).values_list("last_name", flat=True))
    pages = {
        "client record": (worker, lambda: f"/clients/{rng.choice(client_ids)}/"),
        "caseload": (worker, lambda: "/cases/"),
        "caseworker home": (worker, lambda: "/"),
        "search": (worker, lambda: f"/clients/?q={rng.choice(surnames)}"),
        "supervisor home": (supervisor, lambda: "/"),
        "approval queue": (supervisor, lambda: "/assistance/approvals/"),
    }

    print(f"load average before: {_load()}")
    print(f"{'page':<18}{'CPU p50 ms':>11}{'CPU p95 ms':>11}{'queries':>9}{'audit ms':>10}{'HTML KB':>9}")
    for page, (user, path) in pages.items():
        browser = Client()
        browser.force_login(user)
        device = StaticDevice.objects.filter(user=user).first()
        if device is not None:  # the second factor, as the sign-in page would record it
            session = browser.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        for _ in range(2):
            browser.get(path())
        cpu, queries, audit, size = [], [], [], []
        for _ in range(loads):
            url = path()
            started = time.process_time()
            response = browser.get(url)
            cpu.append((time.process_time() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{page}: {url} answered {response.status_code} {response.get('Location', '')}")
            size.append(len(response.content) / 1024)
        for _ in range(min(loads, 10)):
            with CaptureQueriesContext(connection) as captured:
                browser.get(path())
            statements = [q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
            queries.append(len(statements))
            audit.append(sum(float(q["time"]) for q in statements if q["sql"].startswith('INSERT INTO "audit_')) * 1000)
        print(
            f"{page:<18}{statistics.median(cpu):>11.1f}{_p95(cpu):>11.1f}{max(queries):>9}"
            f"{statistics.median(audit):>10.2f}{statistics.median(size):>9.1f}"
        )
    print(f"load average after: {_load()}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
