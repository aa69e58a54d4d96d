"""Fact functions: contribution status by the PU and BPU rules, date arithmetic, working days."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from adjudication import Ruleset
from adjudication.contributions import due_dates, fixed_due_dates
from adjudication.facts import (
    ContributionStatus,
    age_at,
    claim_age_years,
    contribution_status,
    days_between,
    is_working_day,
    membership_months,
    months_between,
    parse_period,
    started_years,
    working_days_after,
    working_days_between,
)

D = dt.date
dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2060, 12, 31))
PU = fixed_due_dates(15, 1)  # the 15th of the following month
BPU = fixed_due_dates(15, 0)  # the 15th of the same month


def month(period: str, paid_on: dt.date | None, due: int = 100, paid: int | None = None) -> dict[str, object]:
    return {"period": period, "amount_due": due, "amount_paid": due if paid is None else paid, "paid_on": paid_on}


@pytest.mark.parametrize(("segment", "period", "due"), [
    ("PU", (2024, 3), D(2024, 4, 15)), ("PU", (2024, 12), D(2025, 1, 15)), ("BPU", (2024, 3), D(2024, 3, 15)),
    # PP 49/2020: the months August 2020 to January 2021 are due the 30th of the following month
    ("PU", (2020, 7), D(2020, 8, 15)), ("PU", (2020, 8), D(2020, 9, 30)),
    # the 30th of February is its last day; February 2021 is due the 15th again
    ("PU", (2021, 1), D(2021, 2, 28)), ("PU", (2021, 2), D(2021, 3, 15)),
    ("BPU", (2020, 8), D(2020, 8, 15)),
])
def test_due_dates_follow_the_parameters_in_force_for_the_month(shipped: Ruleset, segment: str,
                                                                period: tuple[int, int], due: dt.date) -> None:
    assert due_dates(shipped.parameters, segment)(period) == due


def test_a_period_is_a_real_month() -> None:
    with pytest.raises(ValueError):
        parse_period("2024-13")


def test_example_30_bpu_last_paid_march_dies_20_july() -> None:
    # Apr-Jul unpaid (Jul was due on the 15th): more than 3 consecutive months, non-active
    records = [month(f"2024-{m:02d}", D(2024, m, 10)) for m in (1, 2, 3)]
    status = contribution_status(records, D(2024, 7, 20), due=BPU, inactive_after=3, since=D(2024, 1, 1))
    assert status == ContributionStatus(overdue_months=4, consecutive_unpaid_months=4, active=False,
                                        paid_months=3, last_paid_period="2024-03",
                                        overdue_periods=("2024-04", "2024-05", "2024-06", "2024-07"),
                                        overdue_amount=0,  # no record for them: nothing billed, still unpaid
                                        ever_paid=True)
    # on 10 July, July is not yet due: 3 unpaid months, still active
    assert contribution_status(records, D(2024, 7, 10), due=BPU, inactive_after=3, since=D(2024, 1, 1)).active


def test_bpu_paying_again_reactivates_from_the_payment_date() -> None:
    records = [month("2024-03", D(2024, 3, 10)), month("2024-08", D(2024, 8, 10))]
    since = D(2024, 3, 1)
    assert not contribution_status(records, D(2024, 8, 5), due=BPU, inactive_after=3, since=since).active
    again = contribution_status(records, D(2024, 8, 20), due=BPU, inactive_after=3, since=since)
    # August, due the 15th, is paid: no unpaid run counts back from it, so no lapse to re-activate from
    assert (again.active, again.reactivated_on) == (True, None)


def test_a_payment_before_the_months_due_date_reactivates_from_its_day() -> None:
    # April to July unpaid: lapsed from 16 July (July, the 4th unpaid month, was due the 15th); August paid on the
    # 5th, before its due date: covered from the 5th, not the gap before
    records = [month(f"2024-{m:02d}", D(2024, m, 10)) for m in (1, 2, 3)] + [month("2024-08", D(2024, 8, 5))]
    since = D(2024, 1, 1)
    for day, active in ((D(2024, 7, 15), True), (D(2024, 7, 16), False), (D(2024, 8, 4), False),
                        (D(2024, 8, 5), True), (D(2024, 8, 10), True)):
        status = contribution_status(records, day, due=BPU, inactive_after=3, since=since)
        assert status.active is active, day
    assert contribution_status(records, D(2024, 8, 10), due=BPU, inactive_after=3, since=since).reactivated_on \
        == D(2024, 8, 5)


def test_nothing_ever_paid_by_the_event() -> None:
    records = [month("2024-01", D(2024, 3, 1))]
    assert not contribution_status(records, D(2024, 2, 1), due=BPU, inactive_after=3).ever_paid
    assert contribution_status(records, D(2024, 3, 1), due=BPU, inactive_after=3).ever_paid


def test_example_25_pu_employer_four_months_in_arrears() -> None:
    # accident mid-February 2024; Oct-Jan unpaid; January was due 15 February
    records = [month(f"2023-{m:02d}", D(2023, m + 1, 10)) for m in range(1, 10)]
    records += [month("2023-10", None), month("2023-11", None), month("2023-12", None), month("2024-01", None)]
    status = contribution_status(records, D(2024, 2, 20), due=PU)
    assert (status.overdue_months, status.consecutive_unpaid_months, status.active) == (4, 4, True)
    # on 15 February January is due that very day, not yet overdue
    assert contribution_status(records, D(2024, 2, 15), due=PU).overdue_months == 3


def test_payments_after_the_event_and_partial_payments_do_not_count() -> None:
    records = [month("2024-01", D(2024, 3, 1)), month("2024-02", D(2024, 2, 20), paid=50)]
    status = contribution_status(records, D(2024, 3, 20), due=PU)
    assert (status.paid_months, status.overdue_months) == (1, 1)  # January paid 1 March, February partial
    late = contribution_status(records, D(2024, 2, 28), due=PU)
    assert (late.paid_months, late.overdue_months, late.last_paid_period) == (0, 1, None)


def test_months_without_a_record_are_unpaid_and_split_payments_add_up() -> None:
    records = [{"period": (2024, 1), "amount_due": 100, "amount_paid": 60, "paid_on": "2024-01-05"},
               {"period": "2024-01", "amount_due": 0, "amount_paid": 40, "paid_on": D(2024, 1, 9)}]
    status = contribution_status(records, D(2024, 5, 1), due=BPU, inactive_after=3, since=D(2024, 1, 1))
    assert (status.paid_months, status.consecutive_unpaid_months, status.overdue_months) == (1, 3, 3)


def test_a_new_pu_member_with_nothing_due_is_active() -> None:
    assert contribution_status([], D(2024, 5, 1), due=PU).active
    assert not contribution_status([], D(2024, 5, 1), due=BPU, inactive_after=3).active


@pytest.mark.parametrize(("filed", "years"), [
    (D(2019, 3, 1), 0), (D(2019, 3, 2), 1), (D(2021, 3, 1), 2), (D(2021, 3, 2), 3), (D(2021, 6, 1), 3)])
def test_example_21_claim_age(filed: dt.date, years: int) -> None:
    # accident 1 March 2019, 2-year rule: the deadline is 1 March 2021 (age 2), a day later is expired (3)
    assert claim_age_years(D(2019, 3, 1), filed) == years


def test_example_23_pak_window() -> None:
    assert started_years(D(2022, 1, 1), D(2024, 6, 1)) == 3  # not more than 3: eligible
    assert started_years(D(2022, 1, 1), D(2025, 2, 1)) == 4  # more than 3: rejected


def test_dates_and_ages() -> None:
    assert days_between(D(2024, 2, 28), D(2024, 3, 1)) == 2
    assert months_between(D(2024, 1, 31), D(2024, 2, 29)) == 1  # month-end to month-end (dateutil)
    assert months_between(D(2024, 1, 15), D(2024, 2, 14)) == 0
    assert months_between(D(2024, 1, 31), D(2024, 3, 31)) == 2
    assert months_between(D(2024, 3, 1), D(2024, 1, 1)) == -2
    assert age_at(D(2000, 2, 29), D(2018, 2, 28)) == 18
    assert age_at(D(2000, 2, 29), D(2018, 2, 27)) == 17
    assert membership_months(D(2021, 10, 1), D(2024, 3, 10)) == 29
    assert membership_months(D(2025, 1, 1), D(2024, 3, 10)) == 0
    with pytest.raises(ValueError):
        started_years(D(2024, 1, 2), D(2024, 1, 1))


def test_working_days_skip_weekends_and_indonesian_holidays() -> None:
    # Eid al-Fitr 2024: 10 and 11 April (Wed, Thu) are public holidays
    assert not is_working_day(D(2024, 4, 10)) and not is_working_day(D(2024, 4, 13))
    assert working_days_after(D(2024, 4, 8), 2) == D(2024, 4, 12)
    assert working_days_after(D(2024, 8, 16), 1) == D(2024, 8, 19)  # 17 Aug is Independence Day (Saturday)
    assert working_days_after(D(2024, 4, 8), 0) == D(2024, 4, 8)


@given(dates, st.integers(min_value=0, max_value=40))
def test_started_years_of_whole_anniversaries(start: dt.date, n: int) -> None:
    end = start + relativedelta(years=n)
    assert started_years(start, end) == n
    assert started_years(start, end + dt.timedelta(days=1)) == n + 1


@given(dates, dates)
def test_started_years_is_ceiling_of_elapsed_years(a: dt.date, b: dt.date) -> None:
    start, end = min(a, b), max(a, b)
    years = started_years(start, end)
    assert start + relativedelta(years=years) >= end
    assert years == 0 or start + relativedelta(years=years - 1) < end


@given(st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31)), st.integers(min_value=1, max_value=30))
def test_working_days_after_lands_on_a_working_day(start: dt.date, n: int) -> None:
    end = working_days_after(start, n)
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert (end - start).days >= n


@given(dates, dates)
def test_months_between_is_antisymmetric_in_sign(a: dt.date, b: dt.date) -> None:
    assert (months_between(a, b) >= 0) == (b >= a) or months_between(a, b) == 0


@pytest.mark.parametrize(("start", "end", "months"), [
    (dt.date(2025, 1, 31), dt.date(2025, 2, 27), 0), (dt.date(2025, 1, 31), dt.date(2025, 2, 28), 1),
    (dt.date(2024, 1, 31), dt.date(2024, 2, 28), 0), (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 1),
    (dt.date(2025, 1, 15), dt.date(2025, 2, 14), 0), (dt.date(2025, 1, 15), dt.date(2025, 2, 15), 1),
    (dt.date(2025, 1, 31), dt.date(2025, 3, 30), 1), (dt.date(2025, 1, 31), dt.date(2025, 3, 31), 2),
    (dt.date(2025, 3, 1), dt.date(2025, 2, 1), 0), (dt.date(2020, 2, 29), dt.date(2030, 2, 28), 120),
])
def test_whole_months_after(start: dt.date, end: dt.date, months: int) -> None:
    from adjudication.facts import whole_months_after

    assert whole_months_after(start, end) == months
