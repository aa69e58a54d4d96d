"""Jakon project coverage (decision D2): deadline by SPK date and region, lateness, first day of cover."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adjudication import Ruleset
from adjudication.projects import covered_from, project_coverage, registration_deadline

D = dt.date


def project(**changes: Any) -> dict[str, Any]:
    """EXAMPLES 41: SPK 1 August 2024 in Pontianak, registered the next day, first termin paid 5 August."""
    body: dict[str, Any] = {"project_number": "JK-2024-0041", "spk_date": D(2024, 8, 1), "region_code": "61.71.03",
                            "registered_on": D(2024, 8, 2),
                            "payments": [{"termin": 1, "amount": 96000, "paid_on": D(2024, 8, 5)},
                                         {"termin": 2, "amount": 48000, "paid_on": None}]}
    return {**body, **changes}


def test_example_41_covered_from_the_first_termin(shipped: Ruleset) -> None:
    later = project_coverage(project(), D(2024, 8, 10), shipped.parameters)
    assert (later.covered, later.covered_from, later.deadline, later.registered_in_time, later.days_late) == (
        True, D(2024, 8, 5), D(2024, 8, 8), True, 0)
    assert later.deadline_basis is not None and "region_61.calendar_days" in later.deadline_basis
    earlier = project_coverage(project(), D(2024, 8, 3), shipped.parameters)
    assert (earlier.covered, earlier.covered_from) == (False, D(2024, 8, 5))
    assert project_coverage(project(), D(2024, 8, 5), shipped.parameters).covered  # the payment day itself
    assert not project_coverage(project(), D(2024, 8, 4), shipped.parameters).covered
    assert later.to_dict()["covered_from"] == "2024-08-05"


@pytest.mark.parametrize(("spk", "region", "deadline"), [
    (D(2019, 9, 2), "31.71", D(2019, 9, 20)),  # national: 14 working days, no holiday in between
    (D(2019, 3, 19), "61.12", D(2019, 4, 9)),  # Kalbar the day before its 7-day rule: 14 working days (3 April off)
    (D(2019, 3, 20), "61.12", D(2019, 3, 27)),  # Kalbar from 20 March 2019: 7 calendar days
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
    coverage = project_coverage(project(spk_date=D(2015, 6, 30)), D(2015, 8, 1), shipped.parameters)
    assert (coverage.deadline, coverage.days_late, coverage.registered_in_time) == (None, 0, True)


def test_late_registration_still_covers_from_payment(shipped: Ruleset) -> None:
    late = project(registered_on=D(2024, 8, 20), payments=[{"termin": 1, "amount": 1, "paid_on": D(2024, 8, 21)}])
    coverage = project_coverage(late, D(2024, 9, 1), shipped.parameters)
    assert (coverage.registered_in_time, coverage.days_late, coverage.covered_from, coverage.covered) == (
        False, 12, D(2024, 8, 21), True)


def test_registered_but_unpaid_or_never_registered_is_not_covered(shipped: Ruleset) -> None:
    unpaid = project_coverage(project(payments=[]), D(2024, 9, 1), shipped.parameters)
    assert (unpaid.covered, unpaid.covered_from, unpaid.registered_in_time) == (False, None, True)
    never = project_coverage(project(registered_on=None, payments=[]), D(2024, 8, 18), shipped.parameters)
    assert (never.covered, never.registered_in_time, never.days_late) == (False, False, 10)


def test_cover_never_starts_before_registration() -> None:
    paid_first = project(registered_on=D(2024, 8, 7))
    assert covered_from(paid_first) == D(2024, 8, 7)
    assert covered_from({**paid_first, "registered_on": "2024-08-02"}) == D(2024, 8, 5)  # ISO text works too


def test_without_parameters_only_cover_is_known() -> None:
    coverage = project_coverage(project(), D(2024, 8, 10), None)
    assert (coverage.deadline, coverage.covered, coverage.registered_in_time) == (None, True, True)
