"""`python -m eligibility.tests.golden [--update] [program ...]`: check or regenerate the golden files."""

from __future__ import annotations

import argparse
import sys

from eligibility.tests.golden import PROGRAMS, check, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eligibility.tests.golden", description=__doc__)
    parser.add_argument("programs", nargs="*", choices=[[], *PROGRAMS], help="default: every program")
    parser.add_argument("--update", action="store_true", help="rewrite the golden files from today's rules code")
    args = parser.parse_args(argv)
    programs = args.programs or list(PROGRAMS)
    if args.update:
        for program in programs:
            print(f"wrote {write(program)}")
        return 0
    problems = [problem for program in programs for problem in check(program)]
    for problem in problems:
        print(problem)
    if not problems:
        print("golden outputs agree: " + ", ".join(programs))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
