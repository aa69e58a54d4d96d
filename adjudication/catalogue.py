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

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
KINDS = ("reject", "refer", "warning", "info")
KEYS = frozenset({"kind", "id", "en"})
# values the decision itself supplies to messages, besides the facts of the case
DECISION_PLACEHOLDERS = frozenset({"documents_missing"})


@dataclass(frozen=True)
class ReasonCode:
    """A reason an officer reads: what kind of effect it explains and the message in both languages."""

    code: str
    kind: str
    message_id: str
    message_en: str

    def render(self, facts: Mapping[str, Any], parameter: ParameterLookup | None = None) -> tuple[str, str]:
        """Both messages with ``{fact}`` placeholders filled from the case and ``{dotted.parameter}`` ones from
        ``parameter`` (name -> (value, unit) on the event date); anything unknown stays visible as written."""
        return (_fill(self.message_id, facts, parameter, "."), _fill(self.message_en, facts, parameter, ","))


ParameterLookup = Callable[[str], "tuple[Any, str] | None"]


def _shown(value: Any, money: bool, thousands: str) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if money and isinstance(value, int):
        return "Rp" + f"{value:,}".replace(",", thousands)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "denominator") and value.denominator != 1:
        return f"{float(value):g}"
    return value


class _Parameter:
    """One step of a dotted parameter name in a placeholder (``{jht.partial.min_membership_months}``)."""

    def __init__(self, name: str, parameter: ParameterLookup | None, thousands: str):
        self.name, self.parameter, self.thousands = name, parameter, thousands

    def __getattr__(self, part: str) -> Any:
        name = f"{self.name}.{part}"
        found = self.parameter(name) if self.parameter else None
        if found is None:
            return _Parameter(name, self.parameter, self.thousands)
        value, unit = found
        return _shown(value, unit.lower() == "rupiah", self.thousands)

    def __format__(self, spec: str) -> str:
        return "{" + self.name + "}"  # not a parameter (or none given): stays visible


class _Shown(dict[str, Any]):
    """Values as a message shows them: lists joined, money as Rupiah with the language's separator, parameters
    reached by their dotted names."""

    def __init__(self, facts: Mapping[str, Any], parameter: ParameterLookup | None, thousands: str):
        super().__init__(facts)
        self.parameter, self.thousands = parameter, thousands

    def __missing__(self, key: str) -> Any:
        return _Parameter(key, self.parameter, self.thousands)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, _Parameter):
            return value
        ftype = FACTS.get(key)
        return _shown(value, ftype is not None and ftype.unit == "rupiah", self.thousands)


def _fill(template: str, facts: Mapping[str, Any], parameter: ParameterLookup | None, thousands: str) -> str:
    return template.format_map(_Shown(facts, parameter, thousands)) if "{" in template else template


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
            raise RuleFileError(path, f"{code}.{sorted(map(str, unknown))[0]}", "unknown key; use kind, id, en")
        for key in ("kind", "id", "en"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RuleFileError(path, f"{code}.{key}", "missing or empty")
        if entry["kind"] not in KINDS:
            raise RuleFileError(path, f"{code}.kind", f"must be one of {', '.join(KINDS)}")
        for key in ("id", "en"):
            for field in _placeholders(entry[key]):
                if "." not in field and field not in FACTS and field not in DECISION_PLACEHOLDERS:
                    raise RuleFileError(path, f"{code}.{key}", f"placeholder {{{field}}} is not a known fact")
        out[code] = ReasonCode(code, entry["kind"], entry["id"].strip(), entry["en"].strip())
    return out
