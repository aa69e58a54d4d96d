"""Rule behaviour as data: every YAML case in rules/cases, and the ``rules check`` report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from adjudication import AdjudicationError, Ruleset, load_ruleset
from adjudication.check import Case, check_rules, load_cases, run_case
from adjudication.exercise import unexercised

from .conftest import HERE, RULES_DIR

CASES = load_cases(RULES_DIR)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.path}:{c.name}" for c in CASES])
def test_rule_case(shipped: Ruleset, case: Case) -> None:
    result = run_case(shipped, case)
    assert result.passed, "\n".join(result.failures)


def test_check_passes_and_every_rule_version_is_fired_and_bounded_and_every_parameter_exercised() -> None:
    # for each parameter, a ruleset with that parameter changed decides some case differently
    report = check_rules(RULES_DIR)
    assert report.errors == ()
    assert report.unfired_rules == ()
    assert report.rules_without_boundary_case == ()
    assert report.unexercised_parameters == ()
    assert report.ok, report.format()
    assert report.to_dict()["ok"] is True


def test_check_reports_uncovered_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    (rules / "cases" / "jkk_pak.yaml").unlink()
    report = check_rules(rules, parameters=False)
    assert not report.ok
    assert report.unfired_rules == ("JKK.PAK.AFTER_EMPLOYMENT (valid from 2019-01-29)",)
    assert report.rules_without_boundary_case == ("JKK.PAK.AFTER_EMPLOYMENT (valid from 2019-01-29)",)
    assert "NOT FIRED by any case: JKK.PAK.AFTER_EMPLOYMENT" in report.format()


def test_check_reports_a_failing_case(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    (rules / "cases" / "wrong.yaml").write_text(
        "- name: wrong amount\n  facts: {event_date: 2024-03-10, claim_type: JKK, segment: PU, outcome_type: death,"
        " wage: 400000}\n  expect: {outcome: approved, total_amount: 1}\n", encoding="utf-8")
    report = check_rules(rules, parameters=False)
    failed = [c for c in report.cases if not c.passed]
    assert [c.failures for c in failed] == [("total_amount: expected 1, got 42000000",)]


def test_check_reports_an_invalid_rule_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    shutil.copy(HERE / "broken" / "unknown_fact.yaml", rules / "jkk" / "unknown_fact.yaml")
    report = check_rules(rules, parameters=False)
    assert not report.ok
    assert report.errors == ("jkk/unknown_fact.yaml: [0].when.any[1].fact: unknown fact 'accident_date'",)


def test_readme_lists_every_fact() -> None:
    from adjudication.fact_catalogue import facts_table

    # regenerate with: flask --app wsgi rules facts
    readme = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    assert facts_table() in readme


def test_check_lists_a_parameter_no_case_exercises(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    (rules / "cases" / "derived_clearance.yaml").unlink()  # the only cases of the state employers' programmes
    cases = load_cases(rules)
    names = ["clearance.required_programs.state_employer", "membership.contribution_due.pu.day"]
    assert unexercised(load_ruleset(rules), cases, names) == ["clearance.required_programs.state_employer"]


def test_a_decision_without_words_decides_every_case_the_same(shipped: Ruleset) -> None:
    # impact analysis evaluates without words (replay_run): every rule case must decide the same values, and
    # only the messages and the bases in words are left out
    from adjudication.replay import differences

    compared = 0
    for case in CASES:
        def decide(words: bool, case: Case = case) -> dict[str, Any]:
            if case.kind and case.inputs is not None:
                return shipped.decide(case.kind, case.inputs, words=words).to_dict()
            return shipped.evaluate(case.facts, words=words).to_dict()
        try:
            worded, bare = decide(True), decide(False)
        except AdjudicationError:
            continue  # a case that expects the evaluation to fail
        assert differences(worded, bare) == [], case.name
        assert [r["code"] for r in worded["reasons"]] == [r["code"] for r in bare["reasons"]]
        assert all(not r["message_en"] and not r["message_id"] for r in bare["reasons"]), case.name
        items = [b for section in ("benefits", "amounts", "provisional_benefits") for b in bare.get(section, [])]
        assert all(not b.get("basis_en") and not b.get("basis_id") for b in items), case.name
        compared += 1
    assert compared > 300
