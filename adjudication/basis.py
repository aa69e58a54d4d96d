"""The basis of an amount in words an officer can check, in Indonesian or English.

``max(jkk.death.multiplier * wage, jkk.death.minimum)`` for a reported wage of 5,000,000 under PP 82/2019 reads
``terbesar dari (48 x upah terlapor Rp5.000.000; santunan kematian paling sedikit Rp20.000.000) = Rp240.000.000
(PP 82/2019 Lampiran III)``: facts by their labels with their values, Rupiah parameters by their labels, rates as
percentages, multipliers and counts as numbers, the result and the citation of the rule that granted it. The
words follow the formula the rule file states (``Formula.tree``), so they show the same arithmetic as the
``formula`` text with the values put in.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from . import wording
from .benefits import Formula, dotted
from .labels import FACT_LABELS, fact_label, parameter_label, show, show_parameter
from .parameters import Parameters

_OPERATORS: dict[type[ast.operator], tuple[str, int]] = {ast.Add: ("+", 1), ast.Sub: ("-", 1), ast.Mult: ("x", 2),
                                                        ast.Div: ("/", 2)}
_CALLS = {"min": {"id": "terkecil dari", "en": "the lesser of"}, "max": {"id": "terbesar dari", "en": "the greater of"}}
_TIERS = {"id": "tarif bertingkat atas", "en": "marginal rates on"}
_SEPARATOR = {"id": "; ", "en": "; "}


def _percent(node: ast.expr) -> bool:
    name = dotted(node)
    return name is not None and getattr(FACT_LABELS.get(name), "unit", "") == "percent"


class _Words:
    """One rendering: the case, the parameters at the event date, the language."""

    def __init__(self, facts: Mapping[str, Any], parameters: Parameters, on: dt.date, lang: str):
        self.facts, self.parameters, self.on, self.lang = facts, parameters, on, lang

    def name(self, name: str) -> str:
        if "." in name:
            shown = show_parameter(name, self.parameters.value(name, self.on), self.parameters[name].unit, self.lang)
            return f"{parameter_label(name, self.lang)} {shown}" if shown.startswith("Rp") else shown
        return f"{fact_label(name, self.lang)} {show(name, self.facts.get(name), self.lang)}"

    def item(self, node: ast.Call) -> str:
        name = str(dotted(node.args[0]))
        values = self.parameters.value(name, self.on)
        position = self.facts.get(str(dotted(node.args[1])), None) if dotted(node.args[1]) else None
        if position is None and isinstance(node.args[1], ast.Constant):
            position = node.args[1].value
        if not isinstance(values, tuple) or not isinstance(position, int) or not 1 <= position <= len(values):
            return ast.unparse(node)
        shown = show_parameter(name, values[position - 1], self.parameters[name].unit, self.lang)
        return f"{parameter_label(name, self.lang)} {shown}"

    def render(self, node: ast.expr) -> tuple[str, int]:
        """(words, precedence of the top operator; 3 = atom)."""
        name = dotted(node)
        if name is not None:
            return self.name(name), 3
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            value = node.value if isinstance(node.value, int) else Fraction(repr(node.value))
            return wording.number(value, self.lang), 3
        if isinstance(node, ast.BinOp):
            symbol, prec = _OPERATORS[type(node.op)]
            if isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant) and node.right.value == 100:
                # a percentage fact over 100 reads as the percentage itself: "persentase cacat 40%"
                if _percent(node.left):
                    return self.name(str(dotted(node.left))), 3
                if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Mult) and \
                        _percent(node.left.right):
                    lt, lp = self.render(node.left.left)
                    return f"{f'({lt})' if lp < prec else lt} x {self.name(str(dotted(node.left.right)))}", prec
            lt, lp = self.render(node.left)
            rt, rp = self.render(node.right)
            lt = f"({lt})" if lp < prec else lt
            rt = f"({rt})" if rp <= prec and rp != 3 else rt
            return f"{lt} {symbol} {rt}", prec
        if isinstance(node, ast.UnaryOp):
            inner, prec = self.render(node.operand)
            return (f"-{inner}" if prec == 3 else f"-({inner})"), 3
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "marginal":
                return f"{_TIERS[self.lang]} {self.render(node.args[0])[0]}", 3
            if node.func.id == "at":  # the item of a list parameter the formula picks: its value, by its unit
                return self.item(node), 3
            parts = _SEPARATOR[self.lang].join(self.render(arg)[0] for arg in node.args)
            called = _CALLS.get(node.func.id, {}).get(self.lang, node.func.id)
            return f"{called} ({parts})", 3
        return ast.unparse(node), 3  # compile_formula admits nothing else


def basis_words(formula: Formula, facts: Mapping[str, Any], parameters: Parameters, on: dt.date, amount: int,
                citation: str, lang: str) -> str:
    """``<arithmetic in words> = <amount> (<citation>)``; a single fact or parameter is shown without the sum."""
    if formula.tree is None:
        return f"{formula.text} = {wording.rupiah(amount, lang)} ({citation})"
    words, prec = _Words(facts, parameters, on, lang).render(formula.tree)
    single = prec == 3 and dotted(formula.tree) is not None
    return f"{words} ({citation})" if single else f"{words} = {wording.rupiah(amount, lang)} ({citation})"
