"""Claims endpoints (role ``officer``): submit a JKK, JKM or JHT claim and read decisions back."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any, cast

from flask import current_app, request
from flask_smorest import Blueprint
from sqlalchemy import Table, and_, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adjudication.claim_facts import event_date

from . import decision_log
from .auth import requires_role
from .claim_schemas import ClaimQuerySchema, ClaimSchema, IdempotencyHeaderSchema
from .db import get_session
from .deciding import Case, decision_view, record
from .decision_schemas import ClaimResponseSchema, ReasonCodeSchema
from .errors import Conflict, NotFound
from .models import Claim, DecisionRecord
from .registry_records import claim_inputs
from .rulesets import RulesetRegistry

_INSERT_CLAIM = insert(cast(Table, Claim.__table__))
blp = Blueprint("claims", __name__, url_prefix="/v1", description="Claims officers submit claims and read decisions.")


def claim_view(claim: Claim | dict[str, Any], decision: DecisionRecord) -> dict[str, Any]:
    """The claim as the officer sees it, with its decision."""
    get = claim.get if isinstance(claim, dict) else lambda name: getattr(claim, name)
    return {"claim_id": get("claim_id"), "claim_type": get("claim_type"), "kpj": get("kpj"),
            "filed_on": get("filed_on"), "event_date": get("event_date"), "decision": decision_view(decision)}


# columns only: on the hot path nothing is found, and ORM objects for a replay are loaded when one is
_EARLIER = select(Claim.claim_id, Claim.idempotency_key, Claim.kpj, Claim.claim_type, Claim.event_date).where(or_(
    Claim.idempotency_key == bindparam("key"),
    and_(Claim.kpj == bindparam("kpj"), Claim.claim_type == bindparam("claim_type"),
         Claim.event_date == bindparam("event_date")),
)).order_by(Claim.created_at)


def _earlier_claims(session: Session, key: str, body: dict[str, Any], when: dt.date) -> tuple[Claim | None,
                                                                                              str | None]:
    """(the claim stored under this Idempotency-Key, the id of the first claim on the same event), in one query."""
    params = {"key": key, "kpj": body["kpj"], "claim_type": body["claim_type"], "event_date": when}
    rows = session.connection().execute(_EARLIER, params).all()
    by_key = next((r.claim_id for r in rows if r.idempotency_key == key), None)
    first = next((r.claim_id for r in rows if r.kpj == body["kpj"] and r.claim_type == body["claim_type"]
                  and r.event_date == when), None)
    return (session.get(Claim, by_key) if by_key is not None else None), first


def _body_hash() -> str:
    return hashlib.sha256(decision_log.canonical_json(request.get_json()).encode()).hexdigest()


def _replay(existing: Claim, body_hash: str) -> tuple[dict[str, Any], int]:
    if existing.body_hash != body_hash:
        raise Conflict("This Idempotency-Key was used for a different claim body.",
                       errors={"Idempotency-Key": [f"Already used for claim {existing.claim_id}."]})
    return claim_view(existing, existing.decision), 200


def decide_claim(session: Session, rulesets: RulesetRegistry, body: dict[str, Any], when: dt.date, key: str,
                 body_hash: str, first: str | None) -> dict[str, Any]:
    """Read the registry, decide, and store the claim (event date ``when``) with its decision in one transaction,
    committed before the answer is built."""
    claim_id = str(uuid.uuid4())
    decided = record(session, rulesets, "claim", [Case(claim_id, claim_inputs(session, body, when, first))])[0]
    decision = decided.record
    claim = {"claim_id": claim_id, "idempotency_key": key, "body_hash": body_hash, "kpj": body["kpj"],
             "claim_type": body["claim_type"], "event_date": when, "filed_on": body["filed_on"],
             "body": request.get_json(), "decision_id": decision.decision_id, "outcome": decided.decision.outcome,
             "created_at": decision.decided_at, "officer_token_id": decision.actor["token_id"] if decision.actor
             else None, "updated_at": decision.decided_at}
    session.connection().execute(_INSERT_CLAIM, claim)
    session.commit()
    return claim_view(claim, decision)


@blp.route("/claims", methods=["POST"])
@requires_role("officer")
@blp.arguments(IdempotencyHeaderSchema(), location="headers")
@blp.arguments(ClaimSchema())
@blp.response(201, ClaimResponseSchema)
@blp.alt_response(200, schema=ClaimResponseSchema, description="The same Idempotency-Key and body again.")
@blp.alt_response(409, description="The Idempotency-Key was used with a different body.")
def post_claim(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Decide a claim: approved, rejected or referred, who pays, how much, and why."""
    session, key, body_hash = get_session(), headers["idempotency_key"], _body_hash()
    when = event_date(body)
    existing, first = _earlier_claims(session, key, body, when)
    if existing is not None:
        return _replay(existing, body_hash)
    try:
        return decide_claim(session, current_app.extensions["rulesets"], body, when, key, body_hash, first), 201
    except IntegrityError:
        # a concurrent request with the same key won the race: answer as its replay
        session.rollback()
        existing = session.scalar(select(Claim).where(Claim.idempotency_key == key))
        if existing is None:
            raise
        return _replay(existing, body_hash)


@blp.route("/reason-codes", methods=["GET"])
@requires_role("officer", "licensing", "auditor", "admin")
@blp.response(200, ReasonCodeSchema(many=True))
def reason_codes() -> list[dict[str, str]]:
    """The closed catalogue of reason codes, each with its Indonesian and English message."""
    return current_app.extensions["rulesets"].current.reason_codes()


@blp.route("/claims/<claim_id>", methods=["GET"])
@requires_role("officer")
@blp.response(200, ClaimResponseSchema)
def get_claim(claim_id: str) -> dict[str, Any]:
    """Read a claim and its decision."""
    claim = get_session().get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"No claim {claim_id}.")
    return claim_view(claim, claim.decision)


@blp.route("/claims", methods=["GET"])
@requires_role("officer")
@blp.arguments(ClaimQuerySchema(), location="query")
@blp.response(200, ClaimResponseSchema(many=True))
def list_claims(query: dict[str, str]) -> list[dict[str, Any]]:
    """Every claim of one participant, newest first."""
    claims = get_session().scalars(select(Claim).where(Claim.kpj == query["kpj"]).order_by(Claim.created_at.desc()))
    return [claim_view(c, c.decision) for c in claims]
