"""Replay pruning never skips a decision a change can alter: many generated rule and parameter changes, every rule
case replayed in full, and every case the pruner would have skipped comes back identical."""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from adjudication import AdjudicationError, Ruleset, load_ruleset_from_files
from adjudication.check import load_cases
from adjudication.derivation import PARAMETERS_READ, derive
from adjudication.exercise import changed_value
from adjudication.impact import StoredCase
from adjudication.parameters import Parameters
from adjudication.pruning import can_hold, pruner
from adjudication.replay import differences
from adjudication.yamlfile import parse_yaml

from .conftest import RULES_DIR

CASES = load_cases(RULES_DIR)
CHANGES = 36


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _stored(ruleset: Ruleset) -> list[tuple[Any, StoredCase, dict[str, Any]]]:
    """Every rule case decided under ``ruleset``, as a stored case and its result."""
    out = []
    for case in CASES:
        if case.kind and case.inputs is not None:
            decision = ruleset.decide(case.kind, case.inputs)
            kind = case.kind
        else:
            decision = ruleset.evaluate(case.facts)
            kind = str(case.facts.get("case_kind", "claim"))
        result = decision.to_dict()
        out.append((case, StoredCase(kind, ruleset.version, dict(decision.facts), tuple(result["rules_fired"])),
                    result))
    return out


def _replayed(ruleset: Ruleset, case: Any) -> dict[str, Any]:
    if case.kind and case.inputs is not None:
        return ruleset.decide(case.kind, case.inputs).to_dict()
    return ruleset.evaluate(case.facts).to_dict()


def _rule_files(files: Mapping[str, str]) -> list[str]:
    return [p for p in files if p != "reason_codes.yaml" and not p.startswith("parameters/")]


def _as_yaml(raw: Any) -> Any:
    """A parameter value as its YAML file writes it: dates as text, fractions as decimals, lists as lists."""
    if isinstance(raw, tuple):
        return [_as_yaml(item) for item in raw]
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if raw is None or isinstance(raw, int | str):
        return raw
    return float(raw)


def _change_parameter(rng: random.Random, files: dict[str, str], shipped: Ruleset) -> str:
    names = sorted(n for n, p in shipped.parameters.items() if p.kind in ("number", "date", "numbers", "names"))
    name = rng.choice(names)
    parameter = shipped.parameters[name]
    data = parse_yaml(parameter.path, files[parameter.path])
    node = data
    for part in name.split(".")[1:]:
        node = node[part]
    day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 3900))
    current = parameter.at(day) or parameter.values[-1]
    value = _as_yaml(current.value)
    if value is None:
        return f"{name}: null on {day}, unchanged"
    node["values"][day.isoformat()] = {"value": changed_value(value), "reference": "generated change"}
    files[parameter.path] = _dump(data)
    return f"{name} changes from {day}"


def _change_rule(rng: random.Random, files: dict[str, str]) -> str:
    path = rng.choice(_rule_files(files))
    rules = parse_yaml(path, files[path])
    index = rng.randrange(len(rules))
    rule = rules[index]
    what = rng.choice(["effects", "narrower", "wider", "later", "removed", "added"])
    if what == "effects":
        items = [e for e in rule["then"] if "benefit" in e or "amount" in e]
        if items:
            item = items[0].get("benefit") or items[0]["amount"]
            item["amount"] = f"({item['amount']}) + 1000"
        else:
            rule["then"] = [e for e in rule["then"] if "require" in e] or rule["then"][:1]
            rule["then"] = rule["then"] + [{"liability": "employer"}]
    elif what == "narrower":
        rule["when"] = {"all": [rule["when"], {"fact": "event_date", "lt": "2024-06-01"}]}
    elif what == "wider":
        rule["when"] = {"any": [rule["when"], {"all": [{"fact": "event_date", "gte": "2025-01-01"},
                                                      {"fact": "event_date", "lte": "2025-03-31"}]}]}
    elif what == "later":
        start = dt.date.fromisoformat(str(rule["valid_from"]))
        rule["valid_from"] = (start + dt.timedelta(days=rng.randrange(30, 4000))).isoformat()
        if rule.get("valid_to") and rule["valid_to"] < rule["valid_from"]:
            rule["valid_to"] = rule["valid_from"]
    elif what == "removed":
        if len(rules) == 1:
            return f"{rule['id']}: the only rule of {path}, kept"
        del rules[index]
    else:
        twin = copy.deepcopy(rule)
        twin["id"] = f"{rule['id']}.GENERATED"
        rules.append(twin)
    files[path] = _dump(rules)
    return f"{rule['id']} ({path}): {what}"


