"""Derive the facts of a claim from its body and the registry records, under the deciding ruleset's parameters.

The API reads the records (plain values) and hands them to ``Ruleset.decide("claim", inputs)``, which calls
``derive_claim``; the inputs and the facts are both stored with the decision, so a replay under another ruleset
derives the facts again with that ruleset's law. The facts are JSON-ready (dates as ISO text, no None values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from dateutil.relativedelta import relativedelta

from .contributions import due_dates, parameter
from .facts import (
    ContributionStatus,
    age_at,
    claim_age_years,
    contribution_status,
    membership_months,
    parse_period,
    whole_months_after,
)
from .jkk_incident import jkk_facts
from .parameters import Parameters
from .projects import project_coverage
from .review import review_facts

SCHOLARSHIP_LEVELS = ("tk_sd", "smp", "sma", "university")  # the facts scholarship_children_<level>


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


def scholarship_levels(parameters: Parameters, on: dt.date) -> dict[str, str]:
    """Education level -> the scholarship level that pays for it, in force on ``on`` (kept per day)."""
    return parameters.per_day("scholarship.levels", on, lambda: {
        education: level for level in SCHOLARSHIP_LEVELS
        for education in parameter(parameters, f"scholarship.levels.{level}", on)})


def scholarship_children(heirs: Iterable[Mapping[str, Any]], on: dt.date, parameters: Parameters
                         ) -> list[Mapping[str, Any]]:
    """Children who could receive a scholarship on ``on``, eldest first: under the age limit, unmarried, not
    working, and at a level a scholarship pays for (a child not yet at school is not counted until it enters)."""
    limit = int(parameter(parameters, "scholarship.age_limit_years", on))
    levels = scholarship_levels(parameters, on)
    eligible = []
    for heir in heirs:
        birth = _optional_date(heir.get("birth_date"))
        if heir.get("relation") != "child" or birth is None or age_at(birth, on) >= limit:
            continue
        if not heir.get("married") and not heir.get("working") and heir.get("education_level") in levels:
            eligible.append((birth, heir))
    return [heir for _, heir in sorted(eligible, key=lambda pair: pair[0])]


def _scholarship_facts(heirs: list[Mapping[str, Any]], on: dt.date, parameters: Parameters) -> dict[str, Any]:
    if parameters.value("scholarship.age_limit_years", on) is None:
        return {}  # no scholarship law in force (an event before the SJSN programmes)
    children = scholarship_children(heirs, on, parameters)
    levels = scholarship_levels(parameters, on)
    paid = [levels[c["education_level"]] for c in children[:int(parameter(parameters, "scholarship.max_children", on))]]
    return {"school_children": len(children),
            **{f"scholarship_children_{level}": paid.count(level) for level in SCHOLARSHIP_LEVELS}}


def heir_classes(parameters: Parameters, on: dt.date) -> tuple[tuple[str, ...], ...]:
    """The classes of heirs in their legal order (``heirs.class_1``, ``class_2``, ... in force on ``on``; kept per
    day)."""
    def build() -> tuple[tuple[str, ...], ...]:
        classes: list[tuple[str, ...]] = []
        while f"heirs.class_{len(classes) + 1}" in parameters:
            value = parameters.value(f"heirs.class_{len(classes) + 1}", on)
            if not isinstance(value, tuple):
                break
            classes.append(tuple(str(relation) for relation in value))
        return tuple(classes)
    return parameters.per_day("heirs.classes", on, build)


def heir_class(heirs: Iterable[Mapping[str, Any]], classes: Sequence[tuple[str, ...]]) -> tuple[int, list[str]]:
    """The first class of heirs present in the legal order and its relations present (sorted); (len + 1, []) if
    none is."""
    relations = {h.get("relation") for h in heirs}
    for number, members in enumerate(classes, start=1):
        present = sorted(r for r in members if r in relations)
        if present:
            return number, present
    return len(classes) + 1, []


def _heir_facts(heirs: list[Mapping[str, Any]], on: dt.date, parameters: Parameters) -> dict[str, Any]:
    classes = heir_classes(parameters, on)
    if not classes:
        return {}
    number, present = heir_class(heirs, classes)
    return {"heir_class": number, "heirs_entitled": ", ".join(present) or None, "heirs_found": bool(present)}


def _participant_facts(participant: Mapping[str, Any], on: dt.date, contributions: list[Any],
                       parameters: Parameters) -> dict[str, Any]:
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
    ended = _optional_date(participant.get("employment_ended_on"))
    if segment == "PU" and ended is not None:
        # the worker's status is the employer's record for the months the worker was employed, not after
        contributions = [c for c in contributions if parse_period(_period(c)) <= (ended.year, ended.month)]
    if segment in ("PU", "BPU"):
        # PU status is the employer's whole record; BPU counts from the participant's own membership start
        # before the threshold's first value (an event before 2015-07-01, referred to the old regime) no lapse is
        # reckoned: deriving the facts must not fail on a date the rules send to a person
        threshold = parameters.value("membership.bpu_inactive_after_unpaid_months", on) \
            if segment == "BPU" and "membership.bpu_inactive_after_unpaid_months" in parameters else None
        inactive_after = int(threshold) if isinstance(threshold, int | Fraction) else None
        status = contribution_status(contributions, on, due_dates(parameters, segment),
                                     since=start if segment == "BPU" else None, inactive_after=inactive_after,
                                     until=ended if segment == "PU" else None)
        facts.update(contribution_overdue_months=status.overdue_months,
                     contribution_consecutive_unpaid_months=status.consecutive_unpaid_months,
                     contribution_paid_months=status.paid_months, contribution_active=status.active,
                     contribution_ever_paid=status.ever_paid, contribution_reactivated_on=status.reactivated_on)
        # the status just reckoned is the one the contribution period needs when it covers the same months: BPU
        # (from the membership start; the lapse threshold changes no month's payment) and PU with no
        # employment end (from the first record, when the membership began before it)
        known = status if segment == "BPU" or ended is None else None
    else:
        known = None
    facts["contribution_period_months"] = contribution_period_months(segment, start, on, contributions, parameters,
                                                                     known)
    return facts


def contribution_period_months(segment: str | None, start: dt.date | None, on: dt.date,
                               contributions: list[Any], parameters: Parameters,
                               known: ContributionStatus | None = None) -> int | None:
    """Months of contributions at ``on`` for minimum-period rules (the JKM scholarship), decision D3.

    BPU: the months fully paid since the membership start (the participant's own record). PU: the completed
    months of membership less the months due in the employer's record since the membership start that were
    not paid by ``on`` (the registry keeps a recent window only, so months before its first record count as
    paid). JAKON and PMI are covered by the project or placement package: the months of membership.
    ``known`` is the segment's status of these records at ``on`` when already reckoned: a BPU member's from the
    membership start, a PU worker's from the first record with no end date; it is used where it covers the
    same months.
    """
    if start is None:
        return None
    if segment == "BPU":
        status = known or contribution_status(contributions, on, due_dates(parameters, "BPU"), since=start)
        return status.paid_months
    months = membership_months(start, on)
    if segment == "PU" and contributions:
        first = min(parse_period(_period(c)) for c in contributions)
        since = max((start.year, start.month), first)
        unpaid = known if known is not None and since == first else contribution_status(
            contributions, on, due_dates(parameters, "PU"), since=dt.date(since[0], since[1], 1))
        months -= unpaid.overdue_months
    return max(0, months)


def _period(record: Any) -> Any:
    if isinstance(record, Mapping):
        return record["period"]
    return record[0] if isinstance(record, list | tuple) else record.period


def _project_facts(project: Mapping[str, Any] | None, on: dt.date, parameters: Parameters) -> dict[str, Any]:
    """A JAKON worker's cover comes from the project (D2); no project record means no cover."""
    if project is None:
        return {"project_covered": False}
    coverage = project_coverage(project, on, parameters)
    facts: dict[str, Any] = {"project_covered": coverage.covered, "project_covered_from": coverage.covered_from}
    if coverage.deadline is not None:
        facts.update(project_registration_deadline=coverage.deadline.day,
                     project_registered_in_time=coverage.registered_in_time, project_days_late=coverage.days_late)
    return facts


def claim_facts(claim: Mapping[str, Any], participant: Mapping[str, Any] | None,
                employer: Mapping[str, Any] | None, project: Mapping[str, Any] | None,
                contributions: Iterable[Any], parameters: Parameters,
                duplicate_of: str | None = None) -> dict[str, Any]:
    """The flat fact mapping of one claim (catalogue names only), ready for ``Ruleset.evaluate``.

    ``parameters`` (the deciding ruleset's) give the contribution due dates, the BPU inactivity threshold and a
    JAKON project's registration deadline and cover.
    """
    on = event_date(claim)
    filed = _date(claim["filed_on"])
    incident = claim["incident"]
    heirs = list(claim.get("heirs") or [])
    facts: dict[str, Any] = {
        "case_kind": "claim", "event_date": on, "claim_type": claim["claim_type"], "filed_on": filed,
        "claim_age_years": claim_age_years(on, filed) if filed >= on else 0,
        "months_event_to_filing": whole_months_after(on, filed),
        "duplicate_of": duplicate_of, "participant_registered": participant is not None,
        "documents": sorted(set(claim.get("documents") or [])), "heirs_count": len(heirs),
        **_scholarship_facts(heirs, on, parameters), **_heir_facts(heirs, on, parameters),
    }
    if participant is not None:
        facts.update(_participant_facts(participant, on, list(contributions), parameters))
        if participant.get("segment") == "JAKON":
            facts.update(_project_facts(project, on, parameters))
    if employer is not None:
        facts.update(employer_scale=employer.get("scale"), employer_risk_class=employer.get("risk_class"),
                     state_employer=employer.get("state_employer"))
    if claim["claim_type"] == "JKK":
        facts.update(jkk_facts(incident, participant, on, parameters))
    elif claim["claim_type"] == "JKM":
        facts.update(death_cause=incident.get("cause"), placement=incident.get("placement"))
    else:
        # a channel limit is about the claim: chosen by the filing date (REFERENCE, rule of thumb)
        facts.update(jht_reason=incident.get("reason"), jht_online_limit=parameters.value("jht.online_claim_limit",
                                                                                        filed),
                     jht_claimable_from=jht_claimable_from(incident.get("reason"), on, parameters),
                     contractual_retirement_age=incident.get("contractual_retirement_age"))
    return {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in sorted(facts.items()) if value is not None}


def jht_claimable_from(reason: str | None, on: dt.date, parameters: Parameters) -> dt.date | None:
    """After a resignation or a termination: the event plus the waiting months in force on it, by calendar-month
    arithmetic (31 January + 1 month = 28 February, as ``months_event_to_filing`` counts); otherwise None."""
    if reason not in ("resignation", "termination") or "jht.waiting_months" not in parameters:
        return None
    months = parameters.value("jht.waiting_months", on)
    return on + relativedelta(months=int(months)) if isinstance(months, int) else None


def derive_claim(inputs: Mapping[str, Any], parameters: Parameters) -> dict[str, Any]:
    """Facts of a claim from its stored inputs: ``{claim, participant, employer, project, contributions,
    duplicate_of, review}`` (the claim body and the registry records as read, JSON-ready; ``review`` holds a
    supervisor's findings, whose verified papers count as attached)."""
    facts = claim_facts(inputs["claim"], inputs.get("participant"), inputs.get("employer"), inputs.get("project"),
                        inputs.get("contributions") or (), parameters, duplicate_of=inputs.get("duplicate_of"))
    reviewed = review_facts(inputs.get("review"))
    if reviewed:
        if "documents_verified" in reviewed:
            facts["documents"] = sorted({*facts.get("documents", []), *reviewed["documents_verified"]})
        facts = dict(sorted({**facts, **reviewed}.items()))
    return facts
