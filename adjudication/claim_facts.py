"""Gather the facts of a claim from its body and the registry records, all as plain values.

The API reads the records (dicts) and calls ``claim_facts``; the result is JSON-ready (dates as ISO text,
no None values), stored with the decision, and evaluates to the same decision when replayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from .facts import age_at, claim_age_years, contribution_status, membership_months, started_years

EDUCATED = ("tk", "sd", "smp", "sma", "university")


def event_date(claim: Mapping[str, Any]) -> dt.date:
    """The date that selects the law: the diagnosis for an occupational disease, else the incident date."""
    incident = claim["incident"]
    if claim["claim_type"] == "JKK" and incident.get("kind") == "occupational_disease" \
            and incident.get("diagnosed_on"):
        return _date(incident["diagnosed_on"])
    return _date(incident["date"])


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _optional_date(value: Any) -> dt.date | None:
    return None if value is None else _date(value)


def _school_children(heirs: Iterable[Mapping[str, Any]], on: dt.date) -> int:
    """Children who could receive a scholarship: under 23, unmarried, not working, in education."""
    count = 0
    for heir in heirs:
        birth = _optional_date(heir.get("birth_date"))
        if heir.get("relation") != "child" or birth is None or age_at(birth, on) >= 23:
            continue
        if not heir.get("married") and not heir.get("working") and heir.get("education_level") in EDUCATED:
            count += 1
    return count


def _participant_facts(participant: Mapping[str, Any], on: dt.date, contributions: list[Any]) -> dict[str, Any]:
    segment = participant.get("segment")
    start = _optional_date(participant.get("membership_start"))
    birth = _optional_date(participant.get("birth_date"))
    facts: dict[str, Any] = {
        "segment": segment, "category": participant.get("category"),
        "programs": list(participant.get("programs") or []), "birth_date": birth,
        "age_years": age_at(birth, on) if birth else None, "membership_start": start,
        "membership_months": membership_months(start, on) if start else None,
        "employment_ended_on": _optional_date(participant.get("employment_ended_on")),
        "wage": participant.get("wage"), "declared_income": participant.get("declared_income"),
        "payer": participant.get("payer"), "jht_balance": participant.get("jht_balance"),
        "jht_partial_withdrawals": len(participant.get("jht_partial_withdrawals") or []),
    }
    if segment in ("PU", "BPU"):
        # PU status is the employer's whole record; BPU counts from the participant's own membership start
        status = contribution_status(contributions, on, rule=segment, since=start if segment == "BPU" else None)
        facts.update(contribution_overdue_months=status.overdue_months,
                     contribution_consecutive_unpaid_months=status.consecutive_unpaid_months,
                     contribution_paid_months=status.paid_months, contribution_active=status.active)
    return facts


def _jkk_facts(incident: Mapping[str, Any], participant: Mapping[str, Any] | None) -> dict[str, Any]:
    outcome = incident.get("outcome") or {}
    costs = incident.get("costs") or {}
    transport = {"land": 0, "sea": 0, "air": 0}
    for item in costs.get("transport") or []:
        transport[item["mode"]] += int(item["amount"])
    diagnosed = _optional_date(incident.get("diagnosed_on"))
    ended = _optional_date((participant or {}).get("employment_ended_on"))
    return {
        "incident_kind": incident.get("kind"), "reported_on": _optional_date(incident.get("reported_on")),
        "route_deviation": incident.get("route_deviation"), "diagnosed_on": diagnosed,
        "pak_years_after_employment": started_years(ended, diagnosed) if diagnosed and ended and diagnosed >= ended
        else (0 if diagnosed and ended else None),
        "incident_flags": list(incident.get("flags") or []), "outcome_type": outcome.get("type"),
        "incapacity_months": outcome.get("incapacity_months"), "disability_pct": outcome.get("disability_pct"),
        "function_loss_pct": outcome.get("function_loss_pct"), "transport_land": transport["land"],
        "transport_sea": transport["sea"], "transport_air": transport["air"],
        "medical_costs": costs.get("medical"),
    }


def claim_facts(claim: Mapping[str, Any], participant: Mapping[str, Any] | None,
                employer: Mapping[str, Any] | None = None, project: Mapping[str, Any] | None = None,
                contributions: Iterable[Any] = (), duplicate_of: str | None = None) -> dict[str, Any]:
    """The flat fact mapping of one claim (catalogue names only), ready for ``Ruleset.evaluate``."""
    on = event_date(claim)
    filed = _date(claim["filed_on"])
    incident = claim["incident"]
    heirs = list(claim.get("heirs") or [])
    facts: dict[str, Any] = {
        "event_date": on, "claim_type": claim["claim_type"], "filed_on": filed,
        "claim_age_years": claim_age_years(on, filed) if filed >= on else 0,
        "duplicate_of": duplicate_of, "participant_registered": participant is not None,
        "documents": sorted(set(claim.get("documents") or [])), "heirs_count": len(heirs),
        "school_children": _school_children(heirs, on),
    }
    if participant is not None:
        facts.update(_participant_facts(participant, on, list(contributions)))
    if employer is not None:
        facts.update(employer_scale=employer.get("scale"), employer_risk_class=employer.get("risk_class"),
                     state_employer=employer.get("state_employer"))
    if claim["claim_type"] == "JKK":
        facts.update(_jkk_facts(incident, participant))
    elif claim["claim_type"] == "JKM":
        facts.update(death_cause=incident.get("cause"), placement=incident.get("placement"))
    else:
        facts.update(jht_reason=incident.get("reason"))
    # project facts (JAKON coverage) arrive with the next rules; the record is accepted now
    del project
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in sorted(facts.items()) if value is not None}
