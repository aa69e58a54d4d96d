"""Facts of a JKK incident: its kind and report (for a suspected work accident, the day BPJS concludes on it), its
outcome and the named item of the disability table, the costs claimed per kind (transport per mode, medical care,
home care, aids per kind).

Mechanisms only: sums per cost kind, and the disability table's percentage for a named item looked up in the
dated parameters ``jkk.disability_table.<item>`` (a left-handed participant's own value, where the table swaps
sides, under ``jkk.disability_table.left_handed.<item>``). A percentage or a range ``[low, high]`` is law, in the
parameters; a ruleset without the item's parameter (a replay under a ruleset older than the table) gives no table
facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .fact_catalogue import INPUT_VALUES
from .facts import started_years
from .parameters import Parameters

DISABILITY_TABLE = "jkk.disability_table"


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def disability_table(item: str, left_handed: bool, on: dt.date, parameters: Parameters) -> tuple[int, int] | None:
    """The table's (lowest, highest) percentage for ``item`` on ``on`` (equal for an item of one percentage), the
    left-handed value where the table has one; None when the ruleset has no value for it."""
    name = f"{DISABILITY_TABLE}.{item}"
    swapped = f"{DISABILITY_TABLE}.left_handed.{item}"
    if left_handed and swapped in parameters:
        name = swapped
    if name not in parameters:
        return None
    value = parameters.value(name, on)
    if value is None or isinstance(value, dt.date):
        return None
    if isinstance(value, tuple):
        low, high = value[0], value[-1]
        return int(low), int(high)
    return int(value), int(value)


def decision_due(reported: dt.date | None, on: dt.date, parameters: Parameters) -> dt.date | None:
    """The last day BPJS concludes on a suspected work accident: the stage-I report plus the days in force on the
    event date; None before that law (or in a ruleset without it)."""
    name = "jkk.suspected_decision_days"
    days = parameters.value(name, on) if name in parameters else None
    if reported is None or not isinstance(days, int):
        return None
    return reported + dt.timedelta(days=days)


def _disability_facts(outcome: Mapping[str, Any], on: dt.date, parameters: Parameters) -> dict[str, Any]:
    """The stated percentage; with a named item, the table's range, and its percentage when the doctor stated
    none and the table gives one."""
    facts: dict[str, Any] = {"disability_pct": outcome.get("disability_pct"),
                             "function_loss_pct": outcome.get("function_loss_pct")}
    item = outcome.get("disability_item")
    if not item:
        return facts
    facts.update(disability_item=item, left_handed=bool(outcome.get("left_handed")))
    table = disability_table(item, bool(outcome.get("left_handed")), on, parameters)
    if table is not None:
        low, high = table
        facts.update(disability_table_min=low, disability_table_max=high)
        if facts["disability_pct"] is None and low == high:
            facts["disability_pct"] = low
    return facts


def jkk_facts(incident: Mapping[str, Any], participant: Mapping[str, Any] | None, on: dt.date,
              parameters: Parameters) -> dict[str, Any]:
    """The facts of a JKK incident (``None`` values are dropped by the caller)."""
    outcome = incident.get("outcome") or {}
    costs = incident.get("costs") or {}
    transport = {"land": 0, "sea": 0, "air": 0}
    for item in costs.get("transport") or []:
        transport[item["mode"]] += int(item["amount"])
    aids = {kind: 0 for kind in INPUT_VALUES["aid_kind"]}
    for item in costs.get("aids") or []:
        aids[item["kind"]] += int(item["amount"])
    home_care = costs.get("home_care") or {}
    diagnosed = _date(incident.get("diagnosed_on"))
    ended = _date((participant or {}).get("employment_ended_on"))
    reported = _date(incident.get("reported_on"))
    suspected = bool(incident.get("suspected"))
    return {
        "incident_kind": incident.get("kind"), "reported_on": reported,
        "suspected_work_accident": suspected or None,
        "suspected_decision_due": decision_due(reported, on, parameters) if suspected else None,
        "route_deviation": incident.get("route_deviation"), "diagnosed_on": diagnosed,
        "pak_years_after_employment": started_years(ended, diagnosed) if diagnosed and ended and diagnosed >= ended
        else (0 if diagnosed and ended else None),
        "incident_flags": list(incident.get("flags") or []), "outcome_type": outcome.get("type"),
        "incapacity_months": outcome.get("incapacity_months"), **_disability_facts(outcome, on, parameters),
        "transport_land": transport["land"], "transport_sea": transport["sea"], "transport_air": transport["air"],
        # the claim's statement (the officer's evidence for this case), else the registry's record
        "actual_wage": incident.get("actual_wage") if incident.get("actual_wage") is not None
        else (participant or {}).get("actual_wage"),
        "medical_costs": costs.get("medical"), "home_care_costs": home_care.get("amount"),
        "home_care_months": home_care.get("months"), **{f"aid_{kind}": amount for kind, amount in aids.items()},
    }
