"""Pure adjudication engine: rule files in, decisions out; imports neither flask nor sqlalchemy.

The names below are imported on first use (PEP 562), not when the package is: the offline verifier
(``python -m adjudication.verify``) must load only the standard library, ``cryptography`` and ``chain``, never
the durable_rules engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .decision import Decision, Item, Reason
    from .errors import AdjudicationError, EvaluationError, FactError, RuleFileError, RulesetError
    from .ruleset import Ruleset, load_ruleset, load_ruleset_from_files
    from .tracer import ListTracer, Tracer

_HOMES = {
    "Decision": "decision", "Item": "decision", "Reason": "decision",
    "AdjudicationError": "errors", "EvaluationError": "errors", "FactError": "errors", "RuleFileError": "errors",
    "RulesetError": "errors",
    "Ruleset": "ruleset", "load_ruleset": "ruleset", "load_ruleset_from_files": "ruleset",
    "ListTracer": "tracer", "Tracer": "tracer",
}

__all__ = [
    "AdjudicationError",
    "Decision",
    "EvaluationError",
    "FactError",
    "Item",
    "ListTracer",
    "Reason",
    "RuleFileError",
    "Ruleset",
    "RulesetError",
    "Tracer",
    "load_ruleset",
    "load_ruleset_from_files",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next look-up is a plain module attribute
    return value
