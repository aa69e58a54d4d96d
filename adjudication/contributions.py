"""Contribution mechanisms: due dates, marginal tiers, shares and regional values, all read from parameters.

Only the arithmetic lives here; every number, date and list it uses is a dated parameter of the ruleset
(``rules/parameters/``), so a replay under another ruleset derives again with that ruleset's law.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from .errors import EvaluationError, MissingParameterError
from .parameters import Parameters, Value

Period = tuple[int, int]  # (year, month)
DueDate = Callable[[Period], dt.date]


def parameter(parameters: Parameters, name: str, on: dt.date) -> Any:
    """The value of ``name`` in force on ``on``; an EvaluationError naming it when there is none."""
    value = parameters.value(name, on)
    if value is None:
        raise EvaluationError(f"parameter {name} has no value on {on.isoformat()}")
    return value


def add_months(year: int, month: int, months: int) -> Period:
    """The calendar month ``months`` after (year, month)."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """Day ``day`` of the month, or its last day when the month is shorter (the 30th of February is the 28th)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_dates(parameters: Parameters, segment: str) -> DueDate:
    """When a contribution month of ``segment`` (PU or BPU) is due, by the parameters in force for that month.

    ``membership.contribution_due.<segment>.months_after_period`` (PU 1: the following month; BPU 0: the same
    month) and ``.day`` (the 15th; the 30th for the PP 49/2020 months) are chosen by the month's first day. A
    month before the first value (a registry row from the Jamsostek era, before July 2015) takes the first value:
    the ruleset holds no earlier law, and the month is due at the latest by then. Results are kept per ruleset, so
    the claims path computes each month once per process.
    """
    prefix = f"membership.contribution_due.{segment.lower()}"
    memo: dict[Period, dt.date] = parameters.memo.setdefault(prefix, {})

    def value(name: str, on: dt.date) -> int:
        if name not in parameters:
            raise MissingParameterError(f"the ruleset has no parameter {name}")
        dated = parameters[name].at(on)
        if dated is None and parameters[name].values:
            dated = parameters[name].values[0]
        if dated is None or dated.value is None:
            raise EvaluationError(f"parameter {name} has no value on {on.isoformat()}")
        return int(dated.value)  # type: ignore[arg-type]

    def due(period: Period) -> dt.date:
        found = memo.get(period)
        if found is None:
            first = dt.date(period[0], period[1], 1)
            year, month = add_months(*period, value(f"{prefix}.months_after_period", first))
            found = memo[period] = day_in_month(year, month, value(f"{prefix}.day", first))
        return found
    return due


def months_late(due: dt.date, paid: dt.date) -> int:
    """Months begun after the due date by the payment: 0 on or before it, 1 up to a month after, and so on."""
    if paid <= due:
        return 0
    months = 1
    while add_months_to_date(due, months) < paid:
        months += 1
    return months


def add_months_to_date(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    year, month = add_months(day.year, day.month, months)
    return day_in_month(year, month, day.day)


def fixed_due_dates(day: int, months_after_period: int) -> DueDate:
    """A due-date rule with fixed numbers (for tests and tools that have no ruleset)."""
    return lambda period: day_in_month(*add_months(*period, months_after_period), day)


def rupiah_text(value: int | Fraction) -> str:
    """A whole amount with thousands separators, for a basis text (``1,345,000``)."""
    return f"{math.floor(value):,}"


def rate_text(rate: int | Fraction) -> str:
    """A rate as a percentage (``0.21 %``)."""
    percent = Fraction(rate) * 100
    text = f"{float(percent):.4f}".rstrip("0").rstrip(".")
    return f"{text} %"


def marginal(value: int, upper_bounds: Sequence[int | Fraction], rates: Sequence[int | Fraction]
             ) -> tuple[Fraction, str]:
    """Marginal (progressive) tiers: each slice of ``value`` at its own rate; the exact sum and its basis.

    ``upper_bounds`` are the slices' upper ends in ascending order; ``rates`` has one more item, for the slice
    above the last bound. ``850,000,000`` over ``[100 M, 500 M, 1 B, 5 B]`` at ``[0.21, 0.17, 0.13, ...] %``
    is ``0.21 % x 100,000,000 + 0.17 % x 400,000,000 + 0.13 % x 350,000,000``.
    """
    if len(rates) != len(upper_bounds) + 1:
        raise EvaluationError(f"marginal tiers need one rate more than bounds, got {len(rates)} and "
                              f"{len(upper_bounds)}")
    total, parts, lower = Fraction(0), [], Fraction(0)
    for upper, rate in zip([*upper_bounds, None], rates, strict=True):
        if value <= lower:
            break
        top = Fraction(value) if upper is None else min(Fraction(value), Fraction(upper))
        total += (top - lower) * Fraction(rate)
        parts.append(f"{rate_text(rate)} x {rupiah_text(top - lower)}")
        if upper is None:
            break
        lower = Fraction(upper)
    return total, " + ".join(parts) or "0"


def split_shares(total: int, shares: Sequence[int | Fraction]) -> list[int]:
    """``total`` split by ``shares`` in whole Rupiah: each share rounded down, the last takes the rest."""
    amounts = [math.floor(total * Fraction(share)) for share in shares[:-1]]
    return [*amounts, total - sum(amounts)]


def region_value(parameters: Parameters, prefix: str, suffixes: Sequence[str], region_code: str | None,
                 on: dt.date) -> tuple[str, str, Value] | None:
    """The most specific regional value in force: ``<prefix>.region_<digits>.<suffix>`` for the longest prefix of
    the region code's digits with a value on ``on``, else ``<prefix>.national.<suffix>``.

    Returns (parameter name, suffix, value), or None when no region and no national value is in force.
    """
    digits = "".join(ch for ch in (region_code or "") if ch.isascii() and ch.isdigit())
    for region in [f"region_{digits[:n]}" for n in range(len(digits), 1, -1)] + ["national"]:
        for suffix in suffixes:
            name = f"{prefix}.{region}.{suffix}"
            if name in parameters:
                value = parameters.value(name, on)
                if value is not None:
                    return name, suffix, value
    return None
