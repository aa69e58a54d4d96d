"""A loaded, compiled ruleset: rules + parameters + reason codes + version hash + durable engine parts."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import engine
from .basis import basis_words
from .benefits import format_number
from .catalogue import ReasonCode
from .compiler import (
    condition_parameters,
    count_property,
    fact_values,
    param_property,
    plan_parts,
    rule_pattern,
)
from .conditions import referenced
from .conditions import text as condition_text
from .decision import Decision, Fired, assemble
from .derivation import derive
from .documents import requirement_text
from .errors import FactError, RulesetError
from .fact_catalogue import EPOCH, FACTS, RESERVED, check_fact, epoch_days, from_epoch_days, iso_day_forms
from .kinds import CASE_KINDS
from .loader import Rule, load_files
from .parameters import Parameters
from .tracer import Tracer
from .wording import LANGUAGES

MAX_PROPERTIES = 250  # durable refuses a fact with more than 255 properties (error 302)
CASES_DIR = "cases"


def _canonical(value: Any) -> Any:
    """Parsed YAML as JSON-ready data: dates (also as mapping keys) become ISO text."""
    if isinstance(value, dict):
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def version_hash(parsed: Mapping[str, Any]) -> str:
    """sha256 over the files' parsed content in path order: comments, quoting and layout do not count."""
    digest = hashlib.sha256()
    for path in sorted(parsed):
        canonical = json.dumps(_canonical(parsed[path]), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        digest.update(f"{path}\n{canonical}\n".encode())
    return digest.hexdigest()


# facts whose valid values are exactly one Python type, stored and asserted as given (check_fact's int excludes bool)
_PLAIN_KINDS: dict[str, type] = {name: {"int": int, "bool": bool, "str": str}[t.kind]
                                 for name, t in FACTS.items() if t.kind in ("int", "bool", "str")}
_ENUM_VALUES: dict[str, frozenset[str]] = {name: frozenset(t.values) for name, t in FACTS.items() if t.kind == "enum"}
_DATE_FACTS = frozenset(name for name, t in FACTS.items() if t.kind == "date")


def _engine_number(value: Any) -> Any:
    if isinstance(value, dt.date):
        return epoch_days(value)
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)  # comparisons only, never money
    return value


def _action(index: int, rule: Rule, parameters: Parameters) -> engine.Action:
    """The durable action of one rule: record the firing and compute its amount items at the event date.

    durable runs a rule's action once per alternative of its condition that matches (an ``any`` with two true
    branches, or ``contains`` of two listed values, fires twice), so a rule records itself only the first time.
    """
    specs = [(i, e.item) for i, e in enumerate(rule.then) if e.item is not None]
    if not specs:
        def record(session: engine.Session) -> None:
            if index not in session.fired:
                session.fired.append(index)
        return record

    def record_with_items(session: engine.Session) -> None:
        if index in session.fired:
            return
        session.fired.append(index)
        case = session.facts
        on = from_epoch_days(case["event_date"])
        for effect_index, spec in specs:
            amount, basis = spec.formula.amount(case, lambda name: parameters.value(name, on))
            session.items.append((index, effect_index, amount, basis))
    return record_with_items


