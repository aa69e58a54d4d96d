"""Pure adjudication engine: rule files in, decisions out; imports neither flask nor sqlalchemy."""

from .decision import Decision, Item, Reason
from .errors import AdjudicationError, EvaluationError, FactError, RuleFileError, RulesetError
from .ruleset import Ruleset, load_ruleset, load_ruleset_from_files
from .tracer import ListTracer, Tracer

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
