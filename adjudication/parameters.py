"""Dated parameters in the OpenFisca manner: each value has a start date and its legal reference.

File ``rules/parameters/jkk.yaml`` with nested keys ``death: {multiplier: {values: ...}}`` defines the
parameter ``jkk.death.multiplier``. A node with ``values`` is a parameter; any other node groups children.
A value is a number, a date, null (not in force), or an ordered list of numbers or of names (tier bounds and
rates, termin shares, the order of heirs); one parameter's values are all of one of these kinds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from .errors import MissingParameterError, RuleFileError
from .fact_catalogue import parse_date
from .yamlfile import key_path

Scalar = int | Fraction | dt.date
Value = Scalar | tuple[int | Fraction, ...] | tuple[str, ...] | None
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARAMETER_KEYS = frozenset({"description", "unit", "values", "note"})
VALUE_KEYS = frozenset({"value", "reference"})

T = TypeVar("T")


@dataclass(frozen=True)
class DatedValue:
    """One value of a parameter, in force from ``start`` until the next value's start."""

    start: dt.date
    value: Value
    reference: str


@dataclass(frozen=True)
class Parameter:
    """A named amount, rate or limit whose value changes over time."""

    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]  # sorted by start
    path: str

    def at(self, on: dt.date) -> DatedValue | None:
        """The value in force on ``on`` (the one with the latest start on or before it), or None before the first
        start."""
        index = bisect.bisect_right(self.starts, on)
        return self.values[index - 1] if index else None

    @functools.cached_property
    def starts(self) -> tuple[dt.date, ...]:
        """The values' start dates, in order (what ``at`` searches)."""
        return tuple(v.start for v in self.values)

    @property
    def kind(self) -> str:
        """What its values are: ``number``, ``date``, ``numbers`` or ``names`` (lists), or ``none`` if all null."""
        return next((_kind(v.value) for v in self.values if v.value is not None), "none")


class Parameters(Mapping[str, Parameter]):
    """All parameters of a ruleset by dotted name."""

    def __init__(self, parameters: Mapping[str, Parameter]):
        self._by_name = dict(parameters)
        # results derived from these parameters alone (e.g. due dates per month), kept for the ruleset's life
        self.memo: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Parameter:
        return self._by_name[name]

    def per_day(self, key: str, on: dt.date, build: Callable[[], T]) -> T:
        """``build()``, kept in the memo under ``key`` for the day ``on``: a value in force on a day that a log of
        decisions asks for over and over (the caller must not change it)."""
        memo: dict[dt.date, T] = self.memo.setdefault(key, {})
        if on not in memo:
            memo[on] = build()
        return memo[on]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def value(self, name: str, on: dt.date) -> Value:
        """The value of ``name`` in force on ``on`` (None when not in force); a name the ruleset does not define
        raises MissingParameterError."""
        parameter = self._by_name.get(name)
        if parameter is None:
            raise MissingParameterError(f"the ruleset has no parameter {name}")
        dated = parameter.at(on)
        return dated.value if dated is not None else None


def _kind(value: Value) -> str:
    if isinstance(value, tuple):
        return "names" if value and isinstance(value[0], str) else "numbers"
    return "date" if isinstance(value, dt.date) else "number"


def _value(path: str, key: str, raw: Any) -> Value:
    """A parameter value: a scalar, or a list of numbers or of names (all items of one kind)."""
    if not isinstance(raw, list):
        return _number(path, key, raw)
    if not raw:
        raise RuleFileError(path, key, "a list value needs at least one item")
    if all(isinstance(item, str) and NAME.match(item) for item in raw):
        return tuple(raw)
    items = tuple(_number(path, f"{key}[{i}]", item) for i, item in enumerate(raw))
    if any(item is None or isinstance(item, dt.date) for item in items):
        raise RuleFileError(path, key, "a list value holds numbers or names (lower case), not dates or nulls")
    return items  # type: ignore[return-value]


def _number(path: str, key: str, raw: Any) -> Scalar | None:
    if raw is None:
        return None
    if isinstance(raw, str) and DATE.match(raw):
        day = parse_date(raw)
        if day is None:
            raise RuleFileError(path, key, f"{raw!r} is not a real date")
        return day
    if isinstance(raw, bool):
        raise RuleFileError(path, key, "a parameter value is a number, a date or null, not true/false")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        # via the decimal text: 0.0024 must stay exactly 24/10000, never a binary approximation
        return Fraction(repr(raw))
    if isinstance(raw, str):
        try:
            return Fraction(raw)
        except ValueError:
            pass
    raise RuleFileError(path, key, f"a parameter value is a number, a date, null or a list, got {raw!r}")


def _parameter(path: str, name: str, node: dict[Any, Any], where: list[str | int]) -> Parameter:
    unknown = set(node) - PARAMETER_KEYS
    if unknown:
        raise RuleFileError(path, key_path(*where, sorted(map(str, unknown))[0]),
                            f"unknown key; a parameter allows {', '.join(sorted(PARAMETER_KEYS))}")
    raw_values = node["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise RuleFileError(path, key_path(*where, "values"), "must map start dates to {value, reference}")
    values = []
    for start, entry in raw_values.items():
        here = key_path(*where, "values", str(start))
        day = parse_date(start)
        if day is None:
            raise RuleFileError(path, here, "a start must be a date YYYY-MM-DD")
        if not isinstance(entry, dict):
            raise RuleFileError(path, here, "must be a mapping with value and reference")
        unknown = set(entry) - VALUE_KEYS
        if unknown:
            raise RuleFileError(path, f"{here}.{sorted(map(str, unknown))[0]}", "unknown key; use value, reference")
        if "value" not in entry:
            raise RuleFileError(path, f"{here}.value", "missing")
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise RuleFileError(path, f"{here}.reference", "every value needs its legal reference")
        values.append(DatedValue(day, _value(path, f"{here}.value", entry["value"]), reference.strip()))
    values.sort(key=lambda v: v.start)
    kinds = {_kind(v.value) for v in values if v.value is not None}
    if len(kinds) > 1:
        raise RuleFileError(path, key_path(*where, "values"), f"mixes {' and '.join(sorted(kinds))}")
    description = node.get("description", "")
    unit = node.get("unit", "")
    if not isinstance(description, str) or not isinstance(unit, str):
        raise RuleFileError(path, key_path(*where), "description and unit are text")
    return Parameter(name, description, unit, tuple(values), path)


def _walk(path: str, prefix: str, node: Any, where: list[str | int], out: dict[str, Parameter]) -> None:
    if not isinstance(node, dict):
        raise RuleFileError(path, key_path(*where) or "(top)", "must be a mapping")
    if "values" in node:
        out[prefix] = _parameter(path, prefix, node, where)
        return
    for key, child in node.items():
        if key in ("description", "note"):
            if not isinstance(child, str):
                raise RuleFileError(path, key_path(*where, str(key)), "must be text")
            continue
        if not isinstance(key, str) or not NAME.match(key):
            raise RuleFileError(path, key_path(*where, str(key)),
                                "a parameter name is lower case letters, digits and _")
        _walk(path, f"{prefix}.{key}", child, [*where, key], out)


def parse_parameter_file(path: str, data: Any) -> dict[str, Parameter]:
    """Parameters of one parsed file; the file name (without .yaml) is the first part of each name."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if not NAME.match(stem):
        raise RuleFileError(path, "", "a parameter file name is lower case letters, digits and _")
    out: dict[str, Parameter] = {}
    _walk(path, stem, data, [], out)
    return out
