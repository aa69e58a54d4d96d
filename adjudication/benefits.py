"""Amount formulas (benefits and stated amounts): small whitelisted expressions over facts and dated parameters.

``max(jkk.death.multiplier * wage, jkk.death.minimum)``: dotted names are parameters (taken at the event
date), plain names are integer facts. Only numbers, ``+ - * /``, unary minus, ``min``, ``max``,
``marginal(value, BOUNDS, RATES)`` and ``at(LIST, n)`` are allowed; ``marginal`` takes marginal tiers from two
list parameters (``contributions.marginal``), ``at`` the n-th number (from 1) of a list parameter, e.g. the JKK
rate of a risk class. Arithmetic is exact (Fraction); the amount is rounded down to whole Rupiah once,
at the end. The basis shows the formula with the values put in: ``max(48 x 400000, 20000000)``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .contributions import marginal
from .errors import EvaluationError, RuleFileError
from .fact_catalogue import FACTS
from .parameters import Parameters

Number = int | Fraction
_OPS: dict[type[ast.operator], tuple[str, int, Callable[[Number, Number], Number]]] = {
    ast.Add: ("+", 1, lambda a, b: a + b),
    ast.Sub: ("-", 1, lambda a, b: a - b),
    ast.Mult: ("x", 2, lambda a, b: a * b),
    ast.Div: ("/", 2, lambda a, b: Fraction(a) / b),
}
_FUNCS = {"min": min, "max": max}

# an evaluator returns (value, basis text, precedence of its top operator; 3 = atom)
Evaluator = Callable[[Mapping[str, Any], Callable[[str], Any]], tuple[Number, str, int]]


def format_number(value: Number) -> str:
    """Show an exact number the way the law writes it: 48, 0.0024, or 1/3 when no decimal is exact."""
    if isinstance(value, int) or value.denominator == 1:
        return str(int(value))
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(int(scaled))).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


@dataclass(frozen=True)
class Formula:
    """A compiled benefit formula and the names it reads."""

    text: str
    facts: frozenset[str]
    params: frozenset[str]
    evaluate: Evaluator
    tree: ast.expr | None = None  # the checked expression, for the basis in words (adjudication.basis)

    def amount(self, facts: Mapping[str, Any], param: Callable[[str], Any]) -> tuple[int, str]:
        """Whole-Rupiah amount (rounded down) and its basis for one case."""
        value, basis, _ = self.evaluate(facts, param)
        return math.floor(value), basis


def dotted(node: ast.expr) -> str | None:
    """The dotted name an expression node spells (``jkk.death.multiplier``), or None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def compile_formula(path: str, key: str, text: Any, parameters: Parameters) -> Formula:
    """Parse and check a formula; unknown names or constructs are a RuleFileError naming the key."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        raise RuleFileError(path, key, "an amount is a formula such as 'max(jkk.death.multiplier * wage, ...)'")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleFileError(path, key, f"formula does not parse: {exc.msg}") from exc
    facts: set[str] = set()
    params: set[str] = set()

    def build(node: ast.expr) -> Evaluator:
        name = dotted(node)
        if name is not None:
            return name_ref(name)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
                and not isinstance(node.value, bool):
            number: Number = Fraction(repr(node.value)) if isinstance(node.value, float) else node.value
            text_value = format_number(number)
            return lambda f, p: (number, text_value, 3)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            symbol, prec, apply = _OPS[type(node.op)]
            left, right = build(node.left), build(node.right)

            def binop(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
                lv, lt, lp = left(f, p)
                rv, rt, rp = right(f, p)
                if isinstance(node.op, ast.Div) and rv == 0:
                    raise EvaluationError(f"{path}: {key}: division by zero in {text}")
                lt = f"({lt})" if lp < prec else lt
                rt = f"({rt})" if rp <= prec and rp != 3 else rt
                return apply(lv, rv), f"{lt} {symbol} {rt}", prec
            return binop
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = build(node.operand)

            def negative(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
                value, shown, prec = inner(f, p)
                return -value, f"-{shown}" if prec == 3 else f"-({shown})", 3
            return negative
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "marginal":
            return tiers(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "at":
            return item(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS \
                and node.args and not node.keywords:
            func, args = _FUNCS[node.func.id], [build(a) for a in node.args]
            label = node.func.id

            def call(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
                results = [a(f, p) for a in args]
                return func(r[0] for r in results), f"{label}({', '.join(r[1] for r in results)})", 3
            return call
        raise RuleFileError(path, key, f"not allowed in a formula: {ast.unparse(node)!r} "
                                       "(use numbers, facts, parameters, + - * /, min, max)")

    def tiers(node: ast.Call) -> Evaluator:
        if len(node.args) != 3 or node.keywords:
            raise RuleFileError(path, key, "marginal takes a value and two list parameters: "
                                           "marginal(contract_value, BOUNDS, RATES)")
        bounds_name = list_parameter(node.args[1], "marginal")
        rates_name = list_parameter(node.args[2], "marginal")
        value_of = build(node.args[0])

        def tiered(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
            value, _, _ = value_of(f, p)
            total, basis = marginal(math.floor(value), p(bounds_name), p(rates_name))
            return total, f"({basis})", 3
        return tiered

    def list_parameter(node: ast.expr, usage: str) -> str:
        name = dotted(node)
        if name is None or "." not in name:
            raise RuleFileError(path, key, f"{usage}: {ast.unparse(node)!r} is not a parameter")
        if name not in parameters or parameters[name].kind != "numbers":
            raise RuleFileError(path, key, f"{usage} needs a parameter holding a list of numbers, not {name!r}")
        params.add(name)
        return name

    def item(node: ast.Call) -> Evaluator:
        if len(node.args) != 2 or node.keywords:
            raise RuleFileError(path, key, "at takes a list parameter and a position from 1: at(LIST, n)")
        name = list_parameter(node.args[0], "at")
        position = build(node.args[1])

        def picked(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
            n, _, _ = position(f, p)
            values = p(name)
            if not (isinstance(n, int) or n.denominator == 1) or not 1 <= n <= len(values):
                raise EvaluationError(f"{path}: {key}: position {n} is outside {name} (1 to {len(values)})")
            value = values[int(n) - 1]
            return value, format_number(value), 3
        return picked

    def name_ref(name: str) -> Evaluator:
        if "." in name:
            if name not in parameters:
                raise RuleFileError(path, key, f"unknown parameter {name!r} in formula")
            if parameters[name].kind not in ("number", "none"):
                raise RuleFileError(path, key, f"parameter {name} holds {parameters[name].kind}, not amounts")
            params.add(name)

            def param_value(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
                value = p(name)
                if value is None:
                    raise EvaluationError(f"{path}: {key}: parameter {name} has no value at the event date")
                return value, format_number(value), 3
            return param_value
        ftype = FACTS.get(name)
        if ftype is None or ftype.kind != "int":
            raise RuleFileError(path, key, f"{name!r} is not a whole-number fact (dotted names are parameters)")
        facts.add(name)

        def fact_value(f: Mapping[str, Any], p: Callable[[str], Any]) -> tuple[Number, str, int]:
            if name not in f:
                raise EvaluationError(f"{path}: {key}: the case lacks fact {name!r}; add "
                                      f"{{fact: {name}, present: true}} to the rule's when")
            return f[name], str(f[name]), 3
        return fact_value

    evaluate = build(tree.body)
    return Formula(text.strip(), frozenset(facts), frozenset(params), evaluate, tree.body)
