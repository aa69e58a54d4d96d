"""Writes to the registry shared by the admin endpoints and the bulk import: upserts and reference checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from .models import Contribution, Employer, JhtWithdrawal, Participant, Project, ProjectPayment

FieldErrors = dict[str, list[str]]


def _upsert(session: Session, model: type[Any], key: str, data: dict[str, Any],
            children: dict[str, type[Any]] | None = None) -> tuple[Any, bool]:
    """Create or replace one record by primary key; child lists (payments, withdrawals) are replaced whole."""
    children = children or {}
    record = session.get(model, key)
    created = record is None
    if record is None:
        record = model()
        setattr(record, model.__mapper__.primary_key[0].key, key)
        session.add(record)
    for name, value in data.items():
        if name in children:
            value = [children[name](**item) for item in value or []]
        setattr(record, name, value)
    return record, created


def upsert_employer(session: Session, npp: str, data: dict[str, Any]) -> tuple[Employer, bool]:
    """Create or replace an employer; returns the record and whether it was created."""
    return _upsert(session, Employer, npp, data)


def participant_reference_errors(session: Session, data: dict[str, Any]) -> FieldErrors:
    """Errors for an employer or project the participant names but the registry lacks."""
    errors: FieldErrors = {}
    npp, number = data.get("employer_npp"), data.get("project_number")
    if npp is not None and session.get(Employer, npp) is None:
        errors["employer_npp"] = [f"No employer {npp} in the registry."]
    if number is not None:
        project = session.get(Project, number)
        if project is None:
            errors["project_number"] = [f"No project {number} in the registry."]
        elif npp is not None and project.contractor_npp != npp:
            errors["project_number"] = [f"Project {number} belongs to contractor {project.contractor_npp}, not {npp}."]
    return errors


def upsert_participant(session: Session, kpj: str, data: dict[str, Any]) -> tuple[Participant, bool]:
    """Create or replace a participant and its partial-withdrawal history."""
    return _upsert(session, Participant, kpj, data, {"jht_partial_withdrawals": JhtWithdrawal})


def project_reference_errors(session: Session, data: dict[str, Any]) -> FieldErrors:
    """Errors for a contractor the project names but the registry lacks."""
    npp = data.get("contractor_npp")
    if npp is not None and session.get(Employer, npp) is None:
        return {"contractor_npp": [f"No employer {npp} in the registry."]}
    return {}


def upsert_project(session: Session, number: str, data: dict[str, Any]) -> tuple[Project, bool]:
    """Create or replace a construction project and its termin payments."""
    return _upsert(session, Project, number, data, {"payments": ProjectPayment})


def split_payer(payer: str) -> tuple[str, str]:
    """``employer:61120001`` -> ``("employer", "61120001")``."""
    kind, _, ref = payer.partition(":")
    return kind, ref


def contribution_reference_errors(session: Session, items: list[dict[str, Any]]) -> FieldErrors:
    """Errors for payers that are not in the registry, keyed by item path (``items.3.payer``)."""
    employers = {split_payer(i["payer"])[1] for i in items if i["payer"].startswith("employer:")}
    participants = {split_payer(i["payer"])[1] for i in items if i["payer"].startswith("participant:")}
    known_employers = set(_existing(session, Employer.npp, employers))
    known_participants = set(_existing(session, Participant.kpj, participants))
    errors: FieldErrors = {}
    for index, item in enumerate(items):
        kind, ref = split_payer(item["payer"])
        known = known_employers if kind == "employer" else known_participants
        if ref not in known:
            errors[f"items.{index}.payer"] = [f"No {kind} {ref} in the registry."]
    return errors


def _existing(session: Session, column: Any, keys: set[str]) -> list[str]:
    found: list[str] = []
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        found += session.scalars(select(column).where(column.in_(ordered[start:start + 500]))).all()
    return found


def store_contributions(session: Session, items: list[dict[str, Any]]) -> tuple[int, int]:
    """Upsert contribution months keyed by (payer, period); returns (created, updated)."""
    rows = []
    for item in items:
        kind, ref = split_payer(item["payer"])
        rows.append({"payer_kind": kind, "payer_ref": ref, "period": item["period"],
                     "amount_due": item["amount_due"], "amount_paid": item["amount_paid"],
                     "paid_on": item.get("paid_on")})
    keys = [(r["payer_kind"], r["payer_ref"], r["period"]) for r in rows]
    existing: dict[tuple[str, str, str], Contribution] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for stored in session.scalars(select(Contribution).where(
                tuple_(Contribution.payer_kind, Contribution.payer_ref, Contribution.period).in_(chunk))):
            existing[(stored.payer_kind, stored.payer_ref, stored.period)] = stored
    new_rows = []
    for key, row in zip(keys, rows, strict=True):
        if key in existing:
            for name, value in row.items():
                setattr(existing[key], name, value)
        else:
            new_rows.append(row)
    if new_rows:
        session.execute(insert(Contribution), new_rows)
    session.flush()
    return len(new_rows), len(rows) - len(new_rows)
