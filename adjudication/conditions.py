"""The condition language of rule files, parsed into a small tree with every ``not`` pushed down.

Shapes (YAML)::

    {all: [c, ...]}  {any: [c, ...]}  {not: c}
    {fact: NAME, is|eq|ne|lt|lte|gt|gte: OPERAND}     OPERAND: literal | {param: P} | {fact: F, plus|minus: N}
    {fact: NAME, in|not_in: [literal, ...]}   {fact: NAME, present: true|false}   {fact: NAME, absent: true}
    {fact: LIST, contains: value | [value, ...]}      (any of the values)

Missing facts: a comparison (including ``ne`` and ``not_in``) about a fact the case lacks is never met,
negated or not; only ``present``/``absent`` test for a missing fact. This is durable_rules' own behaviour for
literals (``$neq`` and ``$lt`` do not match a missing property) made uniform: the compiler guards every
fact-to-fact and fact-to-parameter comparison with an existence test, because there durable would match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import RuleFileError
from .fact_catalogue import FACTS, FactType, parse_date
from .parameters import Parameter
from .yamlfile import key_path

NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "gt": "lte", "lte": "gt", "in": "not_in",
           "not_in": "in"}
ALIASES = {"is": "eq", "is_not": "ne"}
ORDERED = ("lt", "lte", "gt", "gte")


@dataclass(frozen=True)
class Ref:
    """A fact or parameter on the right of a comparison, optionally plus a number (days for dates)."""

    kind: str  # "fact" | "param"
    name: str
    offset: int | Ref | None = None
    sign: int = 1


@dataclass(frozen=True)
class Compare:
    """``fact op operand``; for ``in``/``not_in`` the operand is a tuple of literals."""

    fact: str
    op: str
    operand: Any


@dataclass(frozen=True)
class Presence:
    """The case has (or lacks) the fact."""

    fact: str
    present: bool


@dataclass(frozen=True)
class Contains:
    """A list fact contains one of ``values`` (or, negated, none of them)."""

    fact: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class All:
    """Every item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Condition, ...]


Condition = Compare | Presence | Contains | All | AnyOf


def alternatives(cond: Condition) -> int:
    """How many alternative match paths (DNF terms) the engine builds for ``cond``; bounds its work."""
    if isinstance(cond, All):
        total = 1
        for item in cond.items:
            total *= alternatives(item)
        return total
    if isinstance(cond, AnyOf):
        return sum(alternatives(item) for item in cond.items)
    if isinstance(cond, Compare) and cond.op == "in":
        # an enum is compiled as "present and none of the other values": one path (compiler._compare)
        return 1 if FACTS[cond.fact].kind == "enum" else len(cond.operand)
    if isinstance(cond, Contains):
        return 2 if cond.negated else len(cond.values)
    return 1


def referenced(cond: Condition, kind: str) -> set[str]:
    """Names of the facts (``kind='fact'``) or parameters (``'param'``) a condition reads."""
    out: set[str] = set()

    def ref(operand: Any) -> None:
        if isinstance(operand, Ref):
            if operand.kind == kind:
                out.add(operand.name)
            ref(operand.offset)

    def walk(node: Condition) -> None:
        if isinstance(node, All | AnyOf):
            for item in node.items:
                walk(item)
            return
        if kind == "fact":
            out.add(node.fact)
        if isinstance(node, Compare):
            ref(node.operand)

    walk(cond)
    return out


SYMBOLS = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "in", "not_in": "not in"}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _operand(operand: Any, fact: str) -> str:
    if isinstance(operand, tuple):
        return "[" + ", ".join(_literal(v) for v in operand) + "]"
    if not isinstance(operand, Ref):
        return _literal(operand)
    name = f"parameter {operand.name}" if operand.kind == "param" else operand.name
    if operand.offset is None:
        return name
    days = "" if FACTS[fact].kind != "date" else " day" if operand.offset == 1 else " days"
    return f"{name} {'+' if operand.sign > 0 else '-'} {_operand(operand.offset, fact)}{days}"


def text(cond: Condition) -> str:
    """A condition as an auditor reads it, e.g. ``claim_type = JKK and (kind = commute or flags contains fight)``.

    It is the parsed condition, with every ``not`` pushed down (``not x > 5`` reads ``x <= 5``).
    """
    if isinstance(cond, All | AnyOf):
        joiner = " and " if isinstance(cond, All) else " or "
        return joiner.join(f"({text(item)})" if isinstance(item, All | AnyOf) else text(item) for item in cond.items)
    if isinstance(cond, Presence):
        return f"{cond.fact} is {'present' if cond.present else 'absent'}"
    if isinstance(cond, Contains):
        listed = _operand(cond.values, cond.fact)
        if len(cond.values) == 1:
            return f"{cond.fact} {'does not contain' if cond.negated else 'contains'} {listed[1:-1]}"
        return f"{cond.fact} contains {'none' if cond.negated else 'any'} of {listed}"
    return f"{cond.fact} {SYMBOLS[cond.op]} {_operand(cond.operand, cond.fact)}"


ParamLookup = Callable[[str], Parameter | None]


