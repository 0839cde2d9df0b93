"""Prints the kill ratio of the last mutation runs (`make mutation`) and names every survivor.

A mutant is one small deliberate bug (a comparison flipped, a constant changed, a line
dropped) in a rule listed in setup.cfg. Killed means a test failed; a survivor is a bug the
suite would let through, and a mutant no test reaches counts as a survivor too.
Each `--run` is the directory of one part's run (scripts/mutation_run.py); the ratio is over
all of them. Exits non-zero when the ratio is under the target (95 % unless `--target` says
otherwise) or when some mutants were not run.
"""

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

KILLED = {"killed", "timeout", "segfault"}


def outcomes(mutmut: str, run: Path) -> tuple[dict[str, str], int]:
    """Each mutant's outcome in the run at `run`, and how many mutants the run holds."""
    subprocess.run([mutmut, "export-cicd-stats"], check=True, capture_output=True, cwd=run)
    stats = json.loads((run / "mutants" / "mutmut-cicd-stats.json").read_text())
    results = subprocess.run([mutmut, "results", "--all", "true"], check=True, capture_output=True, text=True, cwd=run)
    outcome_of = {}
    for line in results.stdout.splitlines():
        name, _, outcome = line.strip().rpartition(": ")
        if name:
            outcome_of[name] = outcome
    return outcome_of, stats.get("total", 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=95.0, help="lowest acceptable kill ratio, in percent")
    parser.add_argument("--mutmut", default="mutmut", help="the mutmut command")
    parser.add_argument("--run", action="append", type=Path, help="a run's directory (repeatable; default: here)")
    args = parser.parse_args()

    tested: dict[str, str] = {}
    total = 0
    for run in args.run or [Path(".")]:
        outcome_of, count = outcomes(args.mutmut, run)
        tested.update({name: outcome for name, outcome in outcome_of.items() if outcome != "not checked"})
        total += count
    killed = sum(1 for outcome in tested.values() if outcome in KILLED)
    ratio = 100.0 * killed / len(tested) if tested else 0.0

    by_module = Counter()
    killed_by_module = Counter()
    for name, outcome in tested.items():
        module = name.split(".x_")[0].split(".xǁ")[0]
        by_module[module] += 1
        killed_by_module[module] += outcome in KILLED
    print(f"{'module':<40} {'mutants':>8} {'killed':>8} {'ratio':>7}")
    for module in sorted(by_module):
        share = 100.0 * killed_by_module[module] / by_module[module]
        print(f"{module:<40} {by_module[module]:>8} {killed_by_module[module]:>8} {share:>6.1f}%")
    print(f"{'all':<40} {len(tested):>8} {killed:>8} {ratio:>6.1f}%   (target {args.target:.0f}%)")
    unchecked = total - len(tested)
    if unchecked:
        print(f"{unchecked} mutants not run yet (the run was stopped early); run `make mutation` again to resume.")
    if any(outcome == "no tests" for outcome in tested.values()):
        print(
            "Some mutants reached no test: a function new since the run's test map was made. Delete "
            ".mutation/<part>/mutants/mutmut-stats.json and run again to map the tests afresh."
        )

    survivors = sorted(name for name, outcome in tested.items() if outcome not in KILLED)
    if survivors:
        print("\nSurvivors (`.venv/bin/mutmut show NAME` in .mutation/<part>/ prints the change):")
        for name in survivors:
            print(f"  {name}: {tested[name]}")
    return 0 if ratio >= args.target and not unchecked else 1


if __name__ == "__main__":
    sys.exit(main())
