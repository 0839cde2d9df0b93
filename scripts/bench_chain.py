"""What the hash chains cost per write, on PostgreSQL: an audit event and a ledger posting, with and without.

"Without" is the write as it was before the chains: the audit event inside a savepoint, the
posting's two bulk INSERTs, no head to lock. "With" is the service as it is: `audit_record`
inserts the event with no lock (the chainer places it later, timed apart), `ledger_post` locks
the ledger's head, inserts, moves the head. Each write is its own transaction,
committed, as a page or a service makes it. Then the same with --writers processes at once
(each on its own connection), where the head's lock makes them queue: writes per second.

The database is dropped, created and migrated on each run; the script refuses a database whose
name lacks "bench" (default postgres://postgres@127.0.0.1:5432/casework_bench_chain).

    .venv/bin/python scripts/bench_chain.py --writes 2000 --writers 4
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench_chain"


def audit_unchained(actor, n: int) -> None:
    """The audit write as it was before the chain: a savepoint, the event, its clients."""
    from django.db import transaction

    from audit.models import AuditEvent, AuditEventClient

    with transaction.atomic():
        event = AuditEvent.objects.create(
            actor=actor, actor_name=actor.username, action="view", object_repr=f"page {n}", changes={"page": n}
        )
        AuditEventClient.objects.bulk_create(AuditEventClient(event=event, client_id=i) for i in (n, n + 1))


def audit_chained(actor, n: int) -> None:
    from django.db import transaction

    from audit.services import audit_record

    with transaction.atomic():
        audit_record(actor=actor, action="view", object_repr=f"page {n}", client_ids=[n, n + 1], changes={"page": n})


def ledger_unchained(actor, lines, n: int) -> None:
    """The posting as it was before the chain: the transaction and its entries, two INSERTs."""
    from django.db import transaction

    from assistance.models import LedgerEntry, LedgerTransaction

    with transaction.atomic():
        (posting,) = LedgerTransaction.objects.bulk_create([LedgerTransaction(kind="issue", posted_by=actor)])
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction=posting, posted_at=posting.posted_at, **vars(line)) for line in lines
        )


def ledger_chained(actor, lines, n: int) -> None:
    from django.db import transaction

    from assistance.services import ledger_post

    with transaction.atomic():
        ledger_post(kind="issue", lines=lines, posted_by=actor)


def timed(write, count: int) -> list[float]:
    times = []
    for n in range(count):
        start = time.perf_counter()
        write(n)
        times.append((time.perf_counter() - start) * 1000)
    return times


def concurrent(write, count: int, writers: int) -> float:
    """Writes per second with `writers` processes writing at once (as gunicorn's workers would), `count` in all."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(writers + 1)
    failed = context.Value("i", 0)

    def run(offset: int) -> None:
        try:
            barrier.wait()
            for n in range(offset, count, writers):
                write(n)
        except BaseException:
            failed.value += 1
            raise
        finally:
            connections.close_all()

    processes = [context.Process(target=run, args=(i,)) for i in range(writers)]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - start
    if failed.value:
        sys.exit(f"{failed.value} writer(s) failed")
    return count / elapsed


def line(label: str, times: list[float]) -> str:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    return (
        f"{label:<34} mean {statistics.fmean(times):6.3f} ms   median {statistics.median(times):6.3f}   p95 {p95:6.3f}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000, help="Writes of each kind, one after another.")
    parser.add_argument("--writers", type=int, default=4, help="Processes writing at once for the throughput figures.")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    benchdb.fresh_database(args.database_url, script="bench_chain")
    run(args)


def run(args: argparse.Namespace) -> None:
    """Time the writes; Django is set up on a migrated PostgreSQL database whose chains hold no rows yet."""
    from assistance.services import Line
    from audit.chain import AUDIT, LEDGER, chain_verify
    from eligibility.models import Program
    from tests.factories import ClientFactory, OfficeFactory, UserFactory, case_for

    worker = UserFactory(username="bench.worker", office=OfficeFactory(code="bench"), roles=["caseworker"])
    client = ClientFactory(office=worker.office)
    case = case_for(client, worker)
    program = Program.objects.get(code="income_support")
    common = {"case_id": case.pk, "client_id": client.pk, "program_id": program.pk, "period": date(2026, 11, 1)}
    lines = [
        Line(account="issued", amount=Decimal("125.00"), **common),
        Line(account="payments", amount=Decimal("-125.00"), **common),
    ]

    count = args.writes
    print(f"PostgreSQL, {count} writes of each kind, each its own committed transaction, one connection:")
    # Warm up both paths (connection, caches, the heads' rows), then alternate so neither gets the warmer cache.
    warmup = min(50, count)
    timed(lambda n: audit_chained(worker, n), warmup)
    timed(lambda n: ledger_chained(worker, lines, n), warmup)
    figures = {}
    for label, write in [
        ("audit event, without the chain", lambda n: audit_unchained(worker, n)),
        ("audit event, with the chain", lambda n: audit_chained(worker, n)),
        ("ledger posting, without the chain", lambda n: ledger_unchained(worker, lines, n)),
        ("ledger posting, with the chain", lambda n: ledger_chained(worker, lines, n)),
    ]:
        figures[label] = timed(write, count)
        print(line(label, figures[label]))
    for kind in ("audit event", "ledger posting"):
        extra = statistics.fmean(figures[f"{kind}, with the chain"]) - statistics.fmean(
            figures[f"{kind}, without the chain"]
        )
        print(f"  the chain adds {extra:+.3f} ms per {kind}")

    print(f"\n{args.writers} writers at once, {count} writes in all (writes per second):")
    for label, write in [
        ("audit event, without the chain", lambda n: audit_unchained(worker, n)),
        ("audit event, with the chain", lambda n: audit_chained(worker, n)),
        ("ledger posting, without the chain", lambda n: ledger_unchained(worker, lines, n)),
        ("ledger posting, with the chain", lambda n: ledger_chained(worker, lines, n)),
    ]:
        print(f"{label:<34} {concurrent(write, count, args.writers):8.0f} /s")

    # The chainer places what the writers left: events placed per second, in its batches.
    from audit.chain import audit_link_pending

    start = time.perf_counter()
    placed = audit_link_pending()
    elapsed = time.perf_counter() - start
    print(f"\nthe chainer placed {placed} waiting events in {elapsed:.2f} s ({placed / elapsed:,.0f} a second)")

    # The walk audit_verify makes (read in chunks, hash each row), over the trail's chained rows.
    from audit.chain import _links, digest

    start = time.perf_counter()
    walked = sum(1 for link in _links(AUDIT) if digest(link.hash, link.seq, link.content))
    elapsed = time.perf_counter() - start
    print(f"\naudit_verify's walk of the trail: {walked} events in {elapsed:.2f} s ({walked / elapsed:,.0f} a second)")
    assert chain_verify(LEDGER).problem.endswith("(it has no place in the chain)")  # the unchained rows show


if __name__ == "__main__":
    main()
