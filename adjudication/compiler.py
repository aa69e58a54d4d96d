"""Compile rules into durable_rules ruleset definitions (plain JSON-like dicts).

Each rule becomes one durable rule whose single pattern is
``kind == "case" and event_date >= valid_from [and event_date <= valid_to] and <condition>``, so one compiled
ruleset serves every event date. Dates are epoch days; parameters read by conditions are properties
``p__<dotted__name>`` that the engine puts into the case document at the event date.

Size guard. durable walks matching alpha nodes with a fixed stack of 64 entries (events.c, MAX_STACK_SIZE);
when more match at once, ``assert_fact`` fails with error 303, and from ~512 rules the C engine spins
forever. Pending stack entries are bounded by the number of alternative match paths (DNF terms) in a
durable ruleset, so rules are packed, in firing order, into parts of at most ``MAX_ALTERNATIVES_PER_PART``
alternatives, each its own durable ruleset; one evaluation asserts into every part in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .conditions import All, AnyOf, Compare, Condition, Contains, Presence, Ref, alternatives, referenced
from .errors import RulesetError
from .fact_catalogue import FACTS, epoch_days
from .loader import Rule

MAX_ALTERNATIVES_PER_PART = 48  # < 64 with room for the catch-all and the root
MAX_RULES = 1000  # beyond this an evaluation would cost too many parts; split the service instead
CATCH_ALL_PRI = 65535
DISCRIMINATOR = {"kind": "case"}
_OPS = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def param_property(name: str) -> str:
    """The case-document property holding parameter ``name`` at the event date."""
    return "p__" + name.replace(".", "__")


def count_property(fact: str) -> str:
    """The property holding a list fact's length (durable's ``$iall`` is false on an empty list)."""
    return fact + "__count"


def engine_literal(value: Any) -> Any:
    """A rule literal as the engine compares it (dates as epoch days)."""
    if hasattr(value, "toordinal"):
        return epoch_days(value)
    return value


def _property(ref: Ref) -> str:
    return ref.name if ref.kind == "fact" else param_property(ref.name)


def _rvalue(operand: Ref) -> Any:
    base: Any = {"$m": _property(operand)}
    if operand.offset is None:
        return base
    offset: Any = {"$m": _property(operand.offset)} if isinstance(operand.offset, Ref) else operand.offset
    return {"$add" if operand.sign > 0 else "$sub": {"$l": base, "$r": offset}}


def _guards(fact: str, operand: Ref) -> list[dict[str, Any]]:
    # durable matches a $m comparison whose right side is missing: require every side to exist
    names = [fact, _property(operand)]
    if isinstance(operand.offset, Ref):
        names.append(_property(operand.offset))
    return [{"$ex": {name: 1}} for name in names]


def _compare(cond: Compare) -> dict[str, Any]:
    if cond.op in ("in", "not_in"):
        values = [engine_literal(v) for v in cond.operand]
        ftype = FACTS[cond.fact]
        if cond.op == "in" and ftype.kind == "enum" and len(values) > 1:
            # one match path instead of one per value: present and none of the other values (facts are
            # validated against the enum, so this is the same test); see conditions.alternatives
            others = [{"$neq": {cond.fact: v}} for v in ftype.values if v not in values]
            return {"$and": [{"$ex": {cond.fact: 1}}, *others]} if others else {"$ex": {cond.fact: 1}}
        if cond.op == "in":
            terms = [{cond.fact: v} for v in values]
            return terms[0] if len(terms) == 1 else {"$or": terms}
        terms = [{"$neq": {cond.fact: v}} for v in values]
        return terms[0] if len(terms) == 1 else {"$and": terms}
    if isinstance(cond.operand, Ref):
        right = _rvalue(cond.operand)
        test = {cond.fact: right} if cond.op == "eq" else {_OPS[cond.op]: {cond.fact: right}}
        return {"$and": [*_guards(cond.fact, cond.operand), test]}
    value = engine_literal(cond.operand)
    return {cond.fact: value} if cond.op == "eq" else {_OPS[cond.op]: {cond.fact: value}}


def compile_condition(cond: Condition) -> dict[str, Any]:
    """A condition tree as a durable expression over the single case fact."""
    if isinstance(cond, All):
        return {"$and": [compile_condition(c) for c in cond.items]}
    if isinstance(cond, AnyOf):
        return {"$or": [compile_condition(c) for c in cond.items]}
    if isinstance(cond, Presence):
        return {"$ex" if cond.present else "$nex": {cond.fact: 1}}
    if isinstance(cond, Contains):
        if not cond.negated:
            terms = [{"$iany": {cond.fact: {"$i": v}}} for v in cond.values]
            return terms[0] if len(terms) == 1 else {"$or": terms}
        none = [{"$neq": {"$i": v}} for v in cond.values]
        return {"$or": [{count_property(cond.fact): 0},
                        {"$iall": {cond.fact: none[0] if len(none) == 1 else {"$and": none}}}]}
    return _compare(cond)


def rule_pattern(rule: Rule) -> dict[str, Any]:
    """The whole pattern of one rule: discriminator, validity against the event date, condition."""
    tests: list[dict[str, Any]] = [DISCRIMINATOR, {"$gte": {"event_date": epoch_days(rule.valid_from)}}]
    if rule.valid_to is not None:
        tests.append({"$lte": {"event_date": epoch_days(rule.valid_to)}})
    condition = compile_condition(rule.when)
    tests.extend(condition["$and"] if "$and" in condition and len(condition) == 1 else [condition])
    return {"$and": tests}


def catch_all_pattern() -> dict[str, Any]:
    """Lowest-priority pattern every case matches, so each session runs an action (delete_state safety)."""
    return {"$and": [DISCRIMINATOR, {"$ex": {"kind": 1}}]}


def pattern_properties(pattern: Any) -> set[str]:
    """Every case-document property a compiled pattern reads (tested, compared against, or an array walked)."""
    names: set[str] = set()
    if isinstance(pattern, list):
        for item in pattern:
            names |= pattern_properties(item)
    elif isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$m" and isinstance(value, str):
                names.add(value)
            elif not key.startswith("$"):
                names.add(key)  # a property, possibly compared with an rvalue below
            names |= pattern_properties(value)
    return names


def plan_parts(rules: Sequence[Rule]) -> list[list[int]]:
    """Pack rule indexes, in firing order, into parts small enough for durable's 64-entry match stack."""
    if len(rules) > MAX_RULES:
        raise RulesetError(f"{len(rules)} rules exceed the limit of {MAX_RULES} per ruleset: the durable_rules "
                           "engine degrades (error 303, or an endless loop from ~512 rules); split the rules")
    parts: list[list[int]] = [[]]
    load = 0
    for index, rule in enumerate(rules):
        size = alternatives(rule.when)
        if size > MAX_ALTERNATIVES_PER_PART:
            raise RulesetError(f"{rule.path}: [{rule.position}].when: rule {rule.id} expands to {size} "
                               f"alternatives; the engine allows {MAX_ALTERNATIVES_PER_PART} per rule "
                               "(shorten the in/any lists or split the rule)")
        if load + size > MAX_ALTERNATIVES_PER_PART:
            parts.append([])
            load = 0
        parts[-1].append(index)
        load += size
    return [p for p in parts if p]


