"""Replay only what a change can touch: which stored decisions a new ruleset cannot decide differently.

From the difference between the ruleset a decision was made under (``before``) and the target (``after``),
``pruner(before, after)`` builds once a list of *triggers*; a stored decision no trigger matches is counted
identical without being evaluated. The analysis only ever over-approximates what can change:

* a rule version added, removed, or changed in its condition or validity: a decision in the rule's scope
  (its kind and claim type, its validity against the event date) whose stored facts can satisfy the condition
  (the facts it requires present, the values it requires) may change; old and new versions are both checked;
* a rule version changed only in its effects (amounts, reasons, liability, papers): only decisions in which the
  rule fired;
* a dated parameter whose value differs on some days: decisions dated on those days in the scope of a rule whose
  condition reads it (and whose facts can satisfy that condition), or in which a rule whose formula reads it
  fired; a parameter the fact derivation reads (``derivation.PARAMETERS_READ``) makes every decision of the kinds
  that read it a candidate (their facts are derived again);
* citations, titles, wording and parameters used only in messages change no decided value.

A reordering of the rules (reasons are listed in firing order) turns pruning off for the pair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .compiler import fact_values
from .conditions import All, AnyOf, Compare, Condition, Contains, Presence, Ref
from .derivation import PARAMETERS_READ
from .fact_catalogue import FACTS
from .impact import SkipPredicate, StoredCase
from .kinds import CASE_KINDS
from .loader import Effect, Rule
from .ruleset import Ruleset

KINDS = frozenset(CASE_KINDS)
TYPES = frozenset(FACTS["claim_type"].values)
Interval = tuple[dt.date, dt.date]  # inclusive


@dataclass(frozen=True)
class Trigger:
    """A kind of stored decision a change can affect."""

    kinds: frozenset[str]
    claim_types: frozenset[str]  # every type: also decisions without one
    dates: tuple[Interval, ...]  # the event dates it can affect
    condition: Condition | None = None  # the stored facts must be able to satisfy it
    fired: str | None = None  # only decisions in which this rule fired

    def matches(self, case: StoredCase, rules_fired: frozenset[str]) -> bool:
        """Whether the change can affect this stored decision."""
        if case.kind not in self.kinds:
            return False
        claim_type = case.facts.get("claim_type")
        if claim_type is None and self.claim_types != TYPES or claim_type is not None and \
                claim_type not in self.claim_types:
            return False
        day = _day(case.facts.get("event_date"))
        if day is None or not any(start <= day <= end for start, end in self.dates):
            return day is None  # no event date: cannot place it, so do not prune it
        if self.fired is not None and self.fired not in rules_fired:
            return False
        return self.condition is None or can_hold(self.condition, case.facts)


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def can_hold(cond: Condition, facts: Mapping[str, Any]) -> bool:
    """False only when the facts certainly fail ``cond``: a required fact is missing or an enum or boolean fact
    compared with a literal has another value. Anything else (parameters, other facts, numbers) may hold."""
    if isinstance(cond, All):
        return all(can_hold(item, facts) for item in cond.items)
    if isinstance(cond, AnyOf):
        return any(can_hold(item, facts) for item in cond.items)
    if isinstance(cond, Presence):
        return (cond.fact in facts) == cond.present
    value = facts.get(cond.fact)
    if value is None:
        return False  # a comparison about a missing fact is never met (conditions module)
    if isinstance(cond, Contains):
        return True
    if isinstance(cond, Compare) and not isinstance(cond.operand, Ref) and FACTS[cond.fact].kind in ("enum", "bool"):
        if cond.op == "eq":
            return bool(value == cond.operand)
        if cond.op == "ne":
            return bool(value != cond.operand)
        if cond.op == "in":
            return value in cond.operand
        if cond.op == "not_in":
            return value not in cond.operand
    return True


def _validity(rule: Rule) -> Interval:
    return rule.valid_from, rule.valid_to or dt.date.max


def _effects(effects: tuple[Effect, ...]) -> tuple[Any, ...]:
    """Effects as comparable values (a compiled formula compares by its text)."""
    return tuple((e.kind, e.code, e.liability, e.documents,
                  (e.item.code, e.item.formula.text, e.item.recurring, e.item.payer) if e.item else None)
                 for e in effects)


def _scope(rule: Rule, dates: tuple[Interval, ...], condition: Condition | None, fired: str | None) -> Trigger:
    return Trigger(fact_values(rule.when, "case_kind", KINDS), fact_values(rule.when, "claim_type", TYPES), dates,
                   condition, fired)


def _overlap(a: Interval, b: Interval) -> Interval | None:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start <= end else None


def differing_days(before: Ruleset, after: Ruleset, name: str) -> tuple[Interval, ...]:
    """The days on which parameter ``name`` has another value (or is defined in only one ruleset)."""
    starts = sorted({dt.date.min} | {v.start for r in (before, after) if name in r.parameters
                                     for v in r.parameters[name].values})
    spans = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - dt.timedelta(days=1) if index + 1 < len(starts) else dt.date.max
        values = [r.parameters[name].at(start) if name in r.parameters else None for r in (before, after)]
        if [v.value if v else None for v in values] != [None, None] and \
                (values[0] is None) != (values[1] is None) or (values[0] and values[1]
                                                               and values[0].value != values[1].value):
            spans.append((start, end))
    return tuple(spans)


def _derivation_kinds(name: str) -> frozenset[str]:
    return frozenset(kind for kind, prefixes in PARAMETERS_READ.items() if name.startswith(prefixes))


def triggers(before: Ruleset, after: Ruleset) -> list[Trigger] | None:
    """What the change from ``before`` to ``after`` can affect; None when pruning cannot be applied safely."""
    old = {(r.id, r.valid_from): r for r in before.rules}
    new = {(r.id, r.valid_from): r for r in after.rules}
    common = [key for key in old if key in new]
    if common != [key for key in new if key in old]:
        return None  # the rules fire in another order: every reason list may change
    found: list[Trigger] = []
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            rule = was or now
            assert rule is not None
            # removed: only where it fired; added: wherever its condition can hold
            found.append(_scope(rule, (_validity(rule),), None if was else rule.when, rule.id if was else None))
        elif (was.when, _validity(was), was.program) != (now.when, _validity(now), now.program):
            found.append(_scope(was, (_validity(was),), was.when, None))
            found.append(_scope(now, (_validity(now),), now.when, None))
        elif _effects(was.then) != _effects(now.then):
            found.append(_scope(was, (_validity(was),), None, was.id))
    for name in before.parameters.keys() | after.parameters.keys():
        days = differing_days(before, after, name)
        if not days:
            continue
        derived = _derivation_kinds(name)
        if derived:
            found.append(Trigger(derived, TYPES, ((dt.date.min, dt.date.max),)))
        for rule in (*before.rules, *after.rules):
            spans = tuple(o for d in days if (o := _overlap(d, _validity(rule))))
            if not spans:
                continue
            if name in _condition_parameters(rule):
                found.append(_scope(rule, spans, rule.when, None))
            if any(e.item and name in e.item.formula.params for e in rule.then):
                found.append(_scope(rule, spans, None, rule.id))
    return found


def _condition_parameters(rule: Rule) -> set[str]:
    from .conditions import referenced

    return referenced(rule.when, "param")


def pruner(before: Ruleset, after: Ruleset) -> SkipPredicate | None:
    """The predicate of decisions made under ``before`` that ``after`` cannot change (None: evaluate them all)."""
    if before.version == after.version:
        return lambda case: True
    found = triggers(before, after)
    if found is None:
        return None

    def unaffected(case: StoredCase) -> bool:
        fired = frozenset(case.rules_fired)
        return not any(trigger.matches(case, fired) for trigger in found)
    return unaffected


PrunerFunction = Callable[[Ruleset, Ruleset], SkipPredicate | None]
