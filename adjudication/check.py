"""``rules check``: validate the rule files, run the YAML rule cases, report rules no case exercises.

A case file in ``rules/cases/`` is a list of::

    - name: EXAMPLES 12, JKK death under PP 82/2019 with a wage below the floor
      facts: {event_date: 2024-03-10, claim_type: JKK, ...}   # the facts; or, to derive them as the service
                                         # does: kind: project_coverage and inputs: {project: ..., as_of: ...}
      expect:
        outcome: approved                  # required
        liability: bpjs                    # optional from here on
        total_amount: 42000000
        benefits: {JKK_DEATH_LUMP_SUM: 20000000, ...}   # exactly these codes and amounts
        amounts: {JAKON_CONTRIBUTION_JKK: 1345000, ...}  # stated amounts, exactly these
        provisional_benefits: {JKK_STMB: 7553200}       # a referred claim's amounts once cleared, exactly these
        claimable_from: 2025-02-28         # a lapsing rejection: the day the claim can be filed again
        facts: {project_covered_from: 2024-08-05}        # derived facts with these values
        reasons: [LATE_REPORT]             # exactly these codes, in order
        fires: [JKK.DEATH.BENEFIT]         # at least these rule ids fire
        does_not_fire: [JKK.EXPIRY.5Y]     # these do not
        documents_required: [kpj_card, ...]  # exactly these (sorted by the engine; a group as a|b)
        documents_missing: [heir_certificate]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AdjudicationError
from .exercise import unexercised
from .loader import Rule
from .ruleset import CASES_DIR, Ruleset, load_ruleset
from .yamlfile import parse_yaml

CASE_KEYS = frozenset({"name", "facts", "kind", "inputs", "expect", "note"})
EXPECT_KEYS = frozenset({"outcome", "liability", "total_amount", "benefits", "amounts", "reasons", "fires",
                         "does_not_fire", "documents_required", "documents_missing", "facts", "claimable_from",
                         "provisional_benefits"})


@dataclass(frozen=True)
class Case:
    """One rule case: facts (or a kind and raw inputs to derive them from) in, expected decision out."""

    name: str
    path: str
    facts: Mapping[str, Any]
    expect: Mapping[str, Any]
    kind: str | None = None
    inputs: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CaseResult:
    """How one case went; ``failures`` says what differed."""

    name: str
    path: str
    passed: bool
    failures: tuple[str, ...] = ()
    rules_fired: tuple[str, ...] = ()
    event_date: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """Validation, case results, and rule versions no case fires or bounds."""

    version: str | None
    errors: tuple[str, ...]
    cases: tuple[CaseResult, ...] = ()
    unfired_rules: tuple[str, ...] = ()
    rules_without_boundary_case: tuple[str, ...] = ()
    rule_count: int = 0
    unexercised_parameters: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the files load, every case passes, every rule version is fired and bounded, and every
        parameter is exercised by some case."""
        return not self.errors and all(c.passed for c in self.cases) and not self.unfired_rules \
            and not self.rules_without_boundary_case and not self.unexercised_parameters

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the report."""
        return {"ok": self.ok, "version": self.version, "rule_count": self.rule_count, "errors": list(self.errors),
                "cases": [{"name": c.name, "path": c.path, "passed": c.passed, "failures": list(c.failures)}
                          for c in self.cases],
                "unfired_rules": list(self.unfired_rules),
                "rules_without_boundary_case": list(self.rules_without_boundary_case),
                "unexercised_parameters": list(self.unexercised_parameters)}

    def format(self) -> str:
        """A plain-text report for the command line."""
        lines = [f"ruleset {self.version or '(not loaded)'}: {self.rule_count} rules"]
        lines += [f"ERROR {e}" for e in self.errors]
        passed = sum(c.passed for c in self.cases)
        lines.append(f"cases: {passed}/{len(self.cases)} passed")
        for case in self.cases:
            if not case.passed:
                lines.append(f"FAIL {case.path}: {case.name}")
                lines += [f"     {f}" for f in case.failures]
        lines += [f"NOT FIRED by any case: {r}" for r in self.unfired_rules]
        lines += [f"NO CASE one day outside the validity of: {r}" for r in self.rules_without_boundary_case]
        lines += [f"NO CASE decides differently when this parameter changes: {p}"
                  for p in self.unexercised_parameters]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


def load_cases(rules_dir: str | Path) -> list[Case]:
    """Every case under ``rules_dir/cases``; a malformed case file raises RuleFileError-like errors."""
    root = Path(rules_dir)
    cases: list[Case] = []
    for file in sorted((root / CASES_DIR).rglob("*.yaml")):
        path = file.relative_to(root).as_posix()
        data = parse_yaml(path, file.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise AdjudicationError(f"{path}: (top): a case file is a list of cases")
        for i, raw in enumerate(data):
            if not isinstance(raw, dict) or not {"name", "expect"} <= set(raw) or set(raw) - CASE_KEYS \
                    or ("facts" in raw) == ("inputs" in raw) or ("inputs" in raw) != ("kind" in raw):
                raise AdjudicationError(f"{path}: [{i}]: a case has name, expect, and facts or kind with inputs "
                                        "(and note)")
            unknown = set(raw["expect"]) - EXPECT_KEYS
            if unknown or "outcome" not in raw["expect"]:
                raise AdjudicationError(f"{path}: [{i}].expect: needs outcome; allowed keys "
                                        f"{', '.join(sorted(EXPECT_KEYS))}")
            cases.append(Case(str(raw["name"]), path, raw.get("facts") or {}, raw["expect"], raw.get("kind"),
                              raw.get("inputs")))
    return cases


def run_case(ruleset: Ruleset, case: Case) -> CaseResult:
    """Evaluate one case and compare with its expectations."""
    try:
        decision = ruleset.decide(case.kind, case.inputs) if case.kind and case.inputs is not None \
            else ruleset.evaluate(case.facts)
    except AdjudicationError as exc:
        return CaseResult(case.name, case.path, False, (f"evaluation failed: {exc}",))
    got = decision.to_dict()
    expect = case.expect
    failures: list[str] = []
    for key in ("outcome", "liability", "total_amount"):
        if key in expect and expect[key] != got[key]:
            failures.append(f"{key}: expected {expect[key]!r}, got {got[key]!r}")
    if "claimable_from" in expect:
        wanted = expect["claimable_from"]
        wanted = wanted.isoformat() if isinstance(wanted, dt.date) else wanted
        if wanted != got.get("claimable_from"):
            failures.append(f"claimable_from: expected {wanted!r}, got {got.get('claimable_from')!r}")
    for section in ("benefits", "amounts", "provisional_benefits"):
        if section in expect:
            amounts = {b["code"]: b["amount"] for b in got.get(section) or []}
            if dict(expect[section] or {}) != amounts:
                failures.append(f"{section}: expected {expect[section]!r}, got {amounts!r}")
    for name, value in (expect.get("facts") or {}).items():
        if value != decision.facts.get(name):
            failures.append(f"facts.{name}: expected {value!r}, got {decision.facts.get(name)!r}")
    for key in ("documents_required", "documents_missing"):
        if key in expect and sorted(expect[key] or []) != got[key]:
            failures.append(f"{key}: expected {sorted(expect[key] or [])!r}, got {got[key]!r}")
    if "reasons" in expect:
        codes = [r["code"] for r in got["reasons"]]
        if list(expect["reasons"] or []) != codes:
            failures.append(f"reasons: expected {expect['reasons']!r}, got {codes!r}")
    fired = set(decision.rules_fired)
    for rule_id in expect.get("fires") or []:
        if rule_id not in fired:
            failures.append(f"fires: {rule_id} did not fire (fired: {', '.join(decision.rules_fired) or 'none'})")
    for rule_id in expect.get("does_not_fire") or []:
        if rule_id in fired:
            failures.append(f"does_not_fire: {rule_id} fired")
    return CaseResult(case.name, case.path, not failures, tuple(failures), decision.rules_fired,
                      decision.as_of.isoformat())


def _label(rule: Rule) -> str:
    return f"{rule.id} (valid from {rule.valid_from})"


def _coverage(ruleset: Ruleset, cases: list[Case], results: list[CaseResult]) -> tuple[list[str], list[str]]:
    unfired, unbounded = [], []
    passing = [(c, r) for c, r in zip(cases, results, strict=True) if r.passed and r.event_date]
    for rule in ruleset.rules:
        on_days = [dt.date.fromisoformat(r.event_date or "") for _, r in passing if rule.id in r.rules_fired]
        if not any(rule.in_force(day) for day in on_days):
            unfired.append(_label(rule))
        outside = {rule.valid_from - dt.timedelta(days=1)}
        if rule.valid_to is not None:
            outside.add(rule.valid_to + dt.timedelta(days=1))
        # a boundary case sits one day outside and names the rule: it does not fire, or a neighbour version does
        bounded = any(dt.date.fromisoformat(r.event_date or "") in outside
                      and rule.id in [*(c.expect.get("does_not_fire") or []), *(c.expect.get("fires") or [])]
                      for c, r in passing)
        if not bounded:
            unbounded.append(_label(rule))
    return unfired, unbounded


def check_rules(rules_dir: str | Path, parameters: bool = True) -> CheckReport:
    """Validate ``rules_dir``, run its cases, and list rule versions no case fires or bounds and (unless
    ``parameters`` is false: it recompiles the ruleset once per parameter, ~30 s) parameters no case exercises."""
    try:
        ruleset = load_ruleset(rules_dir)
    except (AdjudicationError, FileNotFoundError) as exc:
        return CheckReport(None, (str(exc),))
    try:
        cases = load_cases(rules_dir)
    except AdjudicationError as exc:
        return CheckReport(ruleset.version, (str(exc),), rule_count=len(ruleset.rules))
    results = [run_case(ruleset, case) for case in cases]
    unfired, unbounded = _coverage(ruleset, cases, results)
    unexercised_parameters = unexercised(ruleset, cases) if parameters else []
    return CheckReport(ruleset.version, (), tuple(results), tuple(unfired), tuple(unbounded),
                       len(ruleset.rules), tuple(unexercised_parameters))


__all__ = ["Case", "CaseResult", "CheckReport", "check_rules", "load_cases", "run_case"]
