"""Golden outputs of the rules: a fixed set of households per program and the results the code gave.

Each program has a file here (`snap.json`, ...) holding its `RULE_VERSION`, and for each case
the household, the parameter values used and the outcome. The check (`tests/test_golden.py`)
replays every case from the file alone, as a stored determination is replayed:

- same results: nothing to do;
- different results and the same `RULE_VERSION`: the rules changed without their version
  moving, so determinations made before and after would claim the same rules. Bump
  `RULE_VERSION` in `eligibility/rules/<program>.py` if the change is meant;
- `RULE_VERSION` moved: regenerate and review the diff of the golden file.

Regenerate (all programs, or the ones named):

    python -m eligibility.tests.golden --update [snap income_support drug_assistance]
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from eligibility import rules
from eligibility.tests.golden.cases import CASES, Case, tables

GOLDEN_DIR = Path(__file__).resolve().parent
COMMAND = "python -m eligibility.tests.golden --update"
PROGRAMS = tuple(CASES)


def path_for(program: str) -> Path:
    return GOLDEN_DIR / f"{program}.json"


def _result(module, snapshot: rules.HouseholdSnapshot, params, day) -> dict[str, Any]:
    """The outcome without its parameters, or the error the rules raised (also a result)."""
    try:
        outcome = module.evaluate(snapshot, params, day).to_dict()
    except rules.RulesError as error:
        return {"error": f"{type(error).__name__}: {error}"}
    outcome.pop("parameters_used")
    return outcome


def _evaluate_case(module, case: Case, table: rules.ParameterTable) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(parameters used, result) for a case evaluated with a parameter table."""
    try:
        params = module.parameters_on(case.day, table)
    except rules.RulesError as error:
        return None, {"error": f"{type(error).__name__}: {error}"}
    return dict(params.used), _result(module, case.household, params, case.day)


def generate(program: str) -> dict[str, Any]:
    """The golden document of `program` from its cases and today's code."""
    module = rules.PROGRAMS[program]
    table = tables()[program]
    parameter_sets: list[dict[str, Any]] = []
    cases = []
    for case in CASES[program]:
        used, result = _evaluate_case(module, case, table)
        if used is None:
            index = None
        elif used in parameter_sets:
            index = parameter_sets.index(used)
        else:
            parameter_sets.append(used)
            index = len(parameter_sets) - 1
        cases.append(
            {
                "name": case.name,
                "as_of": case.day.isoformat(),
                "household": case.household.to_dict(),
                "parameters": index,
                "result": result,
            }
        )
    return {
        "program": program,
        "rule_version": module.RULE_VERSION,
        "regenerate": f"{COMMAND} {program}",
        "parameter_sets": parameter_sets,
        "cases": cases,
    }


def write(program: str) -> Path:
    path = path_for(program)
    path.write_text(json.dumps(generate(program), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(program: str) -> dict[str, Any]:
    return json.loads(path_for(program).read_text(encoding="utf-8"))


def replay(program: str, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each case's result from the stored household and parameter values alone, by name."""
    module = rules.PROGRAMS[program]
    results = {}
    for case in document["cases"]:
        day = date.fromisoformat(case["as_of"])
        if case["parameters"] is None:
            # The parameters were not in force: what counts is that this still fails the same way.
            results[case["name"]] = _evaluate_case(module, _case_from(case), tables()[program])[1]
            continue
        try:
            snapshot = rules.HouseholdSnapshot.from_dict(case["household"])
            params = module.prepare(rules.ParameterSet.from_used(document["parameter_sets"][case["parameters"]], day))
        except rules.RulesError as error:
            results[case["name"]] = {"error": f"{type(error).__name__}: {error}"}
            continue
        results[case["name"]] = _result(module, snapshot, params, day)
    return results


def _case_from(stored: dict[str, Any]) -> Case:
    return Case(
        stored["name"], rules.HouseholdSnapshot.from_dict(stored["household"]), date.fromisoformat(stored["as_of"])
    )


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What changed in one case's result, in words a developer can act on (at most a few lines)."""
    lines = []
    for key in ("error", "eligible", "monthly_amount", "copay_percent", "determination_date", "program"):
        if expected.get(key) != got.get(key):
            lines.append(f"{key}: {expected.get(key)!r} -> {got.get(key)!r}")
    before = expected.get("criteria", [])
    after = got.get("criteria", [])
    if [c["name"] for c in before] != [c["name"] for c in after]:
        lines.append(f"criteria: {[c['name'] for c in before]} -> {[c['name'] for c in after]}")
    else:
        for old, new in zip(before, after, strict=True):
            for field in ("figure", "limit", "passed", "explanation"):
                if old[field] != new[field]:
                    lines.append(f"{old['name']} {field}: {old[field]!r} -> {new[field]!r}")
    return lines


def check(program: str, document: dict[str, Any] | None = None) -> list[str]:
    """Problems with `program`'s golden file (or `document`), each saying what to do; empty when all agree."""
    module = rules.PROGRAMS[program]
    command = f"{COMMAND} {program}"
    source = f"eligibility/rules/{program}.py"
    if document is None:
        if not path_for(program).exists():
            return [f"{program}: no golden file {path_for(program).name}; create it with `{command}`."]
        document = load(program)
    if document["rule_version"] != module.RULE_VERSION:
        return [
            f"{program}: RULE_VERSION moved from {document['rule_version']} to {module.RULE_VERSION} in {source}; "
            f"regenerate the golden file with `{command}` and review its diff before committing."
        ]
    problems = []
    replayed = replay(program, document)
    for case in document["cases"]:
        changed = differences(case["result"], replayed[case["name"]])
        if changed:
            problems.append(f"case {case['name']}: " + "; ".join(changed[:4]))
    if problems:
        problems.insert(
            0,
            f"{program}: the rules' results changed but RULE_VERSION is still {module.RULE_VERSION} in {source}. "
            f"Determinations decided before and after would claim the same rules. If the change is meant, "
            f"bump RULE_VERSION there and run `{command}`; if not, the change is a regression.",
        )
    stored = {case["name"] for case in document["cases"]}
    defined = {case.name for case in CASES[program]}
    if stored != defined:
        problems.append(
            f"{program}: the cases in eligibility/tests/golden/cases.py differ from the golden file "
            f"(added {sorted(defined - stored)}, removed {sorted(stored - defined)}); run `{command}`."
        )
    return problems
