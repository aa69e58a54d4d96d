"""Derive the facts of a membership clearance: is a business (by NIB) in good standing on the check date?

Inputs (JSON-ready, stored with the decision)::

    {nib, purpose, region_code, as_of,
     employers: [{npp, name, scale, state_employer, sector, region_code, registered_on, programs,
                  contributions: [[period, amount_due, amount_paid, paid_on], ...],   # its PU months
                  projects: [{project_number, spk_date, contract_value, region_code, end_date, registered_on,
                              payments: [...]}, ...]}]}                                # as contractor

A NIB may have several employer registrations (branches); the business is judged on all of them together.
Every number comes from the ruleset's parameters: the programmes each scale must join
(``clearance.required_programs.<scale>``; ``.state_employer`` for a state body), the contribution due dates
(``membership.contribution_due.pu``), the late fine (``contribution.pu.fine_rate_per_month``), the overdue months a
region allows (``clearance.allowed_overdue_months``
per region, decision D12), and the projects' deadlines and termins (``projects.project_coverage``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .contributions import DueDate, due_dates, months_late, parameter, region_value
from .facts import ContributionStatus, contribution_status, parse_period
from .parameters import Parameters
from .projects import project_coverage

PROGRAM_ORDER = ("JKK", "JKM", "JHT", "JP")


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def missing_programs(employer: Mapping[str, Any], on: dt.date, parameters: Parameters) -> list[str]:
    """The programmes the employer's scale requires (Perpres 109/2013 Pasal 6) that it has not joined."""
    group = "state_employer" if employer.get("state_employer") else str(employer.get("scale"))
    required = parameter(parameters, f"clearance.required_programs.{group}", on)
    have = set(employer.get("programs") or [])
    return [p for p in PROGRAM_ORDER if p.lower() in required and p not in have]


def arrears_fine(contributions: list[Any], status: ContributionStatus, on: dt.date, due: DueDate,
                 parameters: Parameters) -> Fraction:
    """The late fine on the overdue months at ``on``: what is still owed of each, times the fine rate of its month
    (``contribution.pu.fine_rate_per_month``), times the months begun since it was due."""
    owed: dict[str, int] = {}
    for period, amount_due, amount_paid, paid_on in contributions:
        counted = amount_paid if paid_on is not None and dt.date.fromisoformat(paid_on) <= on else 0
        owed[period] = owed.get(period, 0) + int(amount_due) - int(counted)
    fine = Fraction(0)
    for period in status.overdue_periods:
        year, month = parse_period(period)
        rate = parameter(parameters, "contribution.pu.fine_rate_per_month", dt.date(year, month, 1))
        fine += max(0, owed.get(period, 0)) * Fraction(rate) * months_late(due((year, month)), on)
    return fine


def derive_clearance(inputs: Mapping[str, Any], parameters: Parameters) -> dict[str, Any]:
    """The flat facts of one clearance check."""
    on = _date(inputs["as_of"])
    assert on is not None
    employers = list(inputs.get("employers") or [])
    facts: dict[str, Any] = {"case_kind": "clearance", "event_date": on.isoformat(), "checked_on": on.isoformat(),
                             "purpose": inputs.get("purpose"), "employer_registered": bool(employers)}
    allowed = region_value(parameters, "clearance.allowed_overdue_months", ("months",), inputs.get("region_code"),
                           on)
    if allowed is not None:
        facts["clearance_allowed_overdue_months"] = int(allowed[2])  # type: ignore[arg-type]
    if not employers:
        return facts
    missing: set[str] = set()
    overdue_periods: set[str] = set()
    overdue_months = arrears = 0
    fine = Fraction(0)
    unregistered: list[str] = []
    unpaid: list[str] = []
    unpaid_amount = projects = 0
    due = due_dates(parameters, "PU")
    for employer in employers:
        missing.update(missing_programs(employer, on, parameters))
        months = employer.get("contributions") or []
        status = contribution_status(months, on, due)
        overdue_months = max(overdue_months, status.overdue_months)
        overdue_periods.update(status.overdue_periods)
        arrears += status.overdue_amount
        fine += arrears_fine(months, status, on, due, parameters)
        for project in employer.get("projects") or []:
            spk = _date(project.get("spk_date"))
            if spk is None or spk > on:
                continue
            projects += 1
            coverage = project_coverage(project, on, parameters)
            past_deadline = coverage.deadline is not None and coverage.deadline.day < on
            if coverage.registered_on is None or coverage.registered_on > on:
                if past_deadline:
                    unregistered.append(project["project_number"])
                continue
            overdue = coverage.overdue_termins()
            if overdue:
                unpaid.append(project["project_number"])
                unpaid_amount += sum(t.overdue for t in overdue)
    first = employers[0]
    facts.update(
        employer_scale=first.get("scale"), state_employer=bool(first.get("state_employer")),
        programs=sorted({p for e in employers for p in e.get("programs") or []}),
        employer_programs_missing=[p for p in PROGRAM_ORDER if p in missing] or None,
        employer_overdue_months=overdue_months, employer_overdue_periods=", ".join(sorted(overdue_periods)) or None,
        employer_arrears_amount=arrears, employer_arrears_fine=math.floor(fine), contractor_projects=projects,
        projects_unregistered=sorted(unregistered) or None, projects_unpaid=sorted(unpaid) or None,
        projects_unpaid_amount=unpaid_amount)
    return {name: value for name, value in sorted(facts.items()) if value is not None}
