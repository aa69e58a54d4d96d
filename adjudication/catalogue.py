"""The closed catalogue of reason codes, each with an Indonesian and an English message.

A message may show a fact of the case (``{contribution_period_months}``) or a parameter's value on the event
date (``{jht.retirement_age}``), so a number the law sets is stated from the ruleset, never typed into the text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import RuleFileError
from .fact_catalogue import FACTS
from .labels import show, show_parameter

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
KINDS = ("reject", "refer", "warning", "info")
OUTCOMES = ("approved", "rejected", "referred")
KEYS = frozenset({"kind", "id", "en", "outcomes", "until"})
# values the decision itself supplies to messages, besides the facts of the case
DECISION_PLACEHOLDERS = frozenset({"documents_missing"})


@dataclass(frozen=True)
class ReasonCode:
    """A reason an officer reads: what kind of effect it explains and the message in both languages.

    ``outcomes`` are the outcomes a decision shows the reason with (a note on how benefits are paid would
    contradict a rejection); ``until`` names a date fact on which a rejection lapses (the claim can be filed
    again from that day: the decision's ``claimable_from``).
    """

    code: str
    kind: str
    message_id: str
    message_en: str
    outcomes: tuple[str, ...] = OUTCOMES
    until: str | None = None

    def render(self, facts: Mapping[str, Any], parameter: ParameterLookup | None = None) -> tuple[str, str]:
        """Both messages with ``{fact}`` placeholders filled from the case and ``{dotted.parameter}`` ones from
        ``parameter`` (name -> (value, unit) on the event date), each in its language's words (listed values by
        their labels, money as Rupiah, dates written out); anything unknown stays visible as written."""
        return _fill(self.message_id, facts, parameter, "id"), _fill(self.message_en, facts, parameter, "en")


ParameterLookup = Callable[[str], "tuple[Any, str] | None"]


class _Parameter:
    """One step of a dotted parameter name in a placeholder (``{jht.partial.min_membership_months}``)."""

    def __init__(self, name: str, parameter: ParameterLookup | None, lang: str):
        self.name, self.parameter, self.lang = name, parameter, lang

    def __getattr__(self, part: str) -> Any:
        name = f"{self.name}.{part}"
        found = self.parameter(name) if self.parameter else None
        if found is None:
            return _Parameter(name, self.parameter, self.lang)
        value, unit = found
        return show_parameter(name, value, unit, self.lang, units=False)

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"  # not a parameter (or none given): stays visible


class _Shown(dict[str, Any]):
    """Values as a message in one language shows them (``labels.show``), parameters reached by their dotted
    names."""

    def __init__(self, facts: Mapping[str, Any], parameter: ParameterLookup | None, lang: str):
        super().__init__(facts)
        self.parameter, self.lang = parameter, lang

    def __missing__(self, key: str) -> Any:
        return _Parameter(key, self.parameter, self.lang)

    def __getitem__(self, key: str) -> Any:
        if not super().__contains__(key):
            return self.__missing__(key)
        return show(key, super().__getitem__(key), self.lang, units=False)


def _fill(template: str, facts: Mapping[str, Any], parameter: ParameterLookup | None, lang: str) -> str:
    return template.format_map(_Shown(facts, parameter, lang)) if "{" in template else template


def check_placeholders(path: str, catalogue: Mapping[str, ReasonCode], parameters: Mapping[str, Any]) -> None:
    """Every placeholder names a fact, a value the decision supplies, or a parameter (refused otherwise)."""
    for code in catalogue.values():
        for key, template in (("id", code.message_id), ("en", code.message_en)):
            for field in _placeholders(template):
                if field not in FACTS and field not in DECISION_PLACEHOLDERS and field not in parameters:
                    raise RuleFileError(path, f"{code.code}.{key}",
                                        f"placeholder {{{field}}} is not a known fact or parameter")


def _placeholders(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def parse_catalogue(path: str, data: Any) -> dict[str, ReasonCode]:
    """Reason codes of the parsed ``reason_codes.yaml``."""
    if not isinstance(data, dict) or not data:
        raise RuleFileError(path, "(top)", "must map reason codes to {kind, id, en}")
    out: dict[str, ReasonCode] = {}
    for code, entry in data.items():
        if not isinstance(code, str) or not CODE.match(code):
            raise RuleFileError(path, str(code), "a reason code is UPPER_CASE letters, digits and _")
        if not isinstance(entry, dict):
            raise RuleFileError(path, code, "must be a mapping with kind, id and en")
        unknown = set(entry) - KEYS
        if unknown:
            raise RuleFileError(path, f"{code}.{sorted(map(str, unknown))[0]}",
                                "unknown key; use kind, id, en, outcomes, until")
        for key in ("kind", "id", "en"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RuleFileError(path, f"{code}.{key}", "missing or empty")
        if entry["kind"] not in KINDS:
            raise RuleFileError(path, f"{code}.kind", f"must be one of {', '.join(KINDS)}")
        for key in ("id", "en"):
            for field in _placeholders(entry[key]):
                if "." not in field and field not in FACTS and field not in DECISION_PLACEHOLDERS:
                    raise RuleFileError(path, f"{code}.{key}", f"placeholder {{{field}}} is not a known fact")
        outcomes = entry.get("outcomes", list(OUTCOMES))
        if not isinstance(outcomes, list) or not outcomes or not set(outcomes) <= set(OUTCOMES):
            raise RuleFileError(path, f"{code}.outcomes", f"a list of {', '.join(OUTCOMES)}")
        until = entry.get("until")
        if until is not None and (entry["kind"] != "reject" or getattr(FACTS.get(until), "kind", None) != "date"):
            raise RuleFileError(path, f"{code}.until", "a reject code may name a date fact on which it lapses")
        out[code] = ReasonCode(code, entry["kind"], entry["id"].strip(), entry["en"].strip(),
                               tuple(o for o in OUTCOMES if o in outcomes), until)
    return out
