"""Benchmark of the nightly redetermination (`eligibility_redetermine`) on PostgreSQL.

What it measures, on N active SNAP enrollments (one household and case each, one to three
members, an earned income each, an approved determination with its stored snapshot):

1. rule evaluations per second: `snap.evaluate` on snapshots already built and parameters
   already prepared, one core, no database;
2. the whole job's rate: `job_run_inline(job=redetermine)` as the management command runs it
   (the selector, a pending claim per enrollment, then batches that claim, build the
   snapshots in four queries, compare with the stored ones, run the rules for the changed
   ones and bulk-write the determinations, audit events and confirm tasks).

A share of the households (--changed, 10 % by default) gets a new income before the run, so
the job writes something; the rest are compared and left alone.

The database is dropped, created and migrated on each run; the script refuses a database
whose name lacks "bench" (default postgres://postgres@127.0.0.1:5432/casework_bench_elig).

    .venv/bin/python scripts/bench_redetermine.py --enrollments 100000 --batch-size 1000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casework_bench_elig"
APPLIED = date(2025, 8, 1)
DECIDED = date(2025, 10, 15)
RUN_ON = date(2026, 3, 5)
CHUNK = 5_000


def seed(count: int, changed: float, rng: random.Random) -> None:
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.models import Office, Role, User
    from casework.models import Case
    from clients.models import Client, Household, HouseholdMembership, Income
    from eligibility import rules
    from eligibility.models import Determination, Enrollment, Program
    from eligibility.services.snapshots import parameter_table, snapshots_build_many

    office = Office.objects.create(code="bench", name="Bench Office")
    worker = User.objects.create(username="bench-worker", office=office)
    # The job records results as the case's worker, who must hold the caseworker role in the office.
    worker.groups.set(Group.objects.filter(name=Role.CASEWORKER))
    program = Program.objects.get(code="snap")
    params = rules.snap.parameters_on(DECIDED, parameter_table(program))
    started = time.perf_counter()
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        with transaction.atomic():
            households = Household.objects.bulk_create(
                Household(office=office, name=f"H{offset + i}") for i in range(size)
            )
            members = [rng.choice((1, 1, 2, 2, 3)) for _ in households]
            clients = Client.objects.bulk_create(
                Client(
                    office=office,
                    first_name=f"C{offset + i}-{m}",
                    last_name="Bench",
                    date_of_birth=date(rng.randint(1950, 2015), rng.randint(1, 12), rng.randint(1, 28)),
                )
                for i, n in enumerate(members)
                for m in range(n)
            )
            memberships, incomes, cases, heads = [], [], [], []
            position = 0
            for i, (household, n) in enumerate(zip(households, members, strict=True)):
                heads.append(clients[position])
                for m in range(n):
                    client = clients[position + m]
                    memberships.append(
                        HouseholdMembership(
                            household=household,
                            client=client,
                            relationship="head" if m == 0 else "child",
                            start_date=date(2024, 1, 1),
                        )
                    )
                    incomes.append(
                        Income(
                            client=client,
                            kind="earned",
                            amount=Decimal(rng.randint(0, 1400)),
                            start_date=date(2025, 1, 1),
                        )
                    )
                position += n
                cases.append(
                    Case(
                        number=f"B{offset + i:08d}",
                        household=household,
                        primary_client=heads[-1],
                        office=office,
                        assigned_worker=worker,
                        status="open",
                    )
                )
            HouseholdMembership.objects.bulk_create(memberships)
            Income.objects.bulk_create(incomes)
            cases = Case.objects.bulk_create(cases)
            snapshots = snapshots_build_many(
                households={h.pk: (APPLIED, program.exempt_asset_kinds) for h in households}, as_of=DECIDED
            )
            enrollments, determinations = [], []
            for case in cases:
                snapshot = snapshots[case.household_id]
                outcome = rules.snap.evaluate(snapshot, params, DECIDED)
                stored = outcome.to_dict()
                used = stored.pop("parameters_used")
                enrollment = Enrollment(
                    case=case,
                    program=program,
                    status="active",
                    application_date=APPLIED,
                    certification_start=date(2025, 10, 1),
                    certification_end=date(2026, 9, 30),
                    next_review_on=date(2026, 9, 30),
                    monthly_amount=outcome.monthly_amount,
                    created_by=worker,
                )
                enrollments.append(enrollment)
                determinations.append(
                    Determination(
                        enrollment=enrollment,
                        as_of=DECIDED,
                        snapshot=snapshot.to_dict(),
                        outcome=stored,
                        parameters_used=used,
                        eligible=outcome.eligible,
                        monthly_amount=outcome.monthly_amount,
                        status="approved",
                        run_by=worker,
                        finalised_by=worker,
                        finalised_at=time_now(),
                    )
                )
            Enrollment.objects.bulk_create(enrollments)
            for determination in determinations:
                determination.enrollment_id = determination.enrollment.pk
            Determination.objects.bulk_create(determinations)
            Income.objects.bulk_create(
                Income(client=head, kind="earned", amount=Decimal(rng.randint(100, 600)), start_date=date(2026, 2, 10))
                for head in heads
                if rng.random() < changed
            )
        done = offset + size
        print(f"  seeded {done:,} enrollments ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)


def time_now():
    from django.utils import timezone

    return timezone.now()


def bench_rules() -> tuple[int, float]:
    """Evaluations per second on prepared snapshots and parameters (one core, no database in the loop)."""
    from eligibility import rules
    from eligibility.models import Enrollment, Program
    from eligibility.services.snapshots import parameter_table, snapshots_build_many

    program = Program.objects.get(code="snap")
    params = rules.snap.parameters_on(RUN_ON, parameter_table(program))
    households = {
        h: (APPLIED, program.exempt_asset_kinds)
        for h in Enrollment.objects.filter(status="active").values_list("case__household_id", flat=True)
    }
    snapshots = [s for s in snapshots_build_many(households=households, as_of=RUN_ON).values()]
    started = time.perf_counter()
    for snapshot in snapshots:
        rules.snap.evaluate(snapshot, params, RUN_ON)
    return len(snapshots), time.perf_counter() - started


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.10, help="Share of households with a new income.")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    benchdb.fresh_database(args.database_url, script="bench_redetermine")
    run(args)


def run(args: argparse.Namespace) -> None:
    """Seed, then time the rules and the job; Django is set up on a migrated PostgreSQL database without cases."""
    from django.db import connection

    print(f"seeding {args.enrollments:,} active enrollments ({args.changed:.0%} with changed households) ...")
    seed(args.enrollments, args.changed, random.Random(20261122))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    count, seconds = bench_rules()
    print(f"rules: {count:,} evaluations in {seconds:.2f} s = {count / seconds:,.0f} evaluations/s (one core)")

    from eligibility.models import Determination, JobClaim
    from eligibility.services.jobs import job_run_inline

    started = time.perf_counter()
    done = job_run_inline(job=JobClaim.Job.REDETERMINE, run_on=RUN_ON, batch_size=args.batch_size)
    seconds = time.perf_counter() - started
    drafts = Determination.objects.filter(is_redetermination=True, status="draft").count()
    recorded = Determination.objects.filter(is_redetermination=True).exclude(status="draft").count()
    print(
        f"job: {done:,} enrollments in {seconds:.1f} s = {done / seconds:,.0f} enrollments/s "
        f"(batches of {args.batch_size}; {drafts:,} drafts to confirm, {recorded:,} recorded unchanged results)"
    )
    started = time.perf_counter()
    again = job_run_inline(job=JobClaim.Job.REDETERMINE, run_on=RUN_ON, batch_size=args.batch_size)
    print(f"second run the same day: {again} enrollments claimed in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
