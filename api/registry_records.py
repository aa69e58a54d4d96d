"""Read the registry records a decision needs, as the JSON-ready inputs stored with it.

A decision keeps its raw inputs (the request and the registry records as read) beside the facts derived from
them, so a replay under another ruleset derives the facts again. Dates are ISO text; contribution months are
compact rows ``[period, amount_due, amount_paid, paid_on]``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from . import hot_sql
from .models import Contribution, Employer, JhtWithdrawal, Participant, Project, ProjectPayment

_PLAIN = frozenset({str, int, float, bool, type(None)})


def json_ready(value: Any) -> Any:
    """Dates as ISO text, tuples as lists, recursively: the form inputs are hashed and stored in."""
    if type(value) in _PLAIN:  # most of a claim's inputs: returned as they are, without the isinstance chain
        return value
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# the columns a claim reads, built once and read as plain rows on the DBAPI cursor (api.hot_sql): ORM objects for
# the participant and employer cost more than the query on the claims hot path, and the NIK and name are never
# loaded for a claim
_PARTICIPANT_COLUMNS = ("kpj", "birth_date", "segment", "category", "employer_npp", "project_number", "programs",
                        "membership_start", "wage", "actual_wage", "declared_income", "payer", "employment_ended_on",
                        "jht_balance")
_EMPLOYER_COLUMNS = ("npp", "scale", "risk_class", "state_employer", "registered_on", "programs", "region_code")
_PARTICIPANT_AND_EMPLOYER = hot_sql.Statement(
    select(*(getattr(Participant, c) for c in _PARTICIPANT_COLUMNS),
           *(getattr(Employer, c).label(f"er_{c}") for c in _EMPLOYER_COLUMNS))
    .outerjoin(Employer, Participant.employer_npp == Employer.npp)
    .where(Participant.kpj == bindparam("kpj")))
_WITHDRAWALS = hot_sql.Statement(select(JhtWithdrawal.on, JhtWithdrawal.pct)
                                 .where(JhtWithdrawal.kpj == bindparam("kpj")).order_by(JhtWithdrawal.on))
# built once, columns only: a claim reads up to a few hundred months and needs no ORM objects for them
_MONTHS_UNTIL = hot_sql.Statement(
    select(Contribution.period, Contribution.amount_due, Contribution.amount_paid, Contribution.paid_on)
    .where(Contribution.payer_kind == bindparam("kind"), Contribution.payer_ref == bindparam("ref"),
           Contribution.period <= bindparam("until"))
    .order_by(Contribution.period))
_PROJECT_COLUMNS = ("project_number", "contractor_npp", "spk_date", "contract_value", "funding", "region_code",
                    "start_date", "end_date", "registered_on")


def _row(period: str, due: int, paid: int, paid_on: dt.date | None) -> list[Any]:
    return [period, due, paid, paid_on.isoformat() if paid_on else None]


def _record(columns: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    """A registry row read with ``ready_rows`` (JSON-ready), ``programs`` as a list."""
    record = dict(zip(columns, values, strict=True))
    record["programs"] = list(record["programs"] or [])
    return record


def contributions_of(session: Session, payer_kind: str, payer_ref: str,
                     until: dt.date | None = None) -> list[list[Any]]:
    """A payer's contribution months in period order (compact rows), up to the month of ``until`` when given."""
    last = until.strftime("%Y-%m") if until is not None else "9999-12"
    return [list(row) for row in _MONTHS_UNTIL.ready_rows(session, {"kind": payer_kind, "ref": payer_ref,
                                                                    "until": last})]


def projects_by_number(session: Session, numbers: Iterable[str] = (), contractors: Iterable[str] = ()
                       ) -> dict[str, dict[str, Any]]:
    """Projects (with their payments) by number, or all projects of the given contractors; JSON-ready."""
    numbers, contractors = list(numbers), list(contractors)
    if not numbers and not contractors:
        return {}
    where = Project.project_number.in_(numbers) if numbers else Project.contractor_npp.in_(contractors)
    projects = {row.project_number: {**{c: getattr(row, c) for c in _PROJECT_COLUMNS}, "payments": []}
                for row in session.execute(select(*(getattr(Project, c) for c in _PROJECT_COLUMNS)).where(where)
                                           .order_by(Project.project_number))}
    if projects:
        payments = select(ProjectPayment.project_number, ProjectPayment.termin, ProjectPayment.amount,
                          ProjectPayment.paid_on).where(ProjectPayment.project_number.in_(list(projects))) \
            .order_by(ProjectPayment.project_number, ProjectPayment.termin, ProjectPayment.paid_on)
        for number, termin, amount, paid_on in session.execute(payments):
            projects[number]["payments"].append({"termin": termin, "amount": amount, "paid_on": paid_on})
    return {number: json_ready(project) for number, project in projects.items()}


