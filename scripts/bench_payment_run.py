"""Benchmark of the monthly payment run (`manage.py payment_run`) on PostgreSQL.

What it builds: N active SNAP enrollments (one household, client and case each, the cases
shared among a few offices and workers), each with an approved determination and a monthly
amount between $23 and $994; on 5 % of them (--overpaid) an open overpayment recovered by
deduction, established through the ledger (receivable and issued entries), a fifth of them
for an intentional program violation. Rows are written with COPY.

What it times, each in this process, batch by batch, as the command runs it
(`payment_run_inline`, --workers batches at once on their own connections, 2 by default):

1. the month's run: every enrollment paid (issuance, status row, ledger transaction and its
   entries, recovery deductions lowering the overpayments, one audit event per batch), the
   run completed with its report, and the payment file built; printed as issuances per second;
2. the same month again: nothing left to pay (the idempotent re-run);
3. the next month one batch at a time (--workers 1), for comparison;
4. the month after with the ledger's deferred balance-check trigger disabled, then the next
   with it enabled again: what the check at commit costs.

The database is dropped, created and migrated on each run; the script refuses a database
whose name lacks "bench" (default postgres://postgres@127.0.0.1:5432/casework_bench_run).

    .venv/bin/python scripts/bench_payment_run.py --enrollments 100000 --batch-size 1000 --workers 2
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench_run"
APPLIED = date(2025, 8, 1)
DECIDED = date(2025, 10, 15)
MONTHS = (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1))
OFFICES = 4
CHUNK = 20_000


def copy_rows(cursor, model, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a model's table (tab-separated; \\N for null).

    A NOT NULL column the caller does not name gets the field's default, so a column added to
    the model later does not break the seeding; one without a default stops it with its name.
    """
    extra_columns, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.column in columns or field.null or field.primary_key:
            continue
        if not (field.has_default() or field.empty_strings_allowed):
            raise SystemExit(f"{model._meta.db_table}.{field.column} is NOT NULL and has no default: seed it")
        value = field.get_default()
        extra_columns.append(field.column)
        extra_values.append(json.dumps(value) if isinstance(value, dict | list) else value)
    columns = [*columns, *extra_columns]
    buffer = io.StringIO()
    for row in rows:
        row = (*row, *extra_values)
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer)


def next_ids(cursor, model, count: int) -> list[int]:
    """Reserve `count` ids from the table's sequence."""
    table = model._meta.db_table
    cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
    return [row[0] for row in cursor.fetchall()]


