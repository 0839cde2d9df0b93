"""Benchmark of the eligibility rules (`eligibility.rules`): evaluations per second, one core.

What it measures: the time to evaluate N household snapshots with each program's rule
(`snap`, `income_support`, `drug_assistance`), parameters prepared once per program and date
beforehand, as a batch job would. Building the snapshots is not timed. No Django, no database.

How: a seeded random.Random builds N varied snapshots (1 to 9 members of all ages, some
disabled; 0 to 4 incomes of every kind and frequency, some ending; rent or mortgage, utilities
of one to three kinds, dependent care, medical costs and child support paid; assets, some
exempt; some homeless) with application dates spread over FY 2025 and FY 2026 and a
determination date 0 to 60 days after each. SNAP uses Connecticut's figures (utility
allowances, broad-based categorical eligibility) from FY 2026; for FY 2025, which ships none,
the utility allowances are example values (not any state's figures). Households the drug plan
cannot assess (3 or more adults without children) are counted as such, not timed out.

Run it with:

    .venv/bin/python scripts/bench_rules.py --snapshots 100000 --repeat 3

It prints, per program, the best of the repeats in evaluations per second of CPU time (the
process runs on one core; CPU time is what that core spent, whatever else the machine is doing)
and of wall-clock time, which is lower when other processes compete for the CPUs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eligibility.rules import (
    Asset,
    Expense,
    HouseholdNotAssessableError,
    HouseholdSnapshot,
    Income,
    Member,
    ParameterTable,
    ParameterValue,
    Source,
    drug_assistance,
    income_support,
    shipped_table,
    snap,
)

FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly", "yearly")
INCOME_KINDS = ("earned", "earned", "self_employment", "benefits", "child_support", "other")
ASSET_KINDS = ("cash", "bank_account", "vehicle", "property", "investment", "other")
FIRST_DAY = date(2024, 10, 1)
LAST_DAY = date(2026, 7, 31)


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def build_snapshot(rng: random.Random) -> tuple[HouseholdSnapshot, date]:
    application = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
    day = application + timedelta(days=rng.randrange(61))
    size = rng.choices(range(1, 10), weights=(30, 22, 17, 14, 8, 4, 2, 2, 1))[0]
    members = []
    for index in range(size):
        age = rng.randint(19, 85) if index == 0 else rng.randint(0, 80)
        born = day - timedelta(days=age * 365 + rng.randrange(365))
        members.append(Member(id=f"m{index}", date_of_birth=born, disabled=rng.random() < 0.08))
    incomes = []
    for _ in range(rng.choices((0, 1, 2, 3, 4), weights=(15, 40, 30, 10, 5))[0]):
        frequency = rng.choice(FREQUENCIES)
        monthly_high = {"weekly": 600, "biweekly": 1400, "semimonthly": 1500, "monthly": 3000, "yearly": 36000}
        start = application - timedelta(days=rng.randrange(900))
        end = None if rng.random() < 0.8 else day + timedelta(days=rng.randrange(-30, 300))
        incomes.append(
            Income(
                member_id=rng.choice(members).id,
                kind=rng.choice(INCOME_KINDS),
                amount=money(rng, 0, monthly_high[frequency]),
                frequency=frequency,
                start=start,
                end=end if end is None or end >= start else start,
            )
        )
    expenses = []
    homeless = rng.random() < 0.05
    if not homeless:
        expenses.append(
            Expense(
                kind=rng.choice(("rent", "rent", "mortgage")),
                amount=money(rng, 300, 2200),
                frequency="monthly",
                start=application - timedelta(days=400),
            )
        )
        if rng.random() < 0.6:
            for kind in rng.sample(UTILITIES, rng.randint(1, 3)):
                expenses.append(Expense(kind=kind, amount=money(rng, 20, 300), frequency="monthly", start=FIRST_DAY))
    if rng.random() < 0.2:
        expenses.append(
            Expense(kind="dependent_care", amount=money(rng, 50, 800), frequency="monthly", start=FIRST_DAY)
        )
    if rng.random() < 0.15:
        expenses.append(
            Expense(
                kind="medical",
                amount=money(rng, 10, 400),
                frequency="monthly",
                start=FIRST_DAY,
                member_id=rng.choice(members).id,
            )
        )
    if rng.random() < 0.05:
        expenses.append(
            Expense(kind="child_support_paid", amount=money(rng, 100, 600), frequency="monthly", start=FIRST_DAY)
        )
    assets = [
        Asset(kind=rng.choice(ASSET_KINDS), value=money(rng, 0, 4000), exempt=rng.random() < 0.2)
        for _ in range(rng.randint(0, 3))
    ]
    snapshot = HouseholdSnapshot(
        members=tuple(members),
        application_date=application,
        incomes=tuple(incomes),
        expenses=tuple(expenses),
        assets=tuple(assets),
        homeless=homeless,
    )
    return snapshot, day


def snap_table_with_example_sua() -> ParameterTable:
    """The SNAP table with Connecticut's figures, and EXAMPLE utility allowances for FY 2025 (set by each state)."""
    examples = {snap.SUA: Decimal("500"), snap.LUA: Decimal("250"), snap.TUA: Decimal("30"), snap.INDIVIDUAL: {}}
    replaced = [
        ParameterValue(
            name=name,
            value=value,
            effective_from=date(2024, 10, 1),
            source=Source(title="EXAMPLE utility allowance for the benchmark, not any state's", url="n/a"),
            example=True,
        )
        for name, value in examples.items()
    ]
    shipped = [
        value
        for value in shipped_table("snap", "ct")
        if not (value.name in examples and value.effective_from == date(2024, 10, 1))
    ]
    return ParameterTable([*shipped, *replaced])


UTILITIES = ["heating_cooling", "electricity", "gas_fuel", "water", "sewer", "trash", "telephone"]


def run(program, cases, params_for) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, households not assessable) for one pass over the cases."""
    evaluate = program.evaluate
    skipped = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for snapshot, day in cases:
        try:
            evaluate(snapshot, params_for(day), day)
        except HouseholdNotAssessableError:
            skipped += 1
    return time.process_time() - cpu, time.perf_counter() - wall, skipped


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    started = time.perf_counter()
    cases = [build_snapshot(rng) for _ in range(args.snapshots)]
    print(f"built {len(cases):,} snapshots in {time.perf_counter() - started:.1f}s")

    snap_table = snap_table_with_example_sua()
    programs = [
        ("snap", snap, lambda day: snap.parameters_on(day, snap_table)),
        ("income_support", income_support, income_support.parameters_on),
        ("drug_assistance", drug_assistance, drug_assistance.parameters_on),
    ]
    for name, program, parameters_on in programs:
        # Prepare every date's parameters before timing, as a batch job would (one object per span).
        prepared = {day: parameters_on(day) for day in {day for _, day in cases}}
        params_for = prepared.__getitem__
        passes = [run(program, cases, params_for) for _ in range(args.repeat)]
        cpu = min(p[0] for p in passes)
        wall = min(p[1] for p in passes)
        skipped = passes[0][2]
        note = f"; {skipped:,} households not assessable (raised and counted)" if skipped else ""
        print(
            f"{name:16s} {len(cases) / cpu:>9,.0f} evaluations/s of CPU time ({cpu * 1e6 / len(cases):.1f} us each), "
            f"{len(cases) / wall:,.0f}/s wall clock{note}"
        )
    print(f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
