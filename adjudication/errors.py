"""Errors of the pure adjudication engine; the API layer maps them to HTTP or start-up failures.

    AdjudicationError                 base of everything this package raises on purpose
    ├── RuleFileError                 a rule, parameter or reason-code file is malformed (names file and key)
    ├── RulesetError                  the files are each valid but together cannot be compiled safely
    └── EvaluationError               one evaluation failed (an action raised, the engine gave up)
        ├── FactError                 the facts handed to ``Ruleset.evaluate`` are unknown or mistyped
        └── MissingParameterError     the derivation reads a parameter the ruleset does not define
"""

from __future__ import annotations


class AdjudicationError(Exception):
    """Base class of the engine's errors."""


class RuleFileError(AdjudicationError):
    """A rule file is malformed; ``str()`` names the file and the key so an analyst can fix it."""

    def __init__(self, path: str, key: str, message: str):
        self.path = path
        self.key = key
        self.message = message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


class RulesetError(AdjudicationError):
    """The rule files cannot be compiled together (too large, too many alternatives in one part)."""


class EvaluationError(AdjudicationError):
    """An evaluation could not produce a decision."""


class FactError(EvaluationError):
    """A fact is unknown to the catalogue or has the wrong type; the caller's bug, never the case's."""


class MissingParameterError(EvaluationError):
    """The fact derivation reads a parameter this ruleset does not have (a ruleset written before it existed)."""