class _Parser:
    def __init__(self, path: str, params: ParamLookup):
        self.path = path
        self.params = params

    def fail(self, where: list[str | int], message: str) -> RuleFileError:
        return RuleFileError(self.path, key_path(*where), message)

    def parse(self, node: Any, where: list[str | int], negate: bool = False) -> Condition:
        if not isinstance(node, dict) or not node:
            raise self.fail(where, "a condition is a mapping: all, any, not, or fact with an operator")
        if "fact" not in node:
            if len(node) != 1:
                raise self.fail(where, f"give exactly one of all, any, not; got {', '.join(map(str, node))}")
            (key, value), = node.items()
            if key == "not":
                return self.parse(value, [*where, "not"], not negate)
            if key not in ("all", "any"):
                raise self.fail([*where, str(key)], "unknown key; a condition is all, any, not or fact")
            if not isinstance(value, list) or not value:
                raise self.fail([*where, key], "must be a non-empty list of conditions")
            items = tuple(self.parse(item, [*where, key, i], negate) for i, item in enumerate(value))
            conjunction = (key == "all") != negate  # De Morgan: not(all) = any(not ...)
            if len(items) == 1:
                return items[0]
            return All(items) if conjunction else AnyOf(items)
        return self.comparison(node, where, negate)

    def comparison(self, node: dict[Any, Any], where: list[str | int], negate: bool) -> Condition:
        name = node["fact"]
        ftype = FACTS.get(name) if isinstance(name, str) else None
        if ftype is None:
            raise self.fail([*where, "fact"], f"unknown fact {name!r}")
        ops = [k for k in node if k != "fact"]
        if len(ops) != 1:
            raise self.fail(where, "give exactly one operator with the fact")
        op = ops[0]
        value = node[op]
        here = [*where, str(op)]
        if op in ("present", "absent"):
            if not isinstance(value, bool):
                raise self.fail(here, "must be true or false")
            return Presence(name, (value == (op == "present")) != negate)
        if op == "contains":
            if ftype.kind != "list":
                raise self.fail(here, f"contains needs a list fact; {name} is {ftype}")
            values = tuple(value) if isinstance(value, list) else (value,)
            for item in values:
                self.check_member(ftype, item, here)
            return Contains(name, values, negate)
        op = ALIASES.get(op, op)
        if op not in NEGATED:
            raise self.fail(here, "unknown operator; use is, ne, lt, lte, gt, gte, in, not_in, present, "
                                  "absent, contains")
        if ftype.kind == "list":
            raise self.fail(here, f"{name} is a list: use contains, present or absent")
        if negate:
            op = NEGATED[op]
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise self.fail(here, "must be a non-empty list")
            return Compare(name, op, tuple(self.literal(ftype, v, here) for v in value))
        if op in ORDERED and ftype.kind not in ("int", "date"):
            raise self.fail(here, f"{name} is {ftype}: only is, ne, in, not_in apply")
        if isinstance(value, dict):
            return Compare(name, op, self.reference(ftype, value, here))
        return Compare(name, op, self.literal(ftype, value, here))

    def check_member(self, ftype: FactType, item: Any, where: list[str | int]) -> None:
        if not isinstance(item, str) or (ftype.values and item not in ftype.values):
            raise self.fail(where, f"{item!r} is not one of {', '.join(ftype.values)}")

    def literal(self, ftype: FactType, value: Any, where: list[str | int]) -> Any:
        kind = ftype.kind
        if kind == "date":
            day = parse_date(value)
            if day is None:
                raise self.fail(where, f"{value!r} is not a date YYYY-MM-DD")
            return day
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(where, f"{value!r} is not a whole number")
        if kind == "bool" and not isinstance(value, bool):
            raise self.fail(where, f"{value!r} is not true or false")
        if kind in ("str", "enum"):
            self.check_member(ftype, value, where)
        return value

    def reference(self, ftype: FactType, value: dict[Any, Any], where: list[str | int]) -> Ref:
        if set(value) == {"param"}:
            return self.param(ftype.kind, value["param"], [*where, "param"])
        keys = set(value) - {"fact"}
        if "fact" not in value or len(keys) > 1 or keys - {"plus", "minus"}:
            raise self.fail(where, "an operand is a literal, {param: NAME} or {fact: NAME} with optional "
                                   "plus or minus")
        other = FACTS.get(value["fact"]) if isinstance(value["fact"], str) else None
        if other is None:
            raise self.fail([*where, "fact"], f"unknown fact {value['fact']!r}")
        if other.kind != ftype.kind or ftype.kind not in ("int", "date"):
            raise self.fail([*where, "fact"], f"cannot compare {ftype} with {other}")
        if not keys:
            return Ref("fact", value["fact"])
        key = keys.pop()
        offset = value[key]
        if isinstance(offset, dict):
            offset_ref: int | Ref = self.param("int", offset.get("param"), [*where, key, "param"])
            if set(offset) != {"param"}:
                raise self.fail([*where, key], "plus/minus is a whole number or {param: NAME}")
        elif isinstance(offset, int) and not isinstance(offset, bool):
            offset_ref = offset
        else:
            raise self.fail([*where, key], "plus/minus is a whole number (days for dates) or {param: NAME}")
        return Ref("fact", value["fact"], offset_ref, 1 if key == "plus" else -1)

    def param(self, kind: str, name: Any, where: list[str | int]) -> Ref:
        parameter = self.params(name) if isinstance(name, str) else None
        if parameter is None:
            raise self.fail(where, f"unknown parameter {name!r}")
        if parameter.kind not in ("number", "date", "none"):
            raise self.fail(where, f"parameter {name} holds {parameter.kind}; a condition compares one value")
        is_date = parameter.kind == "date"
        if is_date != (kind == "date"):
            raise self.fail(where, f"parameter {name} holds {'dates' if is_date else 'numbers'}, the fact is {kind}")
        return Ref("param", name)


def parse_condition(path: str, node: Any, where: list[str | int], params: ParamLookup) -> Condition:
    """Parse and type-check a ``when`` block against the fact catalogue and the parameters."""
    return _Parser(path, params).parse(node, where)
