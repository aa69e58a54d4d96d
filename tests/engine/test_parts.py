"""Packing rules into durable parts: enum ``in`` as one match path, and parts per claim type."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from adjudication import Ruleset, engine
from adjudication.check import load_cases
from adjudication.compiler import claim_types, compile_condition
from adjudication.conditions import Condition, alternatives, parse_condition
from adjudication.decision import assemble
from adjudication.derivation import derive

from .conftest import RULES_DIR, rule_yaml, small_ruleset

EVERY = frozenset({"JKK", "JKM", "JHT"})


def cond(yaml_text: str) -> Condition:
    return parse_condition("t.yaml", yaml.safe_load(yaml_text), [], lambda name: None)


@pytest.mark.parametrize(("when", "types"), [
    ("{fact: claim_type, is: JKK}", {"JKK"}),
    ("{fact: claim_type, in: [JKK, JKM]}", {"JKK", "JKM"}),
    ("{fact: claim_type, ne: JHT}", {"JKK", "JKM"}),
    ("{not: {fact: claim_type, in: [JKK, JKM]}}", {"JHT"}),
    ("{all: [{fact: claim_type, in: [JKK, JKM]}, {fact: wage, gt: 1}]}", {"JKK", "JKM"}),
    ("{any: [{all: [{fact: claim_type, is: JKK}, {fact: wage, gt: 1}]}, {fact: claim_type, is: JKM}]}",
     {"JKK", "JKM"}),
    ("{any: [{fact: claim_type, is: JKK}, {fact: wage, gt: 1}]}", EVERY),
    ("{fact: duplicate_of, present: true}", EVERY),
])
def test_claim_types_a_condition_can_hold_for(when: str, types: set[str]) -> None:
    assert claim_types(cond(when), EVERY) == types


def test_an_enum_in_list_is_one_match_path() -> None:
    enum_in = cond("{fact: segment, in: [PU, BPU, JAKON]}")
    assert alternatives(enum_in) == 1
    assert compile_condition(enum_in) == {"$and": [{"$ex": {"segment": 1}}, {"$neq": {"segment": "PMI"}}]}
    assert alternatives(cond("{fact: duplicate_of, in: [a, b, c]}")) == 3  # open text: one path per value


@pytest.mark.parametrize(("segment", "fires"), [("PU", True), ("JAKON", True), ("PMI", False), (None, False)])
def test_enum_in_keeps_its_meaning(segment: str | None, fires: bool) -> None:
    rs = small_ruleset(rule_yaml("T.IN", "{fact: segment, in: [PU, BPU, JAKON]}"))
    decision = rs.evaluate({"event_date": dt.date(2024, 1, 1), "segment": segment})
    assert (decision.rules_fired == ("T.IN",)) is fires


def test_sixty_enum_in_rules_matching_at_once_stay_within_the_match_stack() -> None:
    rules = "".join(rule_yaml(f"T.R{i:02d}", "{fact: outcome_type, in: [death, total_disability, recovered]}")
                    for i in range(60))
    rs = small_ruleset(rules)
    assert len(rs.part_names) == 2  # 60 one-path rules, at most 48 paths a part
    decision = rs.evaluate({"event_date": dt.date(2024, 1, 1), "outcome_type": "death"})
    assert len(decision.rules_fired) == 60


def test_cases_decide_the_same_with_parts_per_claim_type_and_with_every_part(shipped: Ruleset) -> None:
    assert all(len(parts) <= len(shipped.part_names) for parts in [*shipped.parts_by_claim_type.values(),
                                                                    *shipped.parts_by_kind.values()])
    for case in load_cases(RULES_DIR):
        facts = derive(case.kind, case.inputs, shipped.parameters) if case.kind and case.inputs else case.facts
        decision = shipped.evaluate(facts)
        _, document, on = shipped.case_document(facts)
        fired = shipped.fired_rules(engine.evaluate(shipped.part_names, document), document, on)
        every_part = assemble(fired, shipped.catalogue, shipped.version, on, decision.facts,
                              shipped.parameter_lookup(on))
        assert every_part == decision, case.name


def test_a_case_without_a_claim_type_walks_every_part() -> None:
    rs = small_ruleset(rule_yaml("T.JKK", "{all: [{fact: claim_type, is: JKK}, {fact: wage, gt: 1}]}")
                       + rule_yaml("T.ANY", "{fact: wage, gt: 1}"))
    assert rs.evaluate({"event_date": "2024-01-01", "wage": 5}).rules_fired == ("T.ANY",)
    assert rs.evaluate({"event_date": "2024-01-01", "wage": 5, "claim_type": "JKK"}).rules_fired == ("T.JKK",
                                                                                                    "T.ANY")
    assert rs.evaluate({"event_date": "2024-01-01", "wage": 5, "claim_type": "JKM"}).rules_fired == ("T.ANY",)


def test_pattern_properties_name_every_property_a_pattern_reads() -> None:
    from adjudication.compiler import pattern_properties, rule_pattern

    rs = small_ruleset(rule_yaml("T.PROPS", "{all: [{fact: reported_on, gt: {fact: event_date, plus: "
                                 "{param: test.days}}}, {not: {fact: incident_flags, contains: [fight]}}, "
                                 "{fact: segment, in: [PU, BPU]}]}"))
    assert pattern_properties(rule_pattern(rs.rules[0])) == {
        "kind", "event_date", "reported_on", "p__test__days", "incident_flags", "incident_flags__count", "segment"}


def test_only_pattern_properties_are_asserted_and_benefits_still_read_every_fact() -> None:
    rs = small_ruleset(rule_yaml("T.PAY", "{fact: segment, is: PU}", "[{benefit: {code: X, amount: wage}}]"))
    assert all("wage" not in engine._PROPERTIES[name] and "segment" in engine._PROPERTIES[name]
               for name in rs.part_names)
    decision = rs.evaluate({"event_date": "2024-01-01", "segment": "PU", "wage": 1234})
    assert [(b.code, b.amount) for b in decision.benefits] == [("X", 1234)]