def seed(count: int, overpaid: float, rng: random.Random) -> None:
    from django.db import connection, transaction

    from accounts.models import Office, User
    from casework.models import Case
    from clients.models import Client, Household, HouseholdMembership
    from eligibility.models import Determination, Enrollment, Program

    offices = [Office.objects.create(code=f"bench{i}", name=f"Bench Office {i}") for i in range(OFFICES)]
    workers = [User.objects.create(username=f"bench-worker-{i}", office=office) for i, office in enumerate(offices)]
    program = Program.objects.get(code="snap")
    now = datetime(2025, 10, 15, 15, 0, tzinfo=UTC).isoformat()
    started = time.perf_counter()
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        with transaction.atomic(), connection.cursor() as cursor:
            ids = {
                model: next_ids(cursor, model, size)
                for model in (Household, Client, HouseholdMembership, Case, Enrollment, Determination)
            }
            office_of = [offices[(offset + i) % OFFICES] for i in range(size)]
            worker_of = [workers[(offset + i) % OFFICES] for i in range(size)]
            copy_rows(
                cursor,
                Household,
                ["id", "office_id", "name", "created_at"],
                [(ids[Household][i], office_of[i].pk, f"H{offset + i}", now) for i in range(size)],
            )
            copy_rows(
                cursor,
                Client,
                [
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
                    "identifier_last4",
                    "restricted",
                    "search_name",
                    "phone_digits",
                    "created_at",
                    "updated_at",
                ],
                [
                    (
                        ids[Client][i],
                        office_of[i].pk,
                        f"C{offset + i}",
                        "",
                        "Bench",
                        "",
                        date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28)),
                        "U",
                        "",
                        "English",
                        False,
                        "",
                        "",
                        f"{i % 900 + 1} Main Street",
                        "",
                        "Riverton",
                        "",
                        "",
                        False,
                        "",
                        "",
                        "",
                        (offset + i) % 50 == 0,  # a few restricted clients
                        f"c{offset + i} bench",
                        "",
                        now,
                        now,
                    )
                    for i in range(size)
                ],
            )
            copy_rows(
                cursor,
                HouseholdMembership,
                ["id", "household_id", "client_id", "relationship", "start_date"],
                [
                    (ids[HouseholdMembership][i], ids[Household][i], ids[Client][i], "head", date(2024, 1, 1))
                    for i in range(size)
                ],
            )
            copy_rows(
                cursor,
                Case,
                [
                    "id",
                    "number",
                    "household_id",
                    "primary_client_id",
                    "office_id",
                    "assigned_worker_id",
                    "status",
                    "restricted",
                    "opened_on",
                    "closure_reason",
                    "created_at",
                ],
                [
                    (
                        ids[Case][i],
                        f"B{offset + i:08d}",
                        ids[Household][i],
                        ids[Client][i],
                        office_of[i].pk,
                        worker_of[i].pk,
                        "open",
                        False,
                        APPLIED,
                        "",
                        now,
                    )
                    for i in range(size)
                ],
            )
            amounts = [Decimal(rng.randint(23, 994)) for _ in range(size)]
            copy_rows(
                cursor,
                Enrollment,
                [
                    "id",
                    "case_id",
                    "program_id",
                    "status",
                    "application_date",
                    "certification_start",
                    "certification_end",
                    "next_review_on",
                    "monthly_amount",
                    "created_by_id",
                    "created_at",
                ],
                [
                    (
                        ids[Enrollment][i],
                        ids[Case][i],
                        program.pk,
                        "active",
                        APPLIED,
                        date(2025, 10, 1),
                        date(2026, 9, 30),
                        date(2026, 9, 30),
                        amounts[i],
                        worker_of[i].pk,
                        now,
                    )
                    for i in range(size)
                ],
            )
            copy_rows(
                cursor,
                Determination,
                [
                    "id",
                    "enrollment_id",
                    "as_of",
                    "snapshot",
                    "outcome",
                    "parameters_used",
                    "eligible",
                    "monthly_amount",
                    "status",
                    "reasons",
                    "run_by_id",
                    "run_at",
                    "finalised_by_id",
                    "finalised_at",
                    "is_redetermination",
                ],
                [
                    (
                        ids[Determination][i],
                        ids[Enrollment][i],
                        DECIDED,
                        "{}",
                        "{}",
                        "{}",
                        True,
                        amounts[i],
                        "approved",
                        "[]",
                        worker_of[i].pk,
                        now,
                        worker_of[i].pk,
                        now,
                        False,
                    )
                    for i in range(size)
                ],
            )
            owing = [i for i in range(size) if rng.random() < overpaid]
            if owing:
                seed_overpayments(cursor, owing, ids, worker_of, program, rng, now)
        done = offset + size
        print(f"  seeded {done:,} enrollments ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)


def seed_overpayments(cursor, owing, ids, worker_of, program, rng, now) -> None:
    from assistance.models import LedgerEntry, LedgerTransaction, Overpayment
    from casework.models import Case
    from clients.models import Client

    overpayment_ids = next_ids(cursor, Overpayment, len(owing))
    transaction_ids = next_ids(cursor, LedgerTransaction, len(owing))
    entry_ids = next_ids(cursor, LedgerEntry, 2 * len(owing))
    amounts = [Decimal(rng.randint(5, 400)) for _ in owing]
    copy_rows(
        cursor,
        Overpayment,
        [
            "id",
            "case_id",
            "client_id",
            "program_id",
            "source",
            "reason",
            "status",
            "recovery",
            "amount",
            "balance",
            "allegation",
            "findings",
            "outcome",
            "established_by_id",
            "established_at",
            "write_off_reason",
        ],
        [
            (
                overpayment_ids[n],
                ids[Case][i],
                ids[Client][i],
                program.pk,
                "redetermination",
                "intentional" if n % 5 == 0 else "client_error",
                "established",
                "deduction",
                amounts[n],
                amounts[n],
                "",
                "",
                "",
                worker_of[i].pk,
                now,
                "",
            )
            for n, i in enumerate(owing)
        ],
    )
    entries = []
    for n, i in enumerate(owing):
        common = (ids[Case][i], ids[Client][i], program.pk, date(2026, 1, 1))
        entries.append(
            (entry_ids[2 * n], transaction_ids[n], "receivable", amounts[n], *common, overpayment_ids[n], now)
        )
        entries.append((entry_ids[2 * n + 1], transaction_ids[n], "issued", -amounts[n], *common, None, now))
    # In the ledger's hash chain, as `ledger_post` would place them, so `audit_verify` passes on the result.
    from assistance.services.ledger import ledger_chain

    moment = datetime.fromisoformat(now)
    postings = [
        LedgerTransaction(kind="overpayment", overpayment_id=overpayment_ids[n], posted_by_id=worker_of[i].pk)
        for n, i in enumerate(owing)
    ]
    for posting in postings:
        posting.posted_at = moment
    fields = ("account", "amount", "case_id", "client_id", "program_id", "period", "overpayment_id")
    ledger_chain(
        postings,
        [
            [
                LedgerEntry(posted_at=moment, **dict(zip(fields, row[2:9], strict=True)))
                for row in entries[2 * n : 2 * n + 2]
            ]
            for n in range(len(owing))
        ],
    )
    copy_rows(
        cursor,
        LedgerTransaction,
        ["id", "kind", "overpayment_id", "memo", "posted_by_id", "posted_at", "seq", "hash"],
        [
            (transaction_ids[n], "overpayment", overpayment_ids[n], "", worker_of[i].pk, now, p.seq, p.hash)
            for (n, i), p in zip(enumerate(owing), postings, strict=True)
        ],
    )
    copy_rows(
        cursor,
        LedgerEntry,
        [
            "id",
            "transaction_id",
            "account",
            "amount",
            "case_id",
            "client_id",
            "program_id",
            "period",
            "overpayment_id",
            "posted_at",
        ],
        entries,
    )


def set_balance_trigger(enabled: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        verb = "ENABLE" if enabled else "DISABLE"
        cursor.execute(f"ALTER TABLE assistance_ledgerentry {verb} TRIGGER assistance_ledgerentry_balanced")


def timed_run(
    period: date, batch_size: int, workers: int, *, quiet: bool = False, profile: bool = False
) -> tuple[int, float]:
    from assistance.services.runs import payment_file, payment_run_inline

    issued = {"n": 0, "batches": 0, "last": 0.0}
    started = time.perf_counter()

    def progress(number, count, result):
        issued["n"] += result.issued
        issued["batches"] = count
        issued["last"] = time.perf_counter()
        if not quiet and (number % 20 == 0 or number == count):
            rate = issued["n"] / (time.perf_counter() - started)
            print(f"    batch {number}/{count}: {issued['n']:,} issued so far ({rate:,.0f}/s)", flush=True)

    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    run = payment_run_inline(period=period, batch_size=batch_size, progress=progress, workers=workers)
    content = payment_file(run=run)
    if profiler:
        profiler.disable()
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("cumulative").print_stats(30)
        print(stats.getvalue())
    seconds = time.perf_counter() - started
    assert run.status == "completed", run.status
    if issued["last"]:
        batches, closing = issued["last"] - started, seconds - (issued["last"] - started)
        print(f"    batches {batches:.1f} s, then completion (report, payment file) {closing:.1f} s")
    if not quiet:
        report = run.report
        print(
            f"    report: {report['issued']:,} issued, gross ${report['gross']}, recovered ${report['recovered']}, "
            f"net ${report['net']}; {report['with_deduction']:,} with a deduction, "
            f"{report['overpayments_recovered_in_full']:,} overpayments recovered in full; "
            f"file {len(content):,} bytes, sha256 {run.file_sha256[:16]}…"
        )
    return issued["n"], seconds


def check_ledger() -> None:
    from django.db.models import F, Sum
    from django.db.models.functions import Coalesce

    from assistance.models import LedgerEntry, Overpayment

    total = LedgerEntry.objects.aggregate(t=Sum("amount"))["t"]
    drift = (
        Overpayment.objects.annotate(entries=Coalesce(Sum("ledger_entries__amount"), Decimal(0)))
        .exclude(balance=F("entries"))
        .count()
    )
    print(f"  ledger total {total} (must be 0); overpayments whose balance differs from their entries: {drift}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--overpaid", type=float, default=0.05, help="Share of enrollments with an open overpayment.")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="Batches paid at once (the command's --workers).")
    parser.add_argument("--profile", action="store_true", help="Profile the first run (cProfile, top 30).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    benchdb.fresh_database(args.database_url, script="bench_payment_run")
    run(args)


def run(args: argparse.Namespace) -> None:
    """Seed, then time the runs; Django is set up on a migrated PostgreSQL database without enrollments."""
    from django.db import connection

    print(f"seeding {args.enrollments:,} active enrollments ({args.overpaid:.0%} with an open overpayment) ...")
    started = time.perf_counter()
    seed(args.enrollments, args.overpaid, random.Random(20261122))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s")

    march, april, may, june = MONTHS
    workers = args.workers
    print(f"run {march:%Y-%m} (batches of {args.batch_size:,}, {workers} at once, balance check at commit on):")
    done, seconds = timed_run(march, args.batch_size, workers, profile=args.profile)
    print(f"  {done:,} issuances in {seconds:.1f} s = {done / seconds:,.0f} issuances/s")
    check_ledger()

    again, seconds_again = timed_run(march, args.batch_size, workers, quiet=True)
    print(f"run {march:%Y-%m} again: {again} issued in {seconds_again:.2f} s (nothing left to pay)")

    if workers > 1:
        print(f"run {april:%Y-%m} with one batch at a time:")
        single, seconds_single = timed_run(april, args.batch_size, 1, quiet=True)
        print(f"  {single:,} issuances in {seconds_single:.1f} s = {single / seconds_single:,.0f} issuances/s")

    set_balance_trigger(False)
    try:
        print(f"run {may:%Y-%m} with the deferred balance-check trigger disabled:")
        off, seconds_off = timed_run(may, args.batch_size, workers, quiet=True)
    finally:
        set_balance_trigger(True)
    print(f"  {off:,} issuances in {seconds_off:.1f} s = {off / seconds_off:,.0f} issuances/s")
    print(f"run {june:%Y-%m} with it enabled again:")
    on, seconds_on = timed_run(june, args.batch_size, workers, quiet=True)
    print(f"  {on:,} issuances in {seconds_on:.1f} s = {on / seconds_on:,.0f} issuances/s")
    cost = seconds_on - seconds_off
    print(f"  the balance check at commit costs about {cost:.1f} s of {seconds_on:.1f} s ({cost / seconds_on:.0%})")
    check_ledger()


if __name__ == "__main__":
    main()
