"""A claim as the officer sees it: the current decision and every decision made on it, from the decision log.

Every decision on a claim is a record of kind ``claim`` whose subject is the claim id; the ``claims`` row points
at the latest (``decision_id``, ``outcome``, ``updated_at``). What triggered each decision is kept in its inputs
(``action``), so it is covered by the record's hash like everything it was decided from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from . import decision_log
from .deciding import decision_view
from .models import Claim, DecisionRecord

SUBMITTED = {"trigger": "submitted"}
# what a history entry shows of the action that triggered it (the rest of the inputs is the auditor's)
_ACTION_FIELDS = ("documents_added", "findings", "rejection", "note")


def history(session: Session, claim_id: str) -> list[DecisionRecord]:
    """Every decision on the claim, oldest first."""
    return list(session.scalars(select(DecisionRecord).where(DecisionRecord.kind == "claim",
                                                             DecisionRecord.subject == claim_id)
                                .order_by(DecisionRecord.seq)))


def action_of(record: decision_log.Stored) -> dict[str, Any]:
    """What triggered a decision (records kept before actions were stored were submissions)."""
    return dict((record.inputs or {}).get("action") or SUBMITTED)


def history_entry(record: decision_log.Stored) -> dict[str, Any]:
    """One decision with its trigger, actor, request, filing date and place in the hash chain."""
    action = action_of(record)
    entry: dict[str, Any] = {"trigger": action.get("trigger", "submitted"), "actor": record.actor,
                             "request_id": record.request_id,
                             "filed_on": ((record.inputs or {}).get("claim") or {}).get("filed_on")
                             or record.facts.get("filed_on"),
                             "hash": record.hash, "prev_hash": record.prev_hash, "decision": decision_view(record)}
    entry.update({name: action[name] for name in _ACTION_FIELDS if action.get(name) is not None})
    return entry


def claim_view(claim: Claim | dict[str, Any], records: Sequence[decision_log.Stored],
               with_history: bool = True) -> dict[str, Any]:
    """The claim with its current decision (the last of ``records``) and, unless left out, its history."""
    get = claim.get if isinstance(claim, dict) else lambda name: getattr(claim, name)
    current = records[-1]
    view: dict[str, Any] = {
        "claim_id": get("claim_id"), "claim_type": get("claim_type"), "kpj": get("kpj"),
        "filed_on": get("filed_on"), "event_date": get("event_date"), "status": current.result["outcome"],
        "duplicate_of": current.facts.get("duplicate_of"), "updated_at": decision_log.utc_iso(current.decided_at),
        "decision": decision_view(current)}
    if with_history:
        view["history"] = [history_entry(record) for record in records]
    return view


def work_queue(session: Session, query: dict[str, Any]) -> dict[str, Any]:
    """Claims by status, filing window and participant, newest filing first, one page with the total."""
    where = []
    if query.get("status"):
        where.append(Claim.outcome == query["status"])
    if query.get("kpj"):
        where.append(Claim.kpj == query["kpj"])
    if query.get("from_"):
        where.append(Claim.filed_on >= query["from_"])
    if query.get("to"):
        where.append(Claim.filed_on <= query["to"])
    total = session.scalar(select(func.count()).select_from(Claim).where(*where)) or 0
    page, per_page = query["page"], query["per_page"]
    claims = session.scalars(select(Claim).where(*where).options(selectinload(Claim.decision))
                             .order_by(Claim.filed_on.desc(), Claim.created_at.desc(), Claim.claim_id)
                             .limit(per_page).offset((page - 1) * per_page))
    return {"items": [claim_view(c, [c.decision], with_history=False) for c in claims], "total": total,
            "page": page, "per_page": per_page}
