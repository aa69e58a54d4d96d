"""Derive the facts of a contribution assessment: what is owed for a PU or BPU month, a migrant worker's package
or a construction project, when it is due and how late it was paid.

Inputs (the validated request, JSON-ready, stored with the decision)::

    {type: pu_month, period, wage, risk_class, programs, jkp_registered, industry, active_workers, paid_on}
    {type: bpu_month, period, declared_income, programs, paid_on}
    {type: pmi, phase, package_months, contract_months, paid_on}          # paid_on defaults to the request day
    {type: jakon_project, spk_date, contract_value | wage}

The month's law is chosen by its first day (a month's rates, relief and discount), a package's by the day it is
paid, a project's by its SPK; the amounts are rules with formulas (rules/contribution/), the numbers parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .contributions import due_dates, months_late
from .facts import parse_period
from .parameters import Parameters

SEGMENTS = {"pu_month": "PU", "bpu_month": "BPU"}


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _discount_eligible(inputs: Mapping[str, Any], month: dt.date, parameters: Parameters) -> bool | None:
    industries = parameters.value("contribution.pu.jkk_discount_industries", month)
    minimum = parameters.value("contribution.pu.jkk_discount_min_workers", month)
    if industries is None or minimum is None or parameters.value("contribution.pu.jkk_discount_factor", month) is None:
        return None  # no discount in force that month
    workers = inputs.get("active_workers")
    return inputs.get("industry") in industries and workers is not None and workers >= minimum  # type: ignore


def derive_assessment(inputs: Mapping[str, Any], parameters: Parameters) -> dict[str, Any]:
    """The flat facts of one assessment."""
    kind = inputs["type"]
    facts: dict[str, Any] = {"case_kind": "contribution_assessment", "assessment_type": kind,
                             "programs": sorted(inputs.get("programs") or []) or None}
    paid = _date(inputs.get("paid_on"))
    if kind in SEGMENTS:
        year, month = parse_period(inputs["period"])
        first = dt.date(year, month, 1)
        due = due_dates(parameters, SEGMENTS[kind])((year, month))
        facts.update(event_date=first, assessment_due_on=due)
        if paid is not None:
            facts.update(assessment_paid_on=paid, months_late=months_late(due, paid))
        if kind == "pu_month":
            facts.update(wage=inputs.get("wage"), employer_risk_class=inputs.get("risk_class"),
                         jkp_registered=bool(inputs.get("jkp_registered")), industry=inputs.get("industry"),
                         active_workers=inputs.get("active_workers"),
                         jkk_discount_eligible=_discount_eligible(inputs, first, parameters))
        else:
            facts.update(declared_income=inputs.get("declared_income"))
    elif kind == "pmi":
        on = paid or _date(inputs.get("as_of"))
        facts.update(event_date=on, assessment_paid_on=on, pmi_phase=inputs.get("phase"),
                     pmi_package_months=inputs.get("package_months"))
        contract, package = inputs.get("contract_months"), inputs.get("package_months")
        if contract is not None and package is not None:
            facts["pmi_extra_months"] = max(0, int(contract) - int(package))
    else:
        facts.update(event_date=_date(inputs["spk_date"]), contract_value=inputs.get("contract_value"),
                     wage=inputs.get("wage"))
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in sorted(facts.items()) if value is not None}
