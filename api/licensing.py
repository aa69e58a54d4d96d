"""Licensing endpoints (role ``licensing``): membership clearance of a business and a project's coverage.

Both are decisions like claims: derived from the registry under the current ruleset, evaluated by the rules,
and stored in the hash-chained decision log (kinds ``clearance`` and ``project_coverage``) with their inputs
and facts, so they replay. The answers carry no worker's personal data: the inputs hold employer, contribution
and project records only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from adjudication.chain import check_link
from adjudication.kinds import status

from . import decision_log
from .auth import requires_role
from .dates import today
from .db import get_session
from .deciding import Case, record
from .errors import NotFound
from .licensing_schemas import (
    ClearanceBatchResultSchema,
    ClearanceBatchSchema,
    ClearanceQuerySchema,
    ClearanceSchema,
    CoverageQuerySchema,
    CoverageSchema,
)
from .models import DecisionRecord
from .registry_records import clearance_employers, projects_by_number

blp = Blueprint("licensing", __name__, url_prefix="/v1",
                description="Licensing offices check that a business is in good standing and that a construction "
                            "project is covered.")
MAX_TERMINS = 3


def _identity(stored: decision_log.Stored) -> dict[str, Any]:
    return {"decision_id": stored.decision_id, "ruleset_version": stored.ruleset_version,
            "decided_at": decision_log.utc_iso(stored.decided_at), "hash": stored.hash,
            "reasons": stored.result["reasons"]}


def check_clearances(session: Session, items: Sequence[dict[str, str]], as_of: dt.date) -> list[dict[str, Any]]:
    """Decide and store the clearance of each item ``{nib, purpose, region_code}``, in order; committed."""
    employers = clearance_employers(session, {item["nib"] for item in items}, as_of)
    cases = [Case(item["nib"], {"nib": item["nib"], "purpose": item["purpose"], "region_code": item["region_code"],
                                "as_of": as_of.isoformat(), "employers": employers[item["nib"]]}) for item in items]
    decided = record(session, current_app.extensions["rulesets"], "clearance", cases)
    session.commit()
    return [clearance_view(case.inputs, d.record) for case, d in zip(cases, decided, strict=True)]


def clearance_view(inputs: dict[str, Any], stored: decision_log.Stored) -> dict[str, Any]:
    """A clearance as the licensing office reads it."""
    names = [e["name"] for e in inputs["employers"]]
    return {**_identity(stored), "nib": inputs["nib"], "employer_name": "; ".join(names) or None,
            "status": status("clearance", stored.result["outcome"]), "purpose": inputs["purpose"],
            "region_code": inputs["region_code"], "checked_on": inputs["as_of"]}


def check_coverage(session: Session, project_number: str, as_of: dt.date) -> dict[str, Any]:
    """Decide and store a project's coverage on ``as_of``; committed. 404 for an unknown project."""
    project = projects_by_number(session, [project_number]).get(project_number)
    if project is None:
        raise NotFound(f"No project {project_number}.")
    decided = record(session, current_app.extensions["rulesets"], "project_coverage",
                     [Case(project_number, {"project": project, "as_of": as_of.isoformat()})])[0]
    session.commit()
    return coverage_view(project_number, decided.record)


def _termin_status(amount: int, paid: int, due_on: str | None, as_of: str) -> str:
    if paid >= amount:
        return "paid"
    if due_on is not None and due_on < as_of:
        return "overdue"
    return "partly_paid" if paid else "not_due"


def coverage_view(project_number: str, stored: decision_log.Stored) -> dict[str, Any]:
    """A project's coverage as the licensing office reads it, from the decision's facts and amounts."""
    facts = stored.facts
    as_of = facts["checked_on"]
    termins = []
    for number in range(1, MAX_TERMINS + 1):
        prefix = f"project_termin_{number}"
        if f"{prefix}_amount" not in facts:
            break
        amount, paid, due_on = facts[f"{prefix}_amount"], facts[f"{prefix}_paid"], facts.get(f"{prefix}_due_on")
        termins.append({"termin": number, "amount": amount, "due_on": due_on, "paid": paid,
                        "paid_on": facts.get(f"{prefix}_paid_on"),
                        "status": _termin_status(amount, paid, due_on, as_of)})
    basis = {item["code"].removeprefix("JAKON_CONTRIBUTION_").lower(): item["basis"]
             for item in stored.result.get("amounts") or [] if item["code"].startswith("JAKON_CONTRIBUTION_")}
    return {**_identity(stored), "project_number": project_number,
            "status": status("project_coverage", stored.result["outcome"]), "as_of": as_of,
            "spk_date": facts["event_date"], "contract_value": facts.get("contract_value"),
            "registered_in_time": facts.get("project_registered_in_time", False),
            "deadline": facts.get("project_registration_deadline"),
            "registered_on": facts.get("project_registered_on"), "days_late": facts.get("project_days_late", 0),
            "covered_from": facts.get("project_covered_from"),
            "contribution": {"jkk": facts.get("project_contribution_jkk"), "jkm": facts.get("project_contribution_jkm"),
                             "total": facts.get("project_contribution_total"), "basis": basis, "termins": termins,
                             "unpaid_due": facts.get("project_overdue_amount", 0)}}


def stored_answer(session: Session, decision_id: str) -> dict[str, Any] | None:
    """A licensing answer read back from the decision log as it was given (None for another kind or no such id).

    ``kind`` says which; ``intact`` whether the record still gives its stored hash; ``checked_by`` the token's name.
    """
    stored = session.get(DecisionRecord, decision_id)
    if stored is None or stored.kind not in ("clearance", "project_coverage") or stored.inputs is None:
        return None
    if stored.kind == "clearance":
        answer = clearance_view(stored.inputs, stored)
    else:
        answer = coverage_view(stored.subject, stored)
    intact = check_link(stored.prev_hash, decision_log.record_content(stored)) is None
    checked_by = (stored.actor or {}).get("name")
    return {**answer, "kind": stored.kind, "intact": intact, "checked_by": checked_by}


@blp.route("/clearances", methods=["GET"])
@requires_role("licensing")
@blp.arguments(ClearanceQuerySchema(), location="query")
@blp.response(200, ClearanceSchema)
def get_clearance(query: dict[str, Any]) -> dict[str, Any]:
    """Is the business (by NIB) a member in good standing today? Stored as a decision; an unknown NIB is
    ``not_clear`` with ``NOT_REGISTERED``."""
    return check_clearances(get_session(), [query], query.get("as_of") or today())[0]


@blp.route("/clearances/batch", methods=["POST"])
@requires_role("licensing")
@blp.arguments(ClearanceBatchSchema())
@blp.response(200, ClearanceBatchResultSchema)
def post_clearance_batch(body: dict[str, Any]) -> dict[str, Any]:
    """Up to 500 clearances (a month of permit renewals), answered in order and each stored; an invalid item
    refuses the whole batch (422 naming ``items.N.field``) and stores nothing."""
    answers = check_clearances(get_session(), body["items"], body.get("as_of") or today())
    return {"count": len(answers), "clear": sum(a["status"] == "clear" for a in answers), "items": answers}


@blp.route("/projects/<project_number>/coverage", methods=["GET"])
@requires_role("licensing")
@blp.arguments(CoverageQuerySchema(), location="query")
@blp.response(200, CoverageSchema)
def get_coverage(query: dict[str, Any], project_number: str) -> dict[str, Any]:
    """Is the construction project covered on ``as_of`` (default today)? Deadline, lateness, the contribution by
    the marginal tiers and the termins paid, due and unpaid; stored as a decision."""
    return check_coverage(get_session(), project_number, query.get("as_of") or today())
