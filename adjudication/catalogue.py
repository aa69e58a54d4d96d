"""The closed catalogue of reason codes, each with an Indonesian and an English message."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
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

    def render(self, facts: Mapping[str, Any]) -> tuple[str, str]:
        """Both messages with ``{fact}`` placeholders filled from the case (missing facts stay visible)."""
        return _fill(self.message_id, facts, "."), _fill(self.message_en, facts, ",")


class _Shown(dict[str, Any]):
    """Fact values as a message shows them: lists joined, money as Rupiah with the language's separator."""

    def __init__(self, facts: Mapping[str, Any], thousands: str):
        super().__init__(facts)
        self.thousands = thousands

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, list | tuple):
            return ", ".join(map(str, value))
        ftype = FACTS.get(key)
        if ftype is not None and ftype.unit == "rupiah" and isinstance(value, int):
            return "Rp" + f"{value:,}".replace(",", self.thousands)
        return value


def _fill(template: str, facts: Mapping[str, Any], thousands: str) -> str:
    return template.format_map(_Shown(facts, thousands)) if "{" in template else template


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
                if field not in FACTS and field not in DECISION_PLACEHOLDERS:
                    raise RuleFileError(path, f"{code}.{key}", f"placeholder {{{field}}} is not a known fact")
        out[code] = ReasonCode(code, entry["kind"], entry["id"].strip(), entry["en"].strip())
    return out