def claim_inputs(session: Session, claim: dict[str, Any], event_date: dt.date,
                 duplicate_of: str | None) -> dict[str, Any]:
    """What a claim is decided from: its body and the participant, employer, project and contribution months
    that decide the status at ``event_date`` (PU: the employer's; BPU: the participant's own)."""
    kpj = claim["kpj"]
    inputs: dict[str, Any] = {"claim": json_ready(claim), "duplicate_of": duplicate_of}
    # participant and employer in one round trip: this runs on every claim
    rows = _PARTICIPANT_AND_EMPLOYER.ready_rows(session, {"kpj": kpj})
    if not rows:
        return inputs
    row, split = rows[0], len(_PARTICIPANT_COLUMNS)
    participant = _record(_PARTICIPANT_COLUMNS, row[:split])
    # only a JHT claim reads the withdrawal history; loading it costs a query
    participant["jht_partial_withdrawals"] = [
        {"on": on, "pct": pct} for on, pct in _WITHDRAWALS.ready_rows(session, {"kpj": kpj})] \
        if claim["claim_type"] == "JHT" else []
    inputs["participant"] = participant
    employer = None
    if row[split] is not None:  # the outer join found the employer
        employer = inputs["employer"] = _record(_EMPLOYER_COLUMNS, row[split:])
    if participant["project_number"]:
        inputs["project"] = projects_by_number(session, [participant["project_number"]]).get(
            participant["project_number"])
    # PU status is the employer's; BPU status is the participant's own, whoever pays for them
    if participant["segment"] == "PU" and employer is not None:
        inputs["contributions"] = contributions_of(session, "employer", employer["npp"], event_date)
    elif participant["segment"] == "BPU":
        inputs["contributions"] = contributions_of(session, "participant", kpj, event_date)
    return inputs


_CLEARANCE_EMPLOYER = ("npp", "nib", "name", "scale", "sector", "risk_class", "state_employer", "region_code",
                       "registered_on", "programs")


def clearance_employers(session: Session, nibs: Iterable[str], until: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Per NIB, its employer registrations with their PU contribution months (up to ``until``) and their projects
    as contractor; JSON-ready. A NIB the registry does not know maps to an empty list. Three queries in all."""
    found: dict[str, list[dict[str, Any]]] = {nib: [] for nib in nibs}
    if not found:
        return found
    employers = {}
    for row in session.execute(select(*(getattr(Employer, c) for c in _CLEARANCE_EMPLOYER))
                               .where(Employer.nib.in_(list(found))).order_by(Employer.npp)):
        employer = {c: getattr(row, c) for c in _CLEARANCE_EMPLOYER}
        employer["programs"] = list(employer["programs"] or [])
        employer["contributions"] = []
        employers[row.npp] = employer
    if employers:
        months: dict[str, list[list[Any]]] = defaultdict(list)
        query = (select(Contribution.payer_ref, Contribution.period, Contribution.amount_due,
                        Contribution.amount_paid, Contribution.paid_on)
                 .where(Contribution.payer_kind == "employer", Contribution.payer_ref.in_(list(employers)),
                        Contribution.period <= until.strftime("%Y-%m"))
                 .order_by(Contribution.payer_ref, Contribution.period))
        for ref, period, due, paid, paid_on in session.execute(query):
            months[ref].append(_row(period, due, paid, paid_on))
        by_contractor: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for project in projects_by_number(session, contractors=list(employers)).values():
            by_contractor[project["contractor_npp"]].append(project)
        for npp, employer in employers.items():
            employer["contributions"] = months[npp]
            employer["projects"] = by_contractor[npp]
            found[employer["nib"]].append(json_ready(employer))
    return found
