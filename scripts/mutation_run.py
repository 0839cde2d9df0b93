"""Runs the mutation tests (`make mutation`): each [mutmut.<part>] section of setup.cfg as its own
mutmut run, in its own copy of the project, then prints the kill ratio over all of them.

mutmut reads one [mutmut] section from the setup.cfg of the directory it runs in, and judges
every change with every selected test that reaches the changed function. One run for all the
rules would judge each change of the SNAP rule with the payment run's and the settlements'
tests too (they evaluate SNAP on the way), minutes a change for nothing its own tests miss.
So each part runs in .mutation/<part>/: a copy of the project's files (kept in step on each
run, so a second run only retests what changed) whose setup.cfg holds that part's section as
[mutmut].

    .venv/bin/python scripts/mutation_run.py                  # every part, then the report
    .venv/bin/python scripts/mutation_run.py --part snap      # one part, then the report
    .venv/bin/python scripts/mutation_run.py --report-only    # the report of the last runs
"""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
PREFIX = "mutmut."


def parts() -> dict[str, configparser.SectionProxy]:
    """The [mutmut.<part>] sections of setup.cfg, by part name, in the file's order."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return {name.removeprefix(PREFIX): config[name] for name in config.sections() if name.startswith(PREFIX)}


def prepare(part: str, section: configparser.SectionProxy) -> Path:
    """The part's copy of the project, in step with the working tree, with its section as [mutmut]."""
    copy = WORK / part
    copy.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "rsync",
            "--archive",
            "--delete",
            "--filter=:- .gitignore",
            "--exclude=/.git",
            "--exclude=/.venv",
            "--exclude=/.mutation",
            "--exclude=/mutants",
            "--exclude=__pycache__",
            "--exclude=/db.sqlite3",
            "--exclude=/.pytest_cache",
            f"{ROOT}/",
            f"{copy}/",
        ],
        check=True,
    )
    config = configparser.ConfigParser()
    config["mutmut"] = dict(section)
    with open(copy / "setup.cfg", "w") as file:
        config.write(file)
    venv = copy / ".venv"
    if not venv.exists():
        venv.symlink_to(ROOT / ".venv")
    return copy


def main() -> int:
    known = parts()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=sorted(known), help="run only this part (repeatable)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument("--mutmut", default=str(ROOT / ".venv" / "bin" / "mutmut"), help="the mutmut command")
    parser.add_argument("--report-only", action="store_true", help="print the report of the last runs")
    args = parser.parse_args()

    chosen = args.part or list(known)
    if not args.report_only:
        for part in chosen:
            print(f"== {part}: {', '.join(known[part]['only_mutate'].split())}", flush=True)
            copy = prepare(part, known[part])
            subprocess.run([args.mutmut, "run", "--max-children", str(args.processes)], cwd=copy, check=True)
    report = [sys.executable, str(ROOT / "scripts" / "mutation_report.py"), "--mutmut", args.mutmut]
    for part in known:
        if (WORK / part / "mutants").is_dir():
            report += ["--run", str(WORK / part)]
    return subprocess.run(report).returncode


if __name__ == "__main__":
    sys.exit(main())
