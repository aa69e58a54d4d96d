"""Strict loading of rule files into frozen ``Rule`` values; every problem names the file and the key.

The files of a ruleset are a mapping of relative path -> text (so a stored ruleset can be re-created):
``reason_codes.yaml``, ``parameters/<name>.yaml`` and any other ``*.yaml`` holding a list of rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .benefits import Formula, compile_formula
from .catalogue import ReasonCode, check_placeholders, parse_catalogue
from .conditions import Condition, parse_condition, referenced
from .documents import DOCUMENTS, Requirement
from .errors import RuleFileError
from .fact_catalogue import parse_date
from .parameters import Parameter, Parameters, parse_parameter_file
from .yamlfile import key_path, parse_yaml

CATALOGUE_FILE = "reason_codes.yaml"
PARAMETER_DIR = "parameters/"
PROGRAMS = ("GENERAL", "JKK", "JKM", "JHT", "JP", "JKP", "JAKON", "CLEARANCE", "CONTRIBUTION")  # also firing order
RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$")
RULE_KEYS = frozenset({"id", "program", "title", "description", "valid_from", "valid_to", "citation", "when",
                       "then"})
CITATION_KEYS = frozenset({"instrument", "article", "url", "note"})
REASON_EFFECTS = {"reject": "reject", "refer": "refer", "warn": "warning", "info": "info"}
# effects that add an amount item: a benefit (paid only when a claim is approved) or an amount the decision states
# whatever its outcome (a contribution, a termin, a fine)
ITEM_EFFECTS = ("benefit", "amount")
LIABILITIES = ("employer", "bpjs")
NO_APPLICABLE_RULE = "NO_APPLICABLE_RULE"  # the refer code of a claim no rule of its programme matched
DOCUMENTS_MISSING = "DOCUMENTS_MISSING"  # the refer code a decision gives for unmet ``require`` effects
RECURRING = ("yearly", "monthly")
PAYERS = ("employer", "worker", "self")  # who pays a stated amount (a contribution): an item's optional payer
# who owes a benefit of its own, outside the programme (the shortfall of an under-reported wage): never BPJS
BENEFIT_PAYERS = ("employer",)


@dataclass(frozen=True)
class Citation:
    """Where the rule comes from in the law."""

    instrument: str
    article: str
    url: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        return f"{self.instrument} {self.article}"


@dataclass(frozen=True)
class ItemSpec:
    """An amount item the rule adds (a benefit or a stated amount): its code, formula and whether it recurs."""

    code: str
    formula: Formula
    recurring: str | None = None
    payer: str | None = None


@dataclass(frozen=True)
class Effect:
    """One effect of a rule: a reason (reject/refer/warn/info), a liability, an item or documents required."""

    kind: str  # reject | refer | warn | info | liability | benefit | amount | require
    code: str | None = None
    liability: str | None = None
    item: ItemSpec | None = None
    documents: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One legal provision: when it applies (dates and condition), what it does, and its citation."""

    id: str
    program: str
    title: str
    valid_from: dt.date
    valid_to: dt.date | None
    citation: Citation
    when: Condition
    then: tuple[Effect, ...]
    path: str
    position: int
    description: str = ""

    def in_force(self, on: dt.date) -> bool:
        """Whether ``on`` falls in the rule's validity (both ends inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class LoadedFiles:
    """The parsed content of a ruleset's files."""

    rules: tuple[Rule, ...]  # in firing order
    parameters: Parameters
    catalogue: Mapping[str, ReasonCode]
    parsed: Mapping[str, Any]  # path -> parsed YAML, for the version hash


