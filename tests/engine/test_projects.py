"""Jakon project coverage: deadline by SPK date and region (D2), tiers (D1), termins and the first day of cover."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from adjudication import Ruleset
from adjudication.contributions import marginal, split_shares
from adjudication.projects import contract_contribution, project_coverage, registration_deadline

D = dt.date


def project(**changes: Any) -> dict[str, Any]:
    """EXAMPLES 41 with EXAMPLES 4's contract: SPK 1 August 2024 in Pontianak, Rp80 M (contribution 192,000),
    registered the next day, first termin (96,000) paid 5 August, implementation until the end of 2024."""
    body: dict[str, Any] = {"project_number": "JK-2024-0041", "spk_date": D(2024, 8, 1), "region_code": "61.71.03",
                            "contract_value": 80_000_000, "end_date": D(2024, 12, 31),
                            "registered_on": D(2024, 8, 2),
                            "payments": [{"termin": 1, "amount": 96_000, "paid_on": D(2024, 8, 5)}]}
    return {**body, **changes}


def test_example_41_covered_from_the_first_termin(shipped: Ruleset) -> None:
    later = project_coverage(project(), D(2024, 8, 10), shipped.parameters)
    assert later.deadline is not None and later.deadline.parameter == "jakon.registration_deadline.region_61" \
                                                                      ".calendar_days"
    assert (later.covered, later.covered_from, later.deadline.day, later.registered_in_time, later.days_late) == (
        True, D(2024, 8, 5), D(2024, 8, 8), True, 0)
    earlier = project_coverage(project(), D(2024, 8, 3), shipped.parameters)
    assert (earlier.covered, earlier.covered_from) == (False, D(2024, 8, 5))
    assert project_coverage(project(), D(2024, 8, 5), shipped.parameters).covered  # the payment day itself
    assert not project_coverage(project(), D(2024, 8, 4), shipped.parameters).covered


def test_examples_4_and_5_contribution_by_marginal_tiers(shipped: Ruleset) -> None:
    assert contract_contribution(80_000_000, D(2024, 8, 1), shipped.parameters)[:2] == (168_000, 24_000)
    jkk, jkm, basis = contract_contribution(850_000_000, D(2024, 8, 1), shipped.parameters)
    assert (jkk, jkm, jkk + jkm) == (1_345_000, 180_000, 1_525_000)  # not the blog's 1,560,000 (D1)
    assert basis["jkk"] == "0.21 % x 100,000,000 + 0.17 % x 400,000,000 + 0.13 % x 350,000,000"


@pytest.mark.parametrize(("value", "jkk", "jkm"), [
    (100_000_000, 210_000, 30_000),
    (500_000_000, 890_000, 110_000),
    (1_000_000_000, 1_540_000, 210_000),
    (5_000_000_000, 5_940_000, 610_000),
])
def test_every_tier_boundary_and_one_rupiah_above(shipped: Ruleset, value: int, jkk: int, jkm: int) -> None:
    params = shipped.parameters
    assert contract_contribution(value, D(2024, 1, 1), params)[:2] == (jkk, jkm)
    bounds = params.value("jakon.contract_tiers.upper_bounds", D(2024, 1, 1))
    rates = params.value("jakon.contract_tiers.jkk_rates", D(2024, 1, 1))
    assert isinstance(bounds, tuple) and isinstance(rates, tuple)
    # one Rupiah above the bound is taxed at the next slice's rate, not the slice's below
    next_rate = rates[list(bounds).index(value) + 1]
    assert marginal(value + 1, bounds, rates)[0] == marginal(value, bounds, rates)[0] + Fraction(next_rate)
    assert marginal(value, bounds, rates)[0] == jkk


def test_termins_split_50_25_25_the_last_takes_the_rest() -> None:
    assert split_shares(1_525_000, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]) == [762_500, 381_250, 381_250]
    assert split_shares(192_003, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]) == [96_001, 48_000, 48_002]


@pytest.mark.parametrize(("spk", "region", "deadline"), [
    (D(2019, 9, 2), "31.71", D(2019, 9, 20)),  # national: 14 working days, no holiday in between
    (D(2024, 8, 9), "31.71", D(2024, 8, 16)),  # 7 calendar days from 2021-04-01, across a weekend
    (D(2019, 3, 19), "61.12", D(2019, 4, 9)),  # Kalbar the day before its 7-day rule: 14 working days (3 April off)
    (D(2019, 3, 20), "61.12", D(2019, 3, 27)),  # Kalbar from 20 March 2019: 7 calendar days
    (D(2019, 3, 20), "31.71", D(2019, 4, 10)),  # the same SPK outside region 61: 14 working days (3 April off)
    (D(2021, 3, 31), "31.71", D(2021, 4, 21)),  # the last SPK under Permenaker 44/2015 (Good Friday skipped)
    (D(2021, 4, 1), "31.71", D(2021, 4, 8)),  # from 1 April 2021: 7 calendar days nationally
    (D(2015, 7, 1), None, D(2015, 7, 22)),  # no region: the national rule (Idul Fitri, 17 July, skipped)
])
def test_deadline_by_spk_date_and_region(shipped: Ruleset, spk: dt.date, region: str | None,
                                         deadline: dt.date) -> None:
    found = registration_deadline(spk, region, shipped.parameters)
    assert found is not None and found.day == deadline


def test_no_deadline_before_the_sjsn_rules(shipped: Ruleset) -> None:
    assert registration_deadline(D(2015, 6, 30), "31.71", shipped.parameters) is None


def test_registered_late_and_paid_later_is_not_covered_in_between(shipped: Ruleset) -> None:
    late = project(registered_on=D(2024, 8, 20), payments=[{"termin": 1, "amount": 96_000, "paid_on": D(2024, 9, 2)}])
    between = project_coverage(late, D(2024, 8, 25), shipped.parameters)
    assert (between.registered_in_time, between.days_late, between.covered, between.covered_from) == (
        False, 12, False, D(2024, 9, 2))
    assert project_coverage(late, D(2024, 9, 2), shipped.parameters).covered


def test_a_partly_paid_first_termin_does_not_cover_until_it_is_complete(shipped: Ruleset) -> None:
    part = project(payments=[{"termin": 1, "amount": 50_000, "paid_on": D(2024, 8, 5)},
                             {"termin": 1, "amount": 46_000, "paid_on": D(2024, 8, 12)}])
    before = project_coverage(part, D(2024, 8, 10), shipped.parameters)
    assert (before.covered, before.termins[0].paid, before.termins[0].paid_on) == (False, 50_000, None)
    assert before.overdue_termins() == [before.termins[0]]  # due on the deadline, 8 August
    after = project_coverage(part, D(2024, 8, 12), shipped.parameters)
    assert (after.covered, after.covered_from, after.termins[0].paid_on) == (True, D(2024, 8, 12), D(2024, 8, 12))


def test_paid_at_once_pays_every_termin(shipped: Ruleset) -> None:
    at_once = project_coverage(project(payments=[{"termin": 1, "amount": 192_000, "paid_on": D(2024, 8, 5)}]),
                               D(2025, 2, 1), shipped.parameters)
    assert [t.paid for t in at_once.termins] == [t.amount for t in at_once.termins] == [96_000, 48_000, 48_000]
    assert at_once.overdue_termins() == []


def test_the_later_termins_are_due_when_the_implementation_ends(shipped: Ruleset) -> None:
    assert project_coverage(project(), D(2024, 12, 31), shipped.parameters).overdue_termins() == []
    overdue = project_coverage(project(), D(2025, 1, 1), shipped.parameters).overdue_termins()
    assert [(t.number, t.overdue) for t in overdue] == [(2, 48_000), (3, 48_000)]


def test_cover_never_starts_before_registration(shipped: Ruleset) -> None:
    paid_first = project_coverage(project(registered_on=D(2024, 8, 7)), D(2024, 8, 10), shipped.parameters)
    assert paid_first.covered_from == D(2024, 8, 7)
    iso = project_coverage(project(registered_on="2024-08-02", spk_date="2024-08-01"), D(2024, 8, 10),
                           shipped.parameters)
    assert iso.covered_from == D(2024, 8, 5)  # ISO text works too
    never = project_coverage(project(registered_on=None), D(2024, 8, 18), shipped.parameters)
    assert (never.covered, never.covered_from, never.registered_in_time, never.days_late) == (False, None, False, 10)
