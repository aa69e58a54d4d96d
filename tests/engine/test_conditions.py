"""Condition semantics as durable evaluates them, including missing facts and pushed-down negation."""

from __future__ import annotations

from typing import Any

import pytest

from adjudication import Ruleset

from .conftest import rule_yaml, small_ruleset

CONDITIONS = {
    "EQ": "{fact: claim_age_years, is: 3}",
    "NE": "{fact: claim_age_years, ne: 3}",
    "LT": "{fact: claim_age_years, lt: 3}",
    "LTE": "{fact: claim_age_years, lte: 3}",
    "GT": "{fact: claim_age_years, gt: 3}",
    "GTE": "{fact: claim_age_years, gte: 3}",
    "IN": "{fact: segment, in: [PU, JAKON]}",
    "NOT_IN": "{fact: segment, not_in: [PU, JAKON]}",
    "PRESENT": "{fact: wage, present: true}",
    "ABSENT": "{fact: wage, absent: true}",
    "NOT_EQ": "{not: {fact: claim_age_years, is: 3}}",
    "NOT_GT": "{not: {fact: claim_age_years, gt: 3}}",
    "NOT_PRESENT": "{not: {fact: wage, present: true}}",
    "PARAM_GT": "{fact: claim_age_years, gt: {param: test.limit}}",
    "NOT_PARAM_GT": "{not: {fact: claim_age_years, gt: {param: test.limit}}}",
    "FACT_PLUS": "{fact: reported_on, gt: {fact: event_date, plus: {param: test.days}}}",
    "FACT_MINUS": "{fact: filed_on, lt: {fact: event_date, minus: 1}}",
    "DATE_LITERAL": "{fact: reported_on, lt: 2020-01-01}",
    "BOOL": "{fact: route_deviation, is: true}",
    "CONTAINS": "{fact: incident_flags, contains: [fight, crime]}",
    "NOT_CONTAINS": "{not: {fact: incident_flags, contains: fight}}",
    "ALL": "{all: [{fact: segment, is: PU}, {fact: wage, gte: 1000}]}",
    "ANY": "{any: [{fact: segment, is: BPU}, {fact: wage, gte: 1000}]}",
    "NOT_ALL": "{not: {all: [{fact: segment, is: PU}, {fact: wage, gte: 1000}]}}",
    "NOT_ANY": "{not: {any: [{fact: segment, is: BPU}, {fact: wage, gte: 1000}]}}",
}


@pytest.fixture(scope="module")
def operators() -> Ruleset:
    return small_ruleset("".join(rule_yaml(f"T.{name}", when) for name, when in CONDITIONS.items()))


def fired(ruleset: Ruleset, **facts: Any) -> set[str]:
    facts.setdefault("event_date", "2024-01-10")
    return {rule_id.removeprefix("T.") for rule_id in ruleset.evaluate(facts).rules_fired}


def test_nothing_but_absence_matches_an_empty_case(operators: Ruleset) -> None:
    # a comparison about a missing fact is never met, negated or not; only absence tests see it
    assert fired(operators) == {"ABSENT", "NOT_PRESENT"}


@pytest.mark.parametrize(("age", "expected"), [
    (2, {"NE", "LT", "LTE", "NOT_EQ", "NOT_GT", "NOT_PARAM_GT"}),
    (3, {"EQ", "LTE", "GTE", "NOT_GT", "NOT_PARAM_GT"}),
    (6, {"NE", "GT", "GTE", "NOT_EQ", "PARAM_GT"}),
])
def test_comparisons(operators: Ruleset, age: int, expected: set[str]) -> None:
    assert fired(operators, claim_age_years=age) - {"ABSENT", "NOT_PRESENT"} == expected


def test_parameter_is_taken_at_the_event_date(operators: Ruleset) -> None:
    # limit is 2 before 2019-12-02 and 5 from then: 3 started years is expired only in the old regime
    assert "PARAM_GT" in fired(operators, claim_age_years=3, event_date="2019-12-01")
    assert "PARAM_GT" not in fired(operators, claim_age_years=3, event_date="2019-12-02")
    assert "NOT_PARAM_GT" in fired(operators, claim_age_years=3, event_date="2019-12-02")


@pytest.mark.parametrize(("segment", "expected"), [("PU", {"IN"}), ("BPU", {"NOT_IN", "ANY", "NOT_ALL"}),
                                                   ("JAKON", {"IN", "NOT_ALL"})])
def test_membership_with_wage_unknown(operators: Ruleset, segment: str, expected: set[str]) -> None:
    # NOT_ANY = all(segment ne BPU, wage < 1000) is never met while the wage is unknown
    assert fired(operators, segment=segment) - {"ABSENT", "NOT_PRESENT"} == expected


