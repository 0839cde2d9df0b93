"""The rules give the committed golden outputs, and a change of results must come with a new RULE_VERSION.

Regenerate after a deliberate change: `python -m eligibility.tests.golden --update [program]`.
"""

import copy

import pytest

from eligibility import rules
from eligibility.rules import income_support, snap
from eligibility.tests import golden
from eligibility.tests.golden.__main__ import main


@pytest.mark.parametrize("program", golden.PROGRAMS)
def test_the_rules_give_the_golden_outputs(program):
    problems = golden.check(program)
    assert not problems, "\n".join(problems)


def test_every_program_has_golden_cases_and_each_program_reaches_eligible_and_not():
    assert set(golden.PROGRAMS) == set(rules.PROGRAMS)
    for program in golden.PROGRAMS:
        results = [case["result"] for case in golden.load(program)["cases"]]
        assert any(result.get("eligible") for result in results), program
        assert any(result.get("eligible") is False for result in results), program


def test_a_changed_amount_under_the_same_version_fails_and_names_the_case_and_the_fix():
    document = copy.deepcopy(golden.load("snap"))
    case = next(c for c in document["cases"] if c["name"] == "single_earner")
    assert case["result"]["monthly_amount"] == "144.00"
    case["result"]["monthly_amount"] = "145.00"

    problems = golden.check("snap", document)

    assert f"the rules' results changed but RULE_VERSION is still {snap.RULE_VERSION}" in problems[0]
    assert "python -m eligibility.tests.golden --update snap" in problems[0]
    assert problems[1] == "case single_earner: monthly_amount: '145.00' -> '144.00'"


def test_a_change_in_the_rules_code_is_caught(monkeypatch):
    # A deliberate bug: earnings counted in full, no exemption.
    monkeypatch.setattr(income_support, "earnings_exemption", lambda earnings, params: rules.snapshot.ZERO)
    problems = golden.check("income_support")
    assert "results changed but RULE_VERSION is still" in problems[0]
    assert any(p.startswith("case single_parent_earnings_through_every_tier: monthly_amount") for p in problems)


def test_a_moved_version_asks_for_regeneration(monkeypatch):
    monkeypatch.setattr(snap, "RULE_VERSION", snap.RULE_VERSION + 1)
    (problem,) = golden.check("snap")
    assert f"RULE_VERSION moved from {snap.RULE_VERSION - 1} to {snap.RULE_VERSION}" in problem
    assert "`python -m eligibility.tests.golden --update snap`" in problem


def test_the_update_command_writes_files_that_agree_and_the_check_command_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path)
    monkeypatch.setattr(snap, "RULE_VERSION", snap.RULE_VERSION + 1)
    assert main(["snap"]) == 1  # no file yet
    assert main(["--update", "snap"]) == 0
    assert golden.load("snap")["rule_version"] == snap.RULE_VERSION
    assert main(["snap"]) == 0
    assert "golden outputs agree: snap" in capsys.readouterr().out


def test_a_stored_snapshot_the_code_can_no_longer_read_is_a_changed_result():
    document = copy.deepcopy(golden.load("drug_assistance"))
    document["cases"][0]["household"]["version"] = 999
    problems = golden.check("drug_assistance", document)
    assert "InvalidSnapshotError" in problems[1]
