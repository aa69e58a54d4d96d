"""Which dated parameters the rule cases exercise: change one, decide every case again, see whether any differs.

A parameter is exercised when some case decides differently (outcome, liability, an amount, a reason, a rule
fired, a paper, or a derived fact) under a ruleset where only that parameter's values were changed. A parameter
no case exercises is a law the tests do not hold: ``rules check`` lists it.

The change per kind of value: a whole number plus one, a fraction doubled (zero becomes one), a date one day
later, a list of numbers doubled item by item, a list of names without its first name and, tried separately,
without its last (a list of one name: an unknown name in its place). Every dated value of the parameter changes
at once; null values stay null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import yaml

from .errors import AdjudicationError
from .ruleset import Ruleset
from .yamlfile import parse_yaml

UNKNOWN_NAME = "not_a_listed_name"


def _doubled(value: int | float) -> int | float:
    if isinstance(value, float):
        doubled = Fraction(repr(value)) * 2
        return float(doubled) if doubled else 1
    return value * 2 if value else 1


def changed_value(value: Any) -> Any:
    """The changed form of one parameter value as YAML holds it (dates are ISO text there)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a parameter value is never true/false")
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return _doubled(value)
    if isinstance(value, str):
        return (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value[1:] if len(value) > 1 else [UNKNOWN_NAME]
    if isinstance(value, tuple):  # ("last", names): the other change of a list of names
        return value[1][:-1] if len(value[1]) > 1 else [UNKNOWN_NAME]
    if isinstance(value, list):
        return [_doubled(v) for v in value]
    raise ValueError(f"cannot change a parameter value {value!r}")


def changed_files(files: Mapping[str, str], name: str, path: str, last: bool = False) -> dict[str, str]:
    """The ruleset's files with every dated value of parameter ``name`` (defined in ``path``) changed; with
    ``last``, lists of names lose their last name instead of their first."""
    data = parse_yaml(path, files[path])
    node = data
    for part in name.split(".")[1:]:
        node = node[part]
    for entry in node["values"].values():
        value = entry["value"]
        names = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        entry["value"] = changed_value(("last", value) if last and names else value)
    return {**files, path: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)}


def signature(ruleset: Ruleset, kind: str | None, inputs: Mapping[str, Any] | None,
              facts: Mapping[str, Any]) -> Any:
    """What a case decides, without wording: compared before and after a parameter changes."""
    try:
        decision = ruleset.decide(kind, inputs) if kind and inputs is not None else ruleset.evaluate(facts)
    except AdjudicationError as error:
        return ("error", type(error).__name__)
    result = decision.to_dict()
    del result["ruleset_version"]
    for reason in result["reasons"]:
        reason.pop("message", None)
        reason.pop("message_id", None)
    return result, dict(decision.facts)


def unexercised(ruleset: Ruleset, cases: Sequence[Any], names: Sequence[str] | None = None) -> list[str]:
    """Parameters of ``ruleset`` (all, or those in ``names``) that no case (``check.Case``) decides differently
    when they change."""
    before = [signature(ruleset, c.kind, c.inputs, c.facts) for c in cases]
    missing = []
    for name in sorted(names if names is not None else ruleset.parameters):
        parameter = ruleset.parameters[name]
        if parameter.kind == "none":
            continue
        if not any(_changes_a_case(ruleset, name, parameter.path, last, cases, before)
                   for last in ((False, True) if parameter.kind == "names" else (False,))):
            missing.append(name)
    return missing


def _changes_a_case(ruleset: Ruleset, name: str, path: str, last: bool, cases: Sequence[Any],
                    before: Sequence[Any]) -> bool:
    try:
        changed = Ruleset(changed_files(ruleset.files, name, path, last))
    except AdjudicationError:
        return True  # the change alone breaks the ruleset: its rules read the parameter at load
    return any(signature(changed, c.kind, c.inputs, c.facts) != old for c, old in zip(cases, before, strict=True))