def test_pruned_replays_skip_only_decisions_the_change_leaves_identical(shipped: Ruleset) -> None:
    rng = random.Random(20261201)
    stored = _stored(shipped)
    skipped = checked = 0
    for _ in range(CHANGES):
        files = dict(shipped.files)
        label = _change_parameter(rng, files, shipped) if rng.random() < 0.45 else _change_rule(rng, files)
        try:
            after = load_ruleset_from_files(files)
        except AdjudicationError:
            continue  # the generated change is not a valid ruleset (e.g. overlapping versions)
        unaffected = pruner(shipped, after)
        for case, stored_case, result in stored:
            checked += 1
            if unaffected is None or not unaffected(stored_case):
                continue
            skipped += 1
            try:
                replayed = _replayed(after, case)
            except AdjudicationError as error:
                pytest.fail(f"{label}: skipped {case.name!r}, which now fails: {error}")
            assert differences(result, replayed) == [], f"{label}: skipped {case.name!r}, which changed"
    assert skipped > checked // 2  # pruning spares most decisions of a small change


def test_the_same_ruleset_skips_everything_and_a_reordering_nothing(shipped: Ruleset) -> None:
    unaffected = pruner(shipped, shipped)
    assert unaffected is not None and all(unaffected(s) for _, s, _ in _stored(shipped))
    files = dict(shipped.files)
    path = "jkk/report.yaml"
    files[path] = _dump(list(reversed(parse_yaml(path, files[path]))))
    assert pruner(shipped, load_ruleset_from_files(files)) is None


def test_a_condition_cannot_hold_on_facts_that_miss_or_contradict_it(shipped: Ruleset) -> None:
    rule = next(r for r in shipped.rules if r.id == "JKK.DEATH.BENEFIT")
    assert can_hold(rule.when, {"claim_type": "JKK", "outcome_type": "death", "segment": "PU", "wage": 1})
    assert not can_hold(rule.when, {"claim_type": "JKK", "outcome_type": "recovered", "segment": "PU", "wage": 1})
    assert not can_hold(rule.when, {"claim_type": "JKK", "outcome_type": "death", "segment": "PU"})


class _Recording(Parameters):
    """Parameters that remember every name the derivation asks for."""

    def __init__(self, parameters: Parameters):
        super().__init__(dict(parameters.items()))
        self.read: set[str] = set()

    def value(self, name: str, on: dt.date) -> Any:
        self.read.add(name)
        return super().value(name, on)

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return super().__contains__(name)


def test_each_derivation_reads_only_the_parameters_it_declares(shipped: Ruleset) -> None:
    seen: dict[str, set[str]] = {}
    for case in CASES:
        if case.kind and case.inputs is not None:
            recording = _Recording(shipped.parameters)
            derive(case.kind, case.inputs, recording)
            seen.setdefault(case.kind, set()).update(recording.read)
    assert set(seen) == set(PARAMETERS_READ)
    for kind, names in seen.items():
        undeclared = sorted(n for n in names if not n.startswith(PARAMETERS_READ[kind]))
        assert undeclared == [], f"the {kind} derivation reads {undeclared}, not in derivation.PARAMETERS_READ"
