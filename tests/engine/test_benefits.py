"""Benefit formulas: exact arithmetic, round down once, a readable basis, and refused constructs."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from adjudication import EvaluationError, RuleFileError
from adjudication.benefits import compile_formula, format_number
from adjudication.parameters import DatedValue, Parameter, Parameters

PARAMS = Parameters({
    "jkk.death.multiplier": Parameter("jkk.death.multiplier", "", "", (DatedValue(dt.date(2015, 7, 1), 48, "r"),),
                                      "p"),
    "jkk.death.minimum": Parameter("jkk.death.minimum", "", "", (DatedValue(dt.date(2015, 7, 1), 20000000, "r"),),
                                   "p"),
    "jkk.rate": Parameter("jkk.rate", "", "", (DatedValue(dt.date(2015, 7, 1), Fraction("0.0024"), "r"),), "p"),
})
VALUES = {"jkk.death.multiplier": 48, "jkk.death.minimum": 20000000, "jkk.rate": Fraction("0.0024")}


def amount(text: str, **facts: int) -> tuple[int, str]:
    return compile_formula("f.yaml", "amount", text, PARAMS).amount(facts, VALUES.get)


def test_minimum_applies_to_a_low_wage() -> None:
    # EXAMPLES 12: 48 x 400,000 = 19,200,000 is below the floor
    assert amount("max(jkk.death.multiplier * wage, jkk.death.minimum)", wage=400000) == (
        20000000, "max(48 x 400000, 20000000)")


def test_multiple_of_wage_above_the_minimum() -> None:
    assert amount("max(jkk.death.multiplier * wage, jkk.death.minimum)", wage=5000000) == (
        240000000, "max(48 x 5000000, 20000000)")


def test_rates_are_exact_and_rounded_down_once() -> None:
    # 0.0024 x 3,333,333 = 7,999.9992: floats would drift, rounding each step would lose more
    assert amount("jkk.rate * wage", wage=3333333) == (7999, "0.0024 x 3333333")
    assert amount("wage / 3 * 2", wage=100) == (66, "100 / 3 x 2")
    assert amount("(wage + 1) * 2 - 1", wage=4) == (9, "(4 + 1) x 2 - 1")
    assert amount("wage - (wage - 1)", wage=4) == (1, "4 - (4 - 1)")
    assert amount("min(12 * wage, 1.5 * wage)", wage=10) == (15, "min(12 x 10, 1.5 x 10)")


def test_format_number() -> None:
    assert [format_number(v) for v in (48, Fraction("0.0024"), Fraction(1, 3), Fraction(-5, 2))] == [
        "48", "0.0024", "1/3", "-2.5"]


@pytest.mark.parametrize("text", ["wage ** 2", "__import__('os')", "wage if wage else 1", "abs(wage)",
                                  "jkk.unknown * wage", "salary * 2", "event_date + 1", "'1000'", "max()", ""])
def test_refused_formulas(text: str) -> None:
    with pytest.raises(RuleFileError) as caught:
        compile_formula("f.yaml", "[0].then[0].benefit.amount", text, PARAMS)
    assert caught.value.key == "[0].then[0].benefit.amount"


def test_missing_fact_at_evaluation_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="lacks fact 'wage'"):
        amount("2 * wage")


def test_division_by_zero_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="division by zero"):
        amount("1000 / wage", wage=0)