def _text(path: str, where: str, value: Any, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(path, where, "must be non-empty text")
    return value.strip()


def _date(path: str, where: str, value: Any) -> dt.date:
    day = parse_date(value)
    if day is None:
        raise RuleFileError(path, where, f"must be a date YYYY-MM-DD, got {value!r}")
    return day


def _citation(path: str, where: str, value: Any) -> Citation:
    if not isinstance(value, dict):
        raise RuleFileError(path, where, "must be a mapping with instrument and article (url, note optional)")
    unknown = set(value) - CITATION_KEYS
    if unknown:
        raise RuleFileError(path, f"{where}.{sorted(map(str, unknown))[0]}", "unknown key; use instrument, "
                                                                             "article, url, note")
    return Citation(_text(path, f"{where}.instrument", value.get("instrument")),
                    _text(path, f"{where}.article", value.get("article")),
                    _text(path, f"{where}.url", value.get("url"), required=False) or None,
                    _text(path, f"{where}.note", value.get("note"), required=False) or None)


def _effect(path: str, where: str, raw: Any, catalogue: Mapping[str, ReasonCode],
            parameters: Parameters) -> Effect:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise RuleFileError(path, where, "an effect is one of reject, refer, warn, info, liability, benefit, "
                                         "amount, require")
    (kind, value), = raw.items()
    here = f"{where}.{kind}"
    if kind in REASON_EFFECTS:
        code = catalogue.get(value) if isinstance(value, str) else None
        if code is None:
            raise RuleFileError(path, here, f"unknown reason code {value!r}")
        if code.kind != REASON_EFFECTS[kind]:
            raise RuleFileError(path, here, f"reason code {value} is a {code.kind} code, not for {kind}")
        return Effect(kind, code=value)
    if kind == "liability":
        if value not in LIABILITIES:
            raise RuleFileError(path, here, f"must be one of {', '.join(LIABILITIES)}")
        return Effect(kind, liability=value)
    if kind in ITEM_EFFECTS:
        if not isinstance(value, dict) or not {"code", "amount"} <= set(value):
            raise RuleFileError(path, here, f"a{'n' if kind == 'amount' else ''} {kind} has code and amount "
                                            "(recurring optional)")
        unknown = set(value) - {"code", "amount", "recurring", "payer"}
        if unknown:
            raise RuleFileError(path, f"{here}.{sorted(map(str, unknown))[0]}", "unknown key; use code, amount, "
                                                                                "recurring, payer")
        payer = value.get("payer")
        if payer is not None and payer not in (PAYERS if kind == "amount" else BENEFIT_PAYERS):
            raise RuleFileError(path, f"{here}.payer", f"an amount's payer is one of {', '.join(PAYERS)}; a "
                                                       f"benefit's payer is {', '.join(BENEFIT_PAYERS)} (a benefit "
                                                       "it owes of its own) or left out")
        code = value["code"]
        if not isinstance(code, str) or not RULE_ID.match(code) or "." in code:
            raise RuleFileError(path, f"{here}.code", "an item code is UPPER_CASE letters, digits and _")
        recurring = value.get("recurring")
        if recurring is not None and recurring not in RECURRING:
            raise RuleFileError(path, f"{here}.recurring", f"must be one of {', '.join(RECURRING)}")
        formula = compile_formula(path, f"{here}.amount", value["amount"], parameters)
        return Effect(kind, item=ItemSpec(code, formula, recurring, payer))
    if kind == "require":
        return Effect(kind, documents=_requirements(path, here, value, catalogue))
    raise RuleFileError(path, here, "unknown effect; use reject, refer, warn, info, liability, benefit, amount, "
                                    "require")


def _document(path: str, where: str, value: Any) -> str:
    if value not in DOCUMENTS:
        raise RuleFileError(path, where, f"unknown document {value!r}; the documents are {', '.join(DOCUMENTS)}")
    return str(value)


def _requirements(path: str, where: str, value: Any, catalogue: Mapping[str, ReasonCode]) -> tuple[Requirement, ...]:
    """``[kpj_card, {any_of: [police_report, witness_statements]}]`` as requirement tuples."""
    code = catalogue.get(DOCUMENTS_MISSING)
    if code is None or code.kind != "refer":
        raise RuleFileError(path, where, f"require needs the refer code {DOCUMENTS_MISSING} in {CATALOGUE_FILE}")
    if not isinstance(value, list) or not value:
        raise RuleFileError(path, where, "require is a non-empty list of documents or {any_of: [documents]}")
    out: list[Requirement] = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if isinstance(item, dict):
            if set(item) != {"any_of"} or not isinstance(item["any_of"], list) or len(item["any_of"]) < 2:
                raise RuleFileError(path, here, "a group is {any_of: [two or more documents]}")
            group = tuple(_document(path, f"{here}.any_of[{j}]", d) for j, d in enumerate(item["any_of"]))
            if len(set(group)) != len(group):
                raise RuleFileError(path, here, "a group names each document once")
            requirement: Requirement = group
        else:
            requirement = (_document(path, here, item),)
        if requirement in out:
            raise RuleFileError(path, here, f"{'|'.join(requirement)} is required twice")
        out.append(requirement)
    return tuple(out)


def _rule(path: str, position: int, raw: Any, catalogue: Mapping[str, ReasonCode],
          parameters: Parameters) -> Rule:
    at = key_path(position)
    if not isinstance(raw, dict):
        raise RuleFileError(path, at, "a rule is a mapping")
    unknown = set(raw) - RULE_KEYS
    if unknown:
        raise RuleFileError(path, f"{at}.{sorted(map(str, unknown))[0]}",
                            f"unknown key; a rule has {', '.join(sorted(RULE_KEYS))}")
    for key in ("id", "program", "title", "valid_from", "citation", "when", "then"):
        if key not in raw:
            raise RuleFileError(path, f"{at}.{key}", "missing")
    rule_id = raw["id"]
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise RuleFileError(path, f"{at}.id", "an id is UPPER_CASE parts joined by dots, e.g. JKK.EXPIRY.5Y")
    if raw["program"] not in PROGRAMS:
        raise RuleFileError(path, f"{at}.program", f"must be one of {', '.join(PROGRAMS)}")
    valid_from = _date(path, f"{at}.valid_from", raw["valid_from"])
    valid_to = _date(path, f"{at}.valid_to", raw["valid_to"]) if raw.get("valid_to") is not None else None
    if valid_to is not None and valid_to < valid_from:
        raise RuleFileError(path, f"{at}.valid_to", "ends before valid_from")
    when = parse_condition(path, raw["when"], [position, "when"], parameters.get)
    effects = raw["then"]
    if not isinstance(effects, list) or not effects:
        raise RuleFileError(path, f"{at}.then", "must be a non-empty list of effects")
    then = tuple(_effect(path, f"{at}.then[{i}]", e, catalogue, parameters) for i, e in enumerate(effects))
    rule = Rule(rule_id, raw["program"], _text(path, f"{at}.title", raw["title"]), valid_from, valid_to,
                _citation(path, f"{at}.citation", raw["citation"]), when, then, path, position,
                _text(path, f"{at}.description", raw.get("description"), required=False))
    _check_parameters_in_force(rule, parameters)
    return rule


def _check_parameters_in_force(rule: Rule, parameters: Parameters) -> None:
    """Every parameter a rule reads must have a value from the first day the rule is in force."""
    names = referenced(rule.when, "param")
    for effect in rule.then:
        if effect.item is not None:
            names |= effect.item.formula.params
    for name in sorted(names):
        if parameters[name].at(rule.valid_from) is None:
            raise RuleFileError(rule.path, f"[{rule.position}].valid_from",
                                f"parameter {name} has no value on {rule.valid_from}")


def _check_overlaps(rules: list[Rule]) -> None:
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for versions in by_id.values():
        versions.sort(key=lambda r: r.valid_from)
        for earlier, later in zip(versions, versions[1:], strict=False):
            if earlier.valid_to is None or later.valid_from <= earlier.valid_to:
                raise RuleFileError(
                    later.path, f"[{later.position}].valid_from",
                    f"rule {later.id} overlaps its version in {earlier.path} [{earlier.position}] "
                    f"(valid {earlier.valid_from} to {earlier.valid_to or 'open end'}); end that one first")


def load_files(files: Mapping[str, str]) -> LoadedFiles:
    """Parse and validate every file of a ruleset; the first problem raises RuleFileError."""
    parsed = {path: parse_yaml(path, text) for path, text in sorted(files.items())}
    if CATALOGUE_FILE not in parsed:
        raise RuleFileError(CATALOGUE_FILE, "", "missing: the reason-code catalogue is required")
    catalogue = parse_catalogue(CATALOGUE_FILE, parsed[CATALOGUE_FILE])
    # the engine itself refers a claim no rule of its programme matched, with this code
    if getattr(catalogue.get(NO_APPLICABLE_RULE), "kind", None) != "refer":
        raise RuleFileError(CATALOGUE_FILE, NO_APPLICABLE_RULE, "missing: the engine needs this refer code")
    found: dict[str, Parameter] = {}
    for path, data in parsed.items():
        if path.startswith(PARAMETER_DIR):
            for name, parameter in parse_parameter_file(path, data).items():
                if name in found:
                    raise RuleFileError(path, name, f"parameter also defined in {found[name].path}")
                found[name] = parameter
    parameters = Parameters(found)
    check_placeholders(CATALOGUE_FILE, catalogue, parameters)
    rules: list[Rule] = []
    for path, data in parsed.items():
        if path == CATALOGUE_FILE or path.startswith(PARAMETER_DIR):
            continue
        if not isinstance(data, list) or not data:
            raise RuleFileError(path, "(top)", "a rule file is a non-empty list of rules")
        rules.extend(_rule(path, i, raw, catalogue, parameters) for i, raw in enumerate(data))
    _check_overlaps(rules)
    rules.sort(key=lambda r: (PROGRAMS.index(r.program), r.path, r.position))
    return LoadedFiles(tuple(rules), parameters, catalogue, parsed)
