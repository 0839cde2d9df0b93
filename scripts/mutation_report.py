"""Prints the kill ratio of the last mutation run (`make mutation`) and names every survivor.

A mutant is one small deliberate bug (a comparison flipped, a constant changed, a line
dropped) in a rule listed in setup.cfg. Killed means a test failed; a survivor is a bug the
suite would let through, and a mutant no test reaches counts as a survivor too.
Exits non-zero when the ratio is under the target (95 % unless `--target` says otherwise).
"""

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

KILLED = {"killed", "timeout", "segfault"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=95.0, help="lowest acceptable kill ratio, in percent")
    parser.add_argument("--mutmut", default="mutmut", help="the mutmut command")
    args = parser.parse_args()

    subprocess.run([args.mutmut, "export-cicd-stats"], check=True, capture_output=True)
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
    results = subprocess.run([args.mutmut, "results", "--all", "true"], check=True, capture_output=True, text=True)
    outcome_of = {}
    for line in results.stdout.splitlines():
        name, _, outcome = line.strip().rpartition(": ")
        if name:
            outcome_of[name] = outcome

    tested = {name: outcome for name, outcome in outcome_of.items() if outcome != "not checked"}
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
    unchecked = stats.get("total", 0) - len(tested)
    if unchecked:
        print(f"{unchecked} mutants not run yet (the run was stopped early); run `make mutation` again to resume.")

    survivors = sorted(name for name, outcome in tested.items() if outcome not in KILLED)
    if survivors:
        print("\nSurvivors (`mutmut show NAME` prints the change):")
        for name in survivors:
            print(f"  {name}: {tested[name]}")
    return 0 if ratio >= args.target and not unchecked else 1


if __name__ == "__main__":
    sys.exit(main())
