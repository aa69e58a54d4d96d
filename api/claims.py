"""Claims endpoints (roles ``officer`` and ``supervisor``): submit a JKK, JKM or JHT claim, read it with its
history, and the work queue. Taking a claim forward (papers, registry changes, reviews) is ``claim_case``."""

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

from . import decision_log, hot_sql
from .auth import ROLES, requires_role
from .case_schemas import ClaimPageSchema
from .claim_history import SUBMITTED, claim_view, history, work_queue
from .claim_schemas import ClaimQuerySchema, ClaimSchema, IdempotencyHeaderSchema, between
from .db import get_session
from .deciding import Case, Decided, record
from .decision_schemas import ClaimResponseSchema, ReasonCodeSchema
from .errors import Conflict, InputError, NotFound
from .models import Claim
from .registry_records import claim_inputs
from .rulesets import RulesetRegistry

_CLAIMS = cast(Table, Claim.__table__)
_INSERT_CLAIM = hot_sql.Statement(insert(_CLAIMS), column_keys=[c.key for c in _CLAIMS.columns])
blp = Blueprint("claims", __name__, url_prefix="/v1", description="Claims officers submit claims and read decisions.")


# columns only, on the DBAPI cursor (api.hot_sql): on the hot path nothing is found, and ORM objects for a replay are
# loaded when one is
_EARLIER = hot_sql.Statement(select(Claim.claim_id, Claim.idempotency_key, Claim.kpj, Claim.claim_type,
                                    Claim.event_date).where(or_(
    Claim.idempotency_key == bindparam("key"),
    and_(Claim.kpj == bindparam("kpj"), Claim.claim_type == bindparam("claim_type"),
         Claim.event_date == bindparam("event_date")),
)).order_by(Claim.created_at))


def _earlier_claims(session: Session, key: str, body: dict[str, Any], when: dt.date) -> tuple[Claim | None,
                                                                                              str | None]:
    """(the claim stored under this Idempotency-Key, the id of the first claim on the same event), in one query."""
    params = {"key": key, "kpj": body["kpj"], "claim_type": body["claim_type"], "event_date": when}
    rows = _EARLIER.ready_rows(session, params)
    day = when.isoformat()
    by_key = next((claim_id for claim_id, used_key, *_ in rows if used_key == key), None)
    first = next((claim_id for claim_id, _, kpj, claim_type, event_date in rows
                  if kpj == body["kpj"] and claim_type == body["claim_type"] and event_date == day), None)
    return (session.get(Claim, by_key) if by_key is not None else None), first


_FIRST_ON_EVENT = select(Claim.claim_id).where(
    Claim.kpj == bindparam("kpj"), Claim.claim_type == bindparam("claim_type"),
    Claim.event_date == bindparam("event_date")).order_by(Claim.created_at).limit(1)


def first_claim_on(session: Session, body: dict[str, Any], when: dt.date) -> str | None:
    """The first claim stored for the body's participant, claim type and event date, if any."""
    return session.connection().execute(_FIRST_ON_EVENT, {"kpj": body["kpj"], "claim_type": body["claim_type"],
                                                          "event_date": when}).scalar()


def _body_hash() -> str:
    return hashlib.sha256(decision_log.canonical_json(request.get_json()).encode()).hexdigest()


def _replay(session: Session, existing: Claim, body_hash: str) -> tuple[dict[str, Any], int]:
    if existing.body_hash != body_hash:
        raise Conflict("This Idempotency-Key was used for a different claim body.",
                       errors={"Idempotency-Key": [f"Already used for claim {existing.claim_id}."]})
    return claim_view(existing, history(session, existing.claim_id)), 200


def registry_date_errors(body: dict[str, Any], inputs: dict[str, Any]) -> dict[str, list[str]]:
    """Dates the registry bounds: an occupational disease is not diagnosed before the membership (the employment
    the registry knows) began."""
    start = (inputs.get("participant") or {}).get("membership_start")
    diagnosed = body["incident"].get("diagnosed_on") if body["claim_type"] == "JKK" else None
    if start and diagnosed and diagnosed < dt.date.fromisoformat(start):
        return {"incident.diagnosed_on": [between(dt.date.fromisoformat(start), "membership_start of the "
                                                  "participant", body["filed_on"], "filed_on")]}
    return {}


