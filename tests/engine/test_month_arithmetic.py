"""The calendar arithmetic of fact derivation gives exactly what ``dateutil.relativedelta`` gives, and contribution
status reads compact rows as it reads mappings (the fast paths a replay of many decisions takes)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from adjudication import Ruleset
from adjudication.contributions import due_dates
from adjudication.facts import (
    add_months,
    age_at,
    contribution_status,
    months_between,
    started_years,
    whole_months_after,
)

# month ends and 29 February are where month arithmetic goes wrong, so they are drawn often
days = st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
                 st.builds(lambda y, m: add_months(dt.date(y, m, 1), 1) - dt.timedelta(days=1),
                           st.integers(1900, 2098), st.integers(1, 12)),
                 st.builds(lambda y: dt.date(y, 2, 29), st.sampled_from(range(1904, 2097, 4))))


@settings(max_examples=400, deadline=None)
@given(days, days)
def test_month_arithmetic_is_relativedeltas(start: dt.date, end: dt.date):
    delta = relativedelta(end, start)
    assert months_between(start, end) == delta.years * 12 + delta.months
    assert age_at(start, end) == delta.years
    if end >= start:
        assert started_years(start, end) == delta.years + (1 if (delta.months or delta.days) else 0)
        expected = max(0, delta.years * 12 + delta.months - 1)
        while start + relativedelta(months=expected + 1) <= end:
            expected += 1
        assert whole_months_after(start, end) == expected
    else:
        assert whole_months_after(start, end) == 0


@settings(max_examples=200, deadline=None)
@given(days, st.integers(-1300, 1300))
def test_adding_months_clamps_like_relativedelta(day: dt.date, months: int):
    if dt.date(1, 1, 1) <= day + relativedelta(months=months) <= dt.date(9998, 12, 31):
        assert add_months(day, months) == day + relativedelta(months=months)


months = st.lists(st.tuples(st.integers(2023, 2026), st.integers(1, 12), st.integers(0, 200_000),
                            st.integers(0, 200_000), st.one_of(st.none(), st.dates(dt.date(2023, 1, 1),
                                                                                   dt.date(2026, 12, 31)))),
                  max_size=30)


@settings(max_examples=150, deadline=None)
@given(months, st.dates(dt.date(2023, 6, 1), dt.date(2026, 12, 31)), st.sampled_from(["PU", "BPU"]),
       st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2024, 12, 31))))
def test_compact_rows_give_the_status_of_mappings(shipped: Ruleset, rows, on, segment, since):
    due = due_dates(shipped.parameters, segment)
    compact = [[f"{y:04d}-{m:02d}", owed, paid, paid_on.isoformat() if paid_on else None]
               for y, m, owed, paid, paid_on in rows]
    mappings = [{"period": f"{y:04d}-{m:02d}", "amount_due": owed, "amount_paid": paid, "paid_on": paid_on}
                for y, m, owed, paid, paid_on in rows]
    inactive = 3 if segment == "BPU" else None
    assert contribution_status(compact, on, due, since, inactive) == contribution_status(mappings, on, due, since,
                                                                                         inactive)
