"""Ruleset differences: rule versions by (id, valid_from) and dated parameters, added, removed or changed."""

from __future__ import annotations

from adjudication import Ruleset
from adjudication.ruleset_diff import diff

from .conftest import PARAMETERS, rule_yaml, small_ruleset

OLD_RULES = (rule_yaml("T.AMENDED", "{fact: claim_age_years, gt: {param: test.limit}}")
             + rule_yaml("T.REPEALED", "{fact: segment, is: BPU}")
             + rule_yaml("T.KEPT", "{fact: wage, present: true}", "[{refer: SEND}]"))
NEW_RULES = (rule_yaml("T.AMENDED", "{fact: claim_age_years, gte: {param: test.limit}}", "[{refer: SEND}]",
                       valid_to="2019-12-31").replace("title: test rule", "title: amended rule", 1)
             + rule_yaml("T.AMENDED", "{fact: claim_age_years, gte: {param: test.limit}}", valid_from="2020-01-01")
             + rule_yaml("T.KEPT", "{fact: wage, present: true}", "[{refer: SEND}]")
             + rule_yaml("T.ENACTED", "{fact: route_deviation, is: true}", "[{warn: NOTE}]"))
NEW_PARAMETERS = (PARAMETERS
                  .replace("2019-12-02: {value: 5, reference: PP 82/2019 Pasal 26}",
                           "2019-12-02: {value: 6, reference: PP 82/2019 Pasal 26 ayat 2}\n"
                           "    2024-01-01: {value: 7, reference: PP 1/2024 Pasal 1}")
                  .replace("days:\n  values:\n    2015-07-01: {value: 2, reference: Permenaker 1/2025 Pasal 8}\n",
                           "cap:\n  unit: IDR\n  values:\n"
                           "    2015-07-01: {value: 1000, reference: PP 44/2015 Pasal 9}\n")
                  .replace("rate:\n", "rate:\n  unit: fraction\n"))


def _rulesets() -> tuple[Ruleset, Ruleset]:
    return small_ruleset(OLD_RULES), small_ruleset(NEW_RULES, NEW_PARAMETERS)


def test_a_ruleset_does_not_differ_from_itself() -> None:
    old, _ = _rulesets()
    assert diff(old, old) == {"from": old.version, "to": old.version, "identical": True,
                              "rules": {"added": [], "removed": [], "changed": []},
                              "parameters": {"added": [], "removed": [], "changed": []}}


def test_rules_are_matched_by_id_and_valid_from() -> None:
    old, new = _rulesets()
    found = diff(old, new)
    assert (found["from"], found["to"], found["identical"]) == (old.version, new.version, False)
    rules = found["rules"]
    assert [(r["id"], r["valid_from"]) for r in rules["added"]] == [("T.AMENDED", "2020-01-01"), ("T.ENACTED",
                                                                                                  "2015-07-01")]
    assert rules["added"][1]["condition"] == "route_deviation = true"
    assert [(r["id"], r["valid_from"]) for r in rules["removed"]] == [("T.REPEALED", "2015-07-01")]
    (changed,) = rules["changed"]
    assert (changed["id"], changed["valid_from"]) == ("T.AMENDED", "2015-07-01")
    assert changed["changes"] == [
        {"field": "title", "old": "test rule", "new": "amended rule"},
        {"field": "valid_to", "old": None, "new": "2019-12-31"},
        {"field": "condition", "old": "claim_age_years > parameter test.limit",
         "new": "claim_age_years >= parameter test.limit"},
        {"field": "effects", "old": [{"reject": "HIT"}], "new": [{"refer": "SEND"}]},
    ]


def test_parameters_differ_by_dated_value() -> None:
    old, new = _rulesets()
    parameters = diff(old, new)["parameters"]
    assert [p["name"] for p in parameters["added"]] == ["test.cap"]
    assert parameters["added"][0]["values"] == [{"start": "2015-07-01", "value": 1000,
                                                 "reference": "PP 44/2015 Pasal 9"}]
    assert [p["name"] for p in parameters["removed"]] == ["test.days"]
    limit, rate = parameters["changed"]
    assert limit == {"name": "test.limit",
                     "added": [{"start": "2024-01-01", "value": 7, "reference": "PP 1/2024 Pasal 1"}],
                     "removed": [],
                     "changed": [{"start": "2019-12-02", "changes": [
                         {"field": "value", "old": 5, "new": 6},
                         {"field": "reference", "old": "PP 82/2019 Pasal 26", "new": "PP 82/2019 Pasal 26 ayat 2"}]}],
                     "changes": []}
    assert rate == {"name": "test.rate", "added": [], "removed": [], "changed": [],
                    "changes": [{"field": "unit", "old": "", "new": "fraction"}]}