def read_claim_inputs(session: Session, body: dict[str, Any], when: dt.date, first: str | None) -> dict[str, Any]:
    """The registry records a claim body is decided from; a date the registry rules out is a 422."""
    inputs = claim_inputs(session, body, when, first)
    errors = registry_date_errors(body, inputs)
    if errors:
        raise InputError("The claim has dates that cannot be right.", errors=errors)
    return inputs


def decide_claim(session: Session, rulesets: RulesetRegistry, body: dict[str, Any], when: dt.date, key: str,
                 body_hash: str, first: str | None) -> dict[str, Any]:
    """Read the registry, decide, and store the claim (event date ``when``) with its decision in one transaction,
    committed before the answer is built."""
    claim_id = str(uuid.uuid4())
    inputs = {**read_claim_inputs(session, body, when, first), "action": SUBMITTED}
    claim: dict[str, Any] = {}

    def claim_row(decided: list[Decided]) -> decision_log.Also:
        decision = decided[0].record
        claim.update(claim_id=claim_id, idempotency_key=key, body_hash=body_hash, kpj=body["kpj"],
                     claim_type=body["claim_type"], event_date=when, filed_on=body["filed_on"], body=request.get_json(),
                     decision_id=decision.decision_id, outcome=decided[0].decision.outcome,
                     created_at=decision.decided_at, officer_token_id=decision.actor["token_id"] if decision.actor
                     else None, updated_at=decision.decided_at)
        return [(_INSERT_CLAIM, claim)]

    # the claim row goes with its decision's insert (one round trip on PostgreSQL)
    decided = record(session, rulesets, "claim", [Case(claim_id, inputs)], also=claim_row)[0]
    session.commit()
    return claim_view(claim, [decided.record])


@blp.route("/claims", methods=["POST"])
@requires_role("officer", "supervisor")
@blp.arguments(IdempotencyHeaderSchema(), location="headers")
@blp.arguments(ClaimSchema())
@blp.response(201, ClaimResponseSchema)
@blp.alt_response(200, schema=ClaimResponseSchema, description="The same Idempotency-Key and body again.")
@blp.alt_response(409, description="The Idempotency-Key was used with a different body.")
def post_claim(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Decide a claim: approved, rejected or referred, who pays, how much, and why.

    A second claim on an event already claimed (same kpj, claim type and event date) is rejected with
    DUPLICATE_CLAIM and names the first in ``duplicate_of``: take the case forward there (papers, registry
    changes, a review). Dates: ``filed_on`` not after today in Asia/Jakarta, the incident not after
    ``filed_on``, ``reported_on`` and ``diagnosed_on`` between the incident and ``filed_on``, a diagnosis not
    before the participant's membership began; the law in force is chosen by the event date.
    """
    session, key, body_hash = get_session(), headers["idempotency_key"], _body_hash()
    when = event_date(body)
    existing, first = _earlier_claims(session, key, body, when)
    if existing is not None:
        return _replay(session, existing, body_hash)
    try:
        return decide_claim(session, current_app.extensions["rulesets"], body, when, key, body_hash, first), 201
    except IntegrityError:
        # a concurrent request with the same key won the race: answer as its replay
        session.rollback()
        existing = session.scalar(select(Claim).where(Claim.idempotency_key == key))
        if existing is None:
            raise
        return _replay(session, existing, body_hash)


@blp.route("/reason-codes", methods=["GET"])
@requires_role(*ROLES)
@blp.response(200, ReasonCodeSchema(many=True))
def reason_codes() -> list[dict[str, str]]:
    """The closed catalogue of reason codes, each with its Indonesian and English message."""
    return current_app.extensions["rulesets"].current.reason_codes()


@blp.route("/claims/<claim_id>", methods=["GET"])
@requires_role("officer", "supervisor")
@blp.response(200, ClaimResponseSchema)
@blp.alt_response(404, description="No such claim.")
def get_claim(claim_id: str) -> dict[str, Any]:
    """Read a claim: its current decision and every decision made on it, oldest first, each with what
    triggered it, who and its place in the hash-chained decision log."""
    session = get_session()
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"No claim {claim_id}.")
    return claim_view(claim, history(session, claim_id))


@blp.route("/claims", methods=["GET"])
@requires_role("officer", "supervisor")
@blp.arguments(ClaimQuerySchema(), location="query")
@blp.response(200, ClaimPageSchema)
def list_claims(query: dict[str, Any]) -> dict[str, Any]:
    """The work queue: claims by status (e.g. ``referred``), filing window and participant, newest filing first,
    ``per_page`` at a time with the ``total`` across all pages."""
    return work_queue(get_session(), query)