class Ruleset:
    """Everything needed to decide a case; build with ``load_ruleset`` or ``load_ruleset_from_files``."""

    def __init__(self, files: Mapping[str, str]):
        self.files: Mapping[str, str] = MappingProxyType(dict(sorted(files.items())))
        loaded = load_files(self.files)
        self.rules: tuple[Rule, ...] = loaded.rules
        self.parameters: Parameters = loaded.parameters
        self.catalogue: Mapping[str, ReasonCode] = MappingProxyType(dict(loaded.catalogue))
        digest = version_hash(loaded.parsed)
        self.version = f"sha256:{digest}"
        self.name = f"claims_{digest[:16]}"
        self._condition_params = condition_parameters(self.rules)
        # per rule, what its trace entry shows: the facts its condition reads and the parameters it uses
        self._rule_facts = tuple(tuple(sorted(referenced(rule.when, "fact"))) for rule in self.rules)
        self._rule_params = tuple(tuple(sorted(referenced(rule.when, "param").union(
            *(e.item.formula.params for e in rule.then if e.item is not None)))) for rule in self.rules)
        self._index_of = {id(rule): i for i, rule in enumerate(self.rules)}  # a fired rule's place, for its trace
        self._list_facts = frozenset(n for n, t in FACTS.items() if t.kind == "list")
        # parameter values change only at their start dates, so between two consecutive starts (of any condition
        # parameter) the document's parameter properties are fixed: precompute them per span, find it by bisect
        self._param_starts = sorted({v.start for n in self._condition_params for v in self.parameters[n].values})
        self._param_spans = tuple(
            tuple((param_property(n), _engine_number(v)) for n in self._condition_params
                  if (v := self.parameters.value(n, day)) is not None)
            for day in [dt.date.min, *self._param_starts])
        budget = len(FACTS) + len(self._list_facts) + len(self._condition_params) + len(RESERVED)
        if budget > MAX_PROPERTIES:
            raise RulesetError(f"a case could carry {budget} properties; durable allows {MAX_PROPERTIES}")
        # every rule in firing order, for a case that names neither kind nor claim type; per claim type only the
        # rules that can fire for it (compiler.fact_values), so a JKM case does not walk the JKK rules; and per other
        # kind of case only the rules that can fire for it and need no claim type
        self.part_names: tuple[str, ...] = self._register_parts("", range(len(self.rules)))
        types, kinds = frozenset(FACTS["claim_type"].values), frozenset(CASE_KINDS)
        claim_kinds = [fact_values(rule.when, "case_kind", kinds) for rule in self.rules]
        claim_type_sets = [fact_values(rule.when, "claim_type", types) for rule in self.rules]
        self.parts_by_claim_type: Mapping[str, tuple[str, ...]] = MappingProxyType({
            claim_type: self._register_parts(f"{claim_type}_", [
                i for i in range(len(self.rules)) if claim_type in claim_type_sets[i] and "claim" in claim_kinds[i]])
            for claim_type in FACTS["claim_type"].values})
        self.parts_by_kind: Mapping[str, tuple[str, ...]] = MappingProxyType({
            kind: self._register_parts(f"{kind}_", [
                i for i in range(len(self.rules)) if kind in claim_kinds[i] and claim_type_sets[i] == types])
            for kind in CASE_KINDS if kind != "claim"})

    def _register_parts(self, label: str, indexes: Iterable[int]) -> tuple[str, ...]:
        """Pack the rules at ``indexes`` (in firing order) into durable parts; return the part names."""
        chosen = list(indexes)
        names = []
        for number, part in enumerate(plan_parts([self.rules[i] for i in chosen])):
            name = f"{self.name}_{label}{number}"
            members = [chosen[j] for j in part]
            keys = {index: f"r{index}" for index in members}
            engine.register(
                name,
                {keys[i]: {"pri": i + 1, "pattern": rule_pattern(self.rules[i])} for i in members},
                {keys[i]: _action(i, self.rules[i], self.parameters) for i in members},
            )
            names.append(name)
        return tuple(names)

    def __repr__(self) -> str:
        return f"<Ruleset {self.version[:19]} {len(self.rules)} rules in {len(self.part_names)} part(s)>"

    def case_document(self, facts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dt.date]:
        """Validate facts; return (stored facts with ISO dates, engine document, event date)."""
        stored: dict[str, Any] = {}
        document: dict[str, Any] = {"kind": "case"}
        for name, value in facts.items():
            if value is None:
                continue  # a missing value and a missing fact mean the same: unknown
            # fast paths for the plain cases, each giving what check_fact gives; anything else goes to check_fact
            kind = _PLAIN_KINDS.get(name)
            stored_value: Any
            engine_value: Any
            if kind is not None and type(value) is kind:
                stored_value = engine_value = value
            elif name in _ENUM_VALUES and type(value) is str and value in _ENUM_VALUES[name]:
                stored_value = engine_value = value
            elif name in _DATE_FACTS and type(value) is dt.date:
                stored_value, engine_value = value.isoformat(), (value - EPOCH).days
            elif name in _DATE_FACTS and type(value) is str and (forms := iso_day_forms(value)) is not None:
                stored_value, engine_value = forms
            else:
                stored_value, engine_value = check_fact(name, value)
            stored[name] = stored_value
            document[name] = engine_value
            if name in self._list_facts:
                document[count_property(name)] = len(engine_value)
        if "event_date" not in stored:
            raise FactError("fact 'event_date' is required: it selects the law in force")
        on = dt.date.fromisoformat(stored["event_date"])
        document.update(self._param_spans[bisect.bisect_right(self._param_starts, on)])
        return dict(sorted(stored.items())), document, on

    def parts_for(self, document: Mapping[str, Any]) -> tuple[str, ...]:
        """The durable parts a case document is asserted into: those of its kind, or of its claim type."""
        kind = str(document.get("case_kind", ""))
        if kind in self.parts_by_kind:
            return self.parts_by_kind[kind]
        return self.parts_by_claim_type.get(document.get("claim_type", ""), self.part_names)

    def decide(self, kind: str, inputs: Mapping[str, Any], tracer: Tracer | None = None,
               words: bool = True) -> Decision:
        """Decide a case from its raw inputs: derive its facts with this ruleset's parameters, then evaluate."""
        return self.evaluate(derive(kind, inputs, self.parameters), tracer, words)

    def evaluate(self, facts: Mapping[str, Any], tracer: Tracer | None = None, words: bool = True) -> Decision:
        """Decide one case: facts (catalogue names, dates as date or ISO text) in, Decision out.

        ``words=False`` leaves the reasons' messages and the items' basis in words empty: the decided values
        (outcome, liability, amounts, codes, rules) are the same, in about a fifth less time. Impact analysis
        compares only those (``replay.differences``) over many decisions.
        """
        stored, document, on = self.case_document(facts)
        fired = self.fired_rules(engine.evaluate(self.parts_for(document), document), document, on, words)
        decision = assemble(fired, self.catalogue, self.version, on, stored,
                            self.parameter_lookup(on) if words else None, words)
        if tracer is not None:
            self._trace(tracer, fired, stored, on, decision)
        return decision

    def parameter_lookup(self, on: dt.date) -> Callable[[str], tuple[Any, str] | None]:
        """Parameter name -> (value on ``on``, unit), for the messages of a decision about ``on``."""
        def lookup(name: str) -> tuple[Any, str] | None:
            parameter = self.parameters.get(name)
            if parameter is None:
                return None
            dated = parameter.at(on)
            return None if dated is None or dated.value is None else (dated.value, parameter.unit)
        return lookup

    def fired_rules(self, states: Iterable[Mapping[str, Any]], document: Mapping[str, Any], on: dt.date,
                    words: bool = True) -> list[Fired]:
        """The rules the engine's parts fired, in order, with their items worded in both languages (or, without
        ``words``, with empty words)."""
        fired: list[Fired] = []
        for state in states:
            by_rule: dict[int, list[tuple[int, int, str, str, str]]] = {}
            for index, effect_index, amount, basis in state["items"]:
                if not words:
                    by_rule.setdefault(index, []).append((effect_index, amount, basis, "", ""))
                    continue
                rule = self.rules[index]
                formula = rule.then[effect_index].item.formula  # type: ignore[union-attr]
                citation = str(rule.citation)
                by_rule.setdefault(index, []).append((effect_index, amount, basis, *(
                    basis_words(formula, document, self.parameters, on, amount, citation, lang)
                    for lang in LANGUAGES)))
            fired.extend(Fired(self.rules[i], tuple(by_rule.get(i, ()))) for i in state["fired"])
        return fired

    def _trace(self, tracer: Tracer, fired: list[Fired], stored: Mapping[str, Any], on: dt.date,
               decision: Decision) -> None:
        """Per fired rule: the facts its condition read (None when the case lacks one), the dated parameters it
        used and the arithmetic of its items; then the papers and the outcome. Only fired rules: the trace is
        stored with every decision."""
        for item in fired:
            rule = item.rule
            i = self._index_of[id(rule)]
            parameters = {}
            for name in self._rule_params[i]:
                dated = self.parameters[name].at(on)
                if dated is not None:
                    parameters[name] = {"value": _trace_value(dated.value), "unit": self.parameters[name].unit,
                                        "start": dated.start.isoformat(), "reference": dated.reference}
            effects = [{e.kind: e.code} if e.code else {e.kind: e.liability} if e.liability else
                       {e.kind: [requirement_text(r) for r in e.documents]} if e.kind == "require" else
                       {e.kind: e.item.code if e.item else None} for e in rule.then]
            entry: dict[str, Any] = {"rule_id": rule.id, "citation": str(rule.citation),
                                     "valid_from": rule.valid_from.isoformat(),
                                     "facts": {name: stored.get(name) for name in self._rule_facts[i]},
                                     "parameters": parameters, "effects": effects}
            if item.items:
                entry["items"] = [{"code": rule.then[e].item.code, "amount": amount,  # type: ignore[union-attr]
                                   "formula": basis} for e, amount, basis, _, _ in item.items]
            tracer.record("rule_fired", **entry)
        if decision.documents_required:
            tracer.record("documents", required=list(decision.documents_required),
                          missing=list(decision.documents_missing))
        tracer.record("decision", outcome=decision.outcome, liability=decision.liability,
                      total_amount=decision.total_amount)

    def describe(self) -> list[dict[str, Any]]:
        """Every rule with its citation, validity and readable condition, for ``GET /v1/rulesets/{version}``."""
        out = []
        for rule in self.rules:
            effects: list[dict[str, Any]] = []
            for e in rule.then:
                if e.code is not None:
                    effects.append({e.kind: e.code})
                elif e.liability is not None:
                    effects.append({"liability": e.liability})
                elif e.kind == "require":
                    effects.append({"require": [requirement_text(r) for r in e.documents]})
                elif e.item is not None:
                    effects.append({e.kind: {"code": e.item.code, "amount": e.item.formula.text,
                                             **({"recurring": e.item.recurring} if e.item.recurring else {})}})
            out.append({"id": rule.id, "program": rule.program, "title": rule.title,
                        "valid_from": rule.valid_from.isoformat(),
                        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
                        "citation": {"instrument": rule.citation.instrument, "article": rule.citation.article,
                                     "url": rule.citation.url, "text": str(rule.citation)},
                        "condition": condition_text(rule.when), "effects": effects, "file": rule.path})
        return out

    def reason_codes(self) -> list[dict[str, str]]:
        """The reason-code catalogue, for ``GET /v1/reason-codes``."""
        return [{"code": c.code, "kind": c.kind, "message_id": c.message_id, "message_en": c.message_en}
                for c in sorted(self.catalogue.values(), key=lambda c: c.code)]


def _trace_value(value: Any) -> Any:
    """A parameter value as JSON: whole numbers as numbers, exact fractions and dates as text."""
    if isinstance(value, tuple):
        return [_trace_value(v) for v in value]
    if isinstance(value, int) or value is None:
        return value
    return value.isoformat() if isinstance(value, dt.date) else format_number(value)


def read_rules_dir(rules_dir: str | Path) -> dict[str, str]:
    """The ruleset files under ``rules_dir`` (every ``*.yaml`` except the ``cases/`` folder)."""
    root = Path(rules_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"rules directory {root} does not exist")
    files = {}
    for path in sorted(root.rglob("*.yaml")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/", 1)[0] == CASES_DIR:
            continue
        files[relative] = path.read_text(encoding="utf-8")
    return files


def load_ruleset_from_files(files: Mapping[str, str]) -> Ruleset:
    """Build a ruleset from relative path -> file text (e.g. as stored with a decision)."""
    return Ruleset(files)


def load_ruleset(rules_dir: str | Path) -> Ruleset:
    """Load, validate and compile the ruleset in ``rules_dir``; a bad file raises RuleFileError."""
    return Ruleset(read_rules_dir(rules_dir))
