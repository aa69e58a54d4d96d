"""What changed between two rulesets: rule versions and dated parameters added, removed or changed.

A rule version is identified by ``(id, valid_from)``: a provision amended from a later date is a new version
(added), and the version it replaces usually shows as changed (its ``valid_to`` was set). A rule version in both
rulesets changed when its program, title, validity end, citation, condition or effects differ; where its file
lives does not count. A parameter changed when a dated value was added or removed (by start date), a value or
its legal reference differ at the same start, or its description or unit differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .parameters import DatedValue, Parameter

if TYPE_CHECKING:
    from .ruleset import Ruleset

RULE_FIELDS = ("program", "title", "valid_to", "citation", "condition", "effects")
PARAMETER_FIELDS = ("description", "unit")


def _shown(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_shown(item) for item in value]
    return value if value is None or isinstance(value, int | str) else str(value)


def dated_value_view(value: DatedValue) -> dict[str, Any]:
    """A dated value as JSON: integers as numbers, fractions (``3/10``) and dates as text, lists as lists."""
    return {"start": value.start.isoformat(), "value": _shown(value.value), "reference": value.reference}


def parameter_view(parameter: Parameter) -> dict[str, Any]:
    """A parameter with every dated value, as JSON."""
    return {"name": parameter.name, "description": parameter.description, "unit": parameter.unit,
            "file": parameter.path, "values": [dated_value_view(v) for v in parameter.values]}


def _changes(old: Mapping[str, Any], new: Mapping[str, Any], names: Iterable[str]) -> list[dict[str, Any]]:
    return [{"field": name, "old": old.get(name), "new": new.get(name)} for name in names
            if old.get(name) != new.get(name)]


def _parameter_change(old: Parameter, new: Parameter) -> dict[str, Any] | None:
    before = {v["start"]: v for v in map(dated_value_view, old.values)}
    after = {v["start"]: v for v in map(dated_value_view, new.values)}
    changed = [{"start": start, "changes": found} for start in after if start in before
               if (found := _changes(before[start], after[start], ("value", "reference")))]
    change = {"name": new.name,
              "added": [v for start, v in after.items() if start not in before],
              "removed": [v for start, v in before.items() if start not in after],
              "changed": changed,
              "changes": _changes(parameter_view(old), parameter_view(new), PARAMETER_FIELDS)}
    return change if any(change[k] for k in ("added", "removed", "changed", "changes")) else None


def diff(old: Ruleset, new: Ruleset) -> dict[str, Any]:
    """Rule versions and parameters added, removed or changed from ``old`` to ``new`` (rules in firing order)."""
    before = {(r["id"], r["valid_from"]): r for r in old.describe()}
    after = {(r["id"], r["valid_from"]): r for r in new.describe()}
    rules = {
        "added": [rule for key, rule in after.items() if key not in before],
        "removed": [rule for key, rule in before.items() if key not in after],
        "changed": [{"id": key[0], "valid_from": key[1], "changes": found} for key, rule in after.items()
                    if key in before and (found := _changes(before[key], rule, RULE_FIELDS))],
    }
    names_old, names_new = set(old.parameters), set(new.parameters)
    changed = (_parameter_change(old.parameters[n], new.parameters[n]) for n in sorted(names_old & names_new))
    parameters = {
        "added": [parameter_view(new.parameters[n]) for n in sorted(names_new - names_old)],
        "removed": [parameter_view(old.parameters[n]) for n in sorted(names_old - names_new)],
        "changed": [change for change in changed if change is not None],
    }
    identical = not any((*rules.values(), *parameters.values()))
    return {"from": old.version, "to": new.version, "identical": identical, "rules": rules,
            "parameters": parameters}