def test_and_or_and_de_morgan(operators: Ruleset) -> None:
    assert {"ALL", "ANY"} <= fired(operators, segment="PU", wage=5000)
    assert fired(operators, segment="PU", wage=500) >= {"NOT_ALL", "NOT_ANY"}
    got = fired(operators, segment="BPU", wage=500)
    assert "ANY" in got and "NOT_ALL" in got and "NOT_ANY" not in got


def test_date_arithmetic_against_the_event_date(operators: Ruleset) -> None:
    assert "FACT_PLUS" not in fired(operators, event_date="2024-01-10", reported_on="2024-01-12")
    assert "FACT_PLUS" in fired(operators, event_date="2024-01-10", reported_on="2024-01-13")
    assert "FACT_MINUS" in fired(operators, event_date="2024-01-10", filed_on="2024-01-08")
    assert "FACT_MINUS" not in fired(operators, event_date="2024-01-10", filed_on="2024-01-09")
    assert "DATE_LITERAL" in fired(operators, reported_on="2019-12-31")
    assert "DATE_LITERAL" not in fired(operators, reported_on="2020-01-01")


def test_fact_to_fact_comparison_with_a_missing_side_is_not_met(operators: Ruleset) -> None:
    # durable alone would match $m comparisons whose right-hand property is missing
    assert "FACT_PLUS" not in fired(operators, event_date="2024-01-10")


def test_bool_and_lists(operators: Ruleset) -> None:
    assert "BOOL" in fired(operators, route_deviation=True)
    assert "BOOL" not in fired(operators, route_deviation=False)
    assert "CONTAINS" in fired(operators, incident_flags=["crime"])
    assert "CONTAINS" not in fired(operators, incident_flags=["intoxication"])
    assert "NOT_CONTAINS" in fired(operators, incident_flags=[])  # durable's $iall is false on []
    assert "NOT_CONTAINS" in fired(operators, incident_flags=["crime"])
    assert "NOT_CONTAINS" not in fired(operators, incident_flags=["fight"])
    assert "NOT_CONTAINS" not in fired(operators)  # unknown list: not met


def test_validity_dates_are_inclusive_and_compiled_per_rule() -> None:
    ruleset = small_ruleset(rule_yaml("T.WINDOW", "{fact: claim_type, is: JKK}", valid_from="2019-12-02",
                                      valid_to="2019-12-31"))
    hits = [day for day in ("2019-12-01", "2019-12-02", "2019-12-31", "2020-01-01")
            if ruleset.evaluate({"event_date": day, "claim_type": "JKK"}).rules_fired]
    assert hits == ["2019-12-02", "2019-12-31"]


READABLE = {
    "EQ": "claim_age_years = 3", "NE": "claim_age_years != 3", "LT": "claim_age_years < 3",
    "LTE": "claim_age_years <= 3", "GT": "claim_age_years > 3", "GTE": "claim_age_years >= 3",
    "IN": "segment in [PU, JAKON]", "NOT_IN": "segment not in [PU, JAKON]",
    "PRESENT": "wage is present", "ABSENT": "wage is absent",
    # negation is pushed down before the text is written
    "NOT_EQ": "claim_age_years != 3", "NOT_GT": "claim_age_years <= 3", "NOT_PRESENT": "wage is absent",
    "PARAM_GT": "claim_age_years > parameter test.limit", "NOT_PARAM_GT": "claim_age_years <= parameter test.limit",
    "FACT_PLUS": "reported_on > event_date + parameter test.days days", "FACT_MINUS": "filed_on < event_date - 1 day",
    "DATE_LITERAL": "reported_on < 2020-01-01", "BOOL": "route_deviation = true",
    "CONTAINS": "incident_flags contains any of [fight, crime]",
    "NOT_CONTAINS": "incident_flags does not contain fight",
    "ALL": "segment = PU and wage >= 1000", "ANY": "segment = BPU or wage >= 1000",
    "NOT_ALL": "segment != PU or wage < 1000", "NOT_ANY": "segment != BPU and wage < 1000",
}


def test_every_condition_has_a_readable_text(operators: Ruleset) -> None:
    shown = {rule["id"].removeprefix("T."): rule["condition"] for rule in operators.describe()}
    assert shown == READABLE


def test_a_nested_condition_is_parenthesised() -> None:
    when = ("{all: [{fact: segment, is: PU}, {any: [{fact: wage, gte: 1000}, {fact: route_deviation, is: true}]},"
            " {fact: incident_flags, contains: crime}]}")
    (rule,) = small_ruleset(rule_yaml("T.NESTED", when)).describe()
    assert rule["condition"] == "segment = PU and (wage >= 1000 or route_deviation = true) and incident_flags " \
                                "contains crime"