def claim_types(cond: Condition, every: frozenset[str]) -> frozenset[str]:
    """The claim types a condition can hold for (``fact_values`` of ``claim_type``)."""
    return fact_values(cond, "claim_type", every)


def fact_values(cond: Condition, fact: str, every: frozenset[str]) -> frozenset[str]:
    """The values of enum ``fact`` a condition can hold for: narrowed by tests of ``fact`` that every match needs.

    A rule whose condition requires ``claim_type`` JKK can never fire on a JKM case, so the ruleset can leave it
    out of the parts it evaluates for JKM (``Ruleset`` packs parts per claim type, and per ``case_kind``).
    Anything the analysis does not understand keeps every value, so the result is always a superset of where
    the rule can fire.
    """
    if isinstance(cond, Compare) and cond.fact == fact:
        if cond.op == "eq":
            return every & {cond.operand}
        if cond.op == "in":
            return every & set(cond.operand)
        if cond.op == "ne":
            return every - {cond.operand}
        if cond.op == "not_in":
            return every - set(cond.operand)
    if isinstance(cond, All):
        out = every
        for item in cond.items:
            out &= fact_values(item, fact, every)
        return out
    if isinstance(cond, AnyOf):
        union: frozenset[str] = frozenset()
        for item in cond.items:
            union |= fact_values(item, fact, every)
        return union
    return every


def condition_parameters(rules: Sequence[Rule]) -> list[str]:
    """Parameters that conditions read, which the engine resolves at the event date per case."""
    names: set[str] = set()
    for rule in rules:
        names |= referenced(rule.when, "param")
    return sorted(names)
