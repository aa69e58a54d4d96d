"""Pure functions from registry records (plain values, never ORM objects) to the facts rules read."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import holidays

from .contributions import DueDate, Period


@dataclass(frozen=True)
class ContributionStatus:
    """Contribution status at an event date."""

    overdue_months: int  # due before the event and not fully paid by it
    consecutive_unpaid_months: int  # counted back from the latest month due before the event
    active: bool
    paid_months: int  # months (begun by the event) fully paid by the event
    last_paid_period: str | None  # "YYYY-MM"
    overdue_periods: tuple[str, ...] = ()  # the overdue months, "YYYY-MM", oldest first
    overdue_amount: int = 0  # what is still owed on them (due less paid by the event)
    ever_paid: bool = False  # some contribution was paid on or before the event
    reactivated_on: dt.date | None = None  # a lapsed (BPU) member's first payment after the lapse, up to the event


def parse_period(value: Any) -> Period:
    """A contribution month from ``"YYYY-MM"``, ``(year, month)`` or a date."""
    if type(value) is str:
        return _text_period(value)
    return _parse_period(value)


@functools.lru_cache(maxsize=4096)
def _text_period(value: str) -> Period:
    # a log of decisions reads the same few hundred months over and over
    return _parse_period(value)


def _parse_period(value: Any) -> Period:
    if isinstance(value, dt.date):
        return value.year, value.month
    if isinstance(value, str) and len(value) == 7 and value[4] == "-":
        year, month = int(value[:4]), int(value[5:])
    elif isinstance(value, tuple | list) and len(value) == 2:
        year, month = int(value[0]), int(value[1])
    else:
        raise ValueError(f"a contribution period is 'YYYY-MM' or (year, month), got {value!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range in period {value!r}")
    return year, month


def format_period(period: Period) -> str:
    """``(2024, 3)`` as ``"2024-03"``."""
    return f"{period[0]:04d}-{period[1]:02d}"


def _next(period: Period) -> Period:
    year, month = period
    return (year + 1, 1) if month == 12 else (year, month + 1)


# a contribution month stored compactly (decision inputs): [period, amount_due, amount_paid, paid_on]
CONTRIBUTION_ROW = ("period", "amount_due", "amount_paid", "paid_on")


def _field(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    if isinstance(record, list | tuple):
        return record[CONTRIBUTION_ROW.index(name)]
    return getattr(record, name, None)


def contribution_status(contributions: Iterable[Any], event_date: dt.date, due: DueDate,
                        since: dt.date | None = None, inactive_after: int | None = None,
                        until: dt.date | None = None) -> ContributionStatus:
    """Status at ``event_date`` from contribution records {period, amount_due, amount_paid, paid_on}.

    ``due`` gives each month's due date (``contributions.due_dates``: the segment's law for that month). Only
    payments made on or before the event count (a later payment does not cover the event). Months between
    ``since`` (or the first record) and the latest month due (no later than ``until``'s month: a worker's
    employment end) that have no record count as unpaid. With
    ``inactive_after`` (BPU) the member lapses once more than that many consecutive months are unpaid (from the
    day after the due date of the first month past the limit) and is active again from the day of any payment
    made after that, a payment before the month's due date included (decision D3): an event in the gap stays
    uncovered. Without it (PU) arrears never make the worker inactive (the employer becomes liable instead).
    """
    owed: dict[Period, int] = {}
    paid: dict[Period, int] = {}
    payment_days: list[dt.date] = []
    for record in contributions:
        if type(record) is list and len(record) == 4:
            # the compact row of stored inputs, read without the generic accessor (replays read millions)
            period_value, amount_due, paid_on, amount_paid = record[0], record[1], record[3], record[2]
        else:
            period_value, amount_due = _field(record, "period"), _field(record, "amount_due")
            paid_on, amount_paid = _field(record, "paid_on"), _field(record, "amount_paid")
        period = parse_period(period_value)
        owed[period] = owed.get(period, 0) + int(amount_due or 0)
        if isinstance(paid_on, str):
            paid_on = dt.date.fromisoformat(paid_on)
        amount = int(amount_paid or 0)
        if paid_on is not None and paid_on <= event_date:
            paid[period] = paid.get(period, 0) + amount
            if amount > 0:
                payment_days.append(paid_on)
    first: Period | None = (since.year, since.month) if since else (min(owed) if owed else None)
    event_period = (event_date.year, event_date.month)
    if until is not None:
        event_period = min(event_period, (until.year, until.month))
    months: list[Period] = []
    while first is not None and first <= event_period:
        months.append(first)
        first = _next(first)

    fully_paid = {p for p, amount in owed.items() if paid.get(p, 0) >= amount}
    due_months = [p for p in months if due(p) < event_date]
    overdue = [p for p in due_months if p not in fully_paid]
    consecutive = 0
    for p in reversed(due_months):
        if p in fully_paid:
            break
        consecutive += 1
    paid_months = [p for p in months if p in fully_paid]
    reactivated_on = None
    if inactive_after is not None:
        active = bool(paid_months) and consecutive <= inactive_after
        if consecutive > inactive_after:
            # the lapse began the day after the first month past the limit fell due; a payment since re-activates
            lapse_from = due(due_months[len(due_months) - consecutive + inactive_after]) + dt.timedelta(days=1)
            reactivated_on = min((day for day in payment_days if day >= lapse_from), default=None)
            active = reactivated_on is not None
    else:
        active = bool(paid_months) or not due_months
    return ContributionStatus(len(overdue), consecutive, active, len(paid_months),
                              format_period(paid_months[-1]) if paid_months else None,
                              tuple(format_period(p) for p in overdue),
                              sum(max(0, owed.get(p, 0) - paid.get(p, 0)) for p in overdue), bool(payment_days),
                              reactivated_on)


def days_between(start: dt.date, end: dt.date) -> int:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (end - start).days


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` + ``months`` calendar months, clamped to the month's last day (as ``dateutil.relativedelta``)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Completed calendar months from ``start`` to ``end`` (negative when ``end`` is earlier).

    ``relativedelta(end, start)`` counted in months, without building relativedelta objects (a replay of many
    decisions computes several of these per decision).
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if end >= start:
        while end < add_months(start, months):
            months -= 1
    else:
        while end > add_months(start, months):
            months += 1
    return months


def _whole_years(months: int) -> int:
    # relativedelta's years: the months' sign, truncated towards zero
    return months // 12 if months >= 0 else -(-months // 12)


def started_years(start: dt.date, end: dt.date) -> int:
    """Years begun between two dates: 0 on the same day, 2 on the 2nd anniversary, 3 the day after."""
    if end < start:
        raise ValueError(f"{end} is before {start}")
    months = months_between(start, end)
    return months // 12 + (1 if (months % 12 or end != add_months(start, months)) else 0)


def claim_age_years(event_date: dt.date, filed_on: dt.date) -> int:
    """Started years from the event to the filing: expired under an N-year limit iff greater than N."""
    return started_years(event_date, filed_on)


def age_at(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (someone born 29 February ages on 28 February)."""
    return _whole_years(months_between(birth_date, on))


def membership_months(membership_start: dt.date, on: dt.date) -> int:
    """Completed months of membership on ``on``; 0 before the membership starts."""
    return max(0, months_between(membership_start, on))


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: dt.date, region: str | None = None) -> bool:
    """Monday to Friday and not an Indonesian public holiday (national; ``region`` has no own list yet)."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_days_after(start: dt.date, n: int, region: str | None = None) -> dt.date:
    """The ``n``-th working day after ``start`` (the start day itself does not count)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, region: str | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            count += 1
    return count


def whole_months_after(start: dt.date, end: dt.date) -> int:
    """The largest n with ``start + n months <= end`` (dateutil month arithmetic; 0 when ``end`` is earlier).

    Month arithmetic clamps to the month's last day: 31 January + 1 month is 28 February, so a one-month
    wait from 31 January 2025 is over on 28 February 2025 (1 here) and not on 27 February (0).
    """
    if end < start:
        return 0
    months = max(0, months_between(start, end) - 1)
    while add_months(start, months + 1) <= end:
        months += 1
    return months
