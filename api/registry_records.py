"""Read the registry records a claim needs as plain dicts, the form the pure engine takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .models import Contribution, Employer, JhtWithdrawal, Participant, Project


@dataclass(frozen=True)
class ClaimRecords:
    """Everything the registry knows that bears on one participant's claim."""

    participant: dict[str, Any] | None
    employer: dict[str, Any] | None = None
    project: dict[str, Any] | None = None
    contributions: list[dict[str, Any]] = field(default_factory=list)


# the columns a claim reads, built once and read as plain rows: ORM objects for the participant and employer cost
# more than the query on the claims hot path, and the NIK and name are never loaded for a claim
_PARTICIPANT_COLUMNS = ("kpj", "birth_date", "segment", "category", "employer_npp", "project_number", "programs",
                        "membership_start", "wage", "declared_income", "payer", "employment_ended_on", "jht_balance")
_EMPLOYER_COLUMNS = ("npp", "scale", "risk_class", "state_employer", "registered_on", "programs", "region_code")
_PARTICIPANT_AND_EMPLOYER = (
    select(*(getattr(Participant, c) for c in _PARTICIPANT_COLUMNS),
           *(getattr(Employer, c).label(f"er_{c}") for c in _EMPLOYER_COLUMNS))
    .outerjoin(Employer, Participant.employer_npp == Employer.npp)
    .where(Participant.kpj == bindparam("kpj")))
_WITHDRAWALS = (select(JhtWithdrawal.on, JhtWithdrawal.pct).where(JhtWithdrawal.kpj == bindparam("kpj"))
                .order_by(JhtWithdrawal.on))


def project_record(project: Project) -> dict[str, Any]:
    """A construction project with its termin payments."""
    return {"project_number": project.project_number, "contractor_npp": project.contractor_npp,
            "spk_date": project.spk_date, "contract_value": project.contract_value, "funding": project.funding,
            "region_code": project.region_code, "start_date": project.start_date, "end_date": project.end_date,
            "registered_on": project.registered_on,
            "payments": [{"termin": p.termin, "amount": p.amount, "paid_on": p.paid_on} for p in project.payments]}


# built once, columns only: a claim reads up to a few hundred months and needs no ORM objects for them
_MONTHS_UNTIL = (select(Contribution.period, Contribution.amount_due, Contribution.amount_paid, Contribution.paid_on)
                 .where(Contribution.payer_kind == bindparam("kind"), Contribution.payer_ref == bindparam("ref"),
                        Contribution.period <= bindparam("until"))
                 .order_by(Contribution.period))


def contributions_of(session: Session, payer_kind: str, payer_ref: str,
                     until: dt.date | None = None) -> list[dict[str, Any]]:
    """A payer's contribution months in period order, up to the month of ``until`` when given."""
    last = until.strftime("%Y-%m") if until is not None else "9999-12"
    rows = session.connection().execute(_MONTHS_UNTIL, {"kind": payer_kind, "ref": payer_ref, "until": last})
    return [row._asdict() for row in rows]


def claim_records(session: Session, kpj: str, event_date: dt.date, claim_type: str) -> ClaimRecords:
    """Participant, employer, project and the contributions that decide the status at ``event_date``."""
    # participant and employer in one round trip: this runs on every claim
    row = session.connection().execute(_PARTICIPANT_AND_EMPLOYER, {"kpj": kpj}).first()
    if row is None:
        return ClaimRecords(participant=None)
    values = row._mapping
    participant = {c: values[c] for c in _PARTICIPANT_COLUMNS}
    participant["programs"] = list(participant["programs"] or [])
    # only a JHT claim reads the withdrawal history; loading it costs a query
    participant["jht_partial_withdrawals"] = [
        {"on": on, "pct": pct} for on, pct in session.connection().execute(_WITHDRAWALS, {"kpj": kpj})] \
        if claim_type == "JHT" else []
    employer = None
    if values["er_npp"] is not None:  # the outer join found the employer
        employer = {c: values[f"er_{c}"] for c in _EMPLOYER_COLUMNS}
        employer["programs"] = list(employer["programs"] or [])
    project = session.get(Project, participant["project_number"]) if participant["project_number"] else None
    # PU status is the employer's; BPU status is the participant's own, whoever pays for them
    if participant["segment"] == "PU" and employer is not None:
        contributions = contributions_of(session, "employer", employer["npp"], event_date)
    elif participant["segment"] == "BPU":
        contributions = contributions_of(session, "participant", kpj, event_date)
    else:
        contributions = []
    return ClaimRecords(participant=participant, employer=employer,
                        project=project_record(project) if project else None, contributions=contributions)
