"""Every benchmark in scripts/ runs here at a tiny size, so a change that breaks one fails a test.

The PostgreSQL benchmarks run their measuring half (`run`) on the test database, already
migrated, instead of dropping and migrating a database of their own; the figures themselves
mean nothing at this size, only that each one is printed.
"""

import importlib.util
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import time_machine

from tests import app_role

# A benchmark is the database owner's work, as on a bench host: it loads rows in bulk and
# switches the ledger's checks off and on, which the application's role may not do.
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
# The clock runs (the benchmarks time themselves) from a fixed moment after every date they seed.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RATE = r"[\d,]+"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"scripts.{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def lines_matching(output: str, *patterns: str) -> None:
    missing = [pattern for pattern in patterns if not re.search(pattern, output, re.MULTILINE)]
    assert not missing, f"not printed: {missing}\n--- output ---\n{output}"


def test_rules_benchmark_prints_each_programs_rate(capsys):
    load("bench_rules").main(["--snapshots", "60", "--repeat", "1"])

    lines_matching(
        capsys.readouterr().out,
        r"^built 60 snapshots",
        rf"^snap +{RATE} evaluations/s of CPU time \([\d.]+ us each\), {RATE}/s wall clock",
        rf"^income_support +{RATE} evaluations/s of CPU time",
        rf"^drug_assistance +{RATE} evaluations/s of CPU time",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_redetermination_benchmark_prints_the_rules_and_the_jobs_rates(capsys):
    bench = load("bench_redetermine")
    with app_role.as_owner(), time_machine.travel(NOW, tick=True):
        bench.run(bench.parse_args(["--enrollments", "30", "--batch-size", "10", "--changed", "0.3"]))

    lines_matching(
        capsys.readouterr().out,
        r"^  seeded 30 enrollments",
        rf"^rules: 30 evaluations in [\d.]+ s = {RATE} evaluations/s",
        rf"^job: 30 enrollments in [\d.]+ s = {RATE} enrollments/s \(batches of 10; [1-9]\d* drafts to confirm",
        r"^second run the same day: 0 enrollments claimed",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payment_run_benchmark_prints_each_runs_rate_and_a_balanced_ledger(capsys):
    bench = load("bench_payment_run")
    with app_role.as_owner(), time_machine.travel(NOW, tick=True):
        bench.run(
            bench.parse_args(["--enrollments", "30", "--batch-size", "10", "--workers", "2", "--overpaid", "0.2"])
        )

    output = capsys.readouterr().out
    lines_matching(
        output,
        rf"^  30 issuances in [\d.]+ s = {RATE} issuances/s",
        r"^run 2026-03 again: 0 issued",
        r"^run 2026-04 with one batch at a time:\n.*\n  30 issuances",
        r"^run 2026-05 with the deferred balance-check trigger disabled:\n.*\n  30 issuances",
        r"^run 2026-06 with it enabled again:\n.*\n  30 issuances",
        r"^  the balance check at commit costs about",
    )
    assert output.count("ledger total 0.00 (must be 0); overpayments whose balance differs from their entries: 0") == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_chain_benchmark_prints_the_cost_of_each_chain(capsys):
    bench = load("bench_chain")
    with app_role.as_owner(), time_machine.travel(NOW, tick=True):
        bench.run(bench.parse_args(["--writes", "20", "--writers", "2"]))

    output = capsys.readouterr().out
    for kind in ("audit event", "ledger posting"):
        for variant in ("without", "with"):
            lines_matching(
                output,
                rf"^{kind}, {variant} the chain +mean +[\d.]+ ms +median +[\d.]+ +p95 +[\d.]+$",
                rf"^{kind}, {variant} the chain +\d+ /s$",
            )
        lines_matching(output, rf"^  the chain adds [+-][\d.]+ ms per {kind}$")
    lines_matching(output, rf"^audit_verify's walk of the trail: \d+ events in [\d.]+ s \({RATE} a second\)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_search_benchmark_prints_its_percentiles_and_recall(capsys):
    bench = load("bench_search")
    with app_role.as_owner(), time_machine.travel(NOW, tick=True):
        bench.run(bench.parse_args(["--clients", "200", "--queries", "6"]), seeded=False)

    lines_matching(
        capsys.readouterr().out,
        r"^Seeding 200 clients",
        r"^Clients: +200 in 2 offices",
        r"^Queries run: +6 ",
        *(rf"^{label}: +[\d.]+ ms$" for label in ("p50", "p95", "p99", "max")),
        r"^Recall: +[\d.]+ %",
        r"^EXPLAIN \(ANALYZE, BUFFERS\) of the median search",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_web_benchmark_serves_each_page_to_signed_in_users_and_prints_its_figures(capsys):
    from django.db import connection

    bench = load("bench_web")
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    args = bench.parse_args(["--clients", "60", "--seconds", "0.3", "--concurrency", "1,2", "--web-workers", "1"])
    with app_role.as_owner():
        bench.seed(args.clients)
    bench.run(args, url)

    output = capsys.readouterr().out
    lines_matching(output, r"^seeding 60 clients", r"^gunicorn on 127\.0\.0\.1:\d+")
    for page in (*bench.PAGES, "mix"):
        for users in (1, 2):
            # Every request answered 200: the page itself, not a sign-in page or a refusal.
            lines_matching(output, rf"^{page} +{users} +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[1-9]\d* +0 +[\d.]+$")

    # The same database, each page's cost inside the application: CPU, queries, audit write, HTML.
    load("bench_page_cost").measure(loads=2)
    output = capsys.readouterr().out
    for page in bench.PAGES:
        lines_matching(output, rf"^{page} +[\d.]+ +[\d.]+ +\d+ +[\d.]+ +[\d.]+$")
