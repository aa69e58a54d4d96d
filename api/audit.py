"""Audit endpoints (role ``auditor``, read-only): decision records, replays, the hash chain, its signed
checkpoints and signing keys, rulesets and the differences between two of them.

Nothing here writes: a replay re-evaluates stored facts in memory and is never appended to the decision log.
Replaying a window of decisions (impact analysis) is ``api.replays``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from adjudication import AdjudicationError, ListTracer, Ruleset
from adjudication.replay import differences, replay
from adjudication.ruleset_diff import diff, parameter_view
from adjudication.signing import ALGORITHM

from . import checkpoints, decision_log
from .audit_schemas import (
    ChainCheckSchema,
    CheckpointQuerySchema,
    CheckpointSchema,
    DecisionListQuerySchema,
    DecisionRecordSchema,
    DecisionSummarySchema,
    PublicKeyQuerySchema,
    PublicKeySchema,
    ReplayRequestSchema,
    ReplaySchema,
    RulesetDiffSchema,
    RulesetSchema,
    RulesetVersionSchema,
)
from .auth import requires_role
from .db import get_session
from .errors import Conflict, NotFound
from .models import DecisionRecord
from .rulesets import RulesetRegistry

blp = Blueprint("audit", __name__, url_prefix="/v1",
                description="Auditors read decisions, replay them with any stored ruleset and verify the log.")


def _registry() -> RulesetRegistry:
    return current_app.extensions["rulesets"]


def find_decision(session: Session, decision_id: str) -> DecisionRecord:
    """The stored record of a decision (404 when there is none)."""
    decision = session.get(DecisionRecord, decision_id)
    if decision is None:
        raise NotFound(f"No decision {decision_id}.")
    return decision


def ruleset_named(session: Session, choice: str, own_version: str) -> Ruleset:
    """The ruleset named by ``original`` (the decision's own), ``current`` or a stored version."""
    if choice == "current":
        return _registry().current
    version = own_version if choice == "original" else choice
    try:
        return _registry().get(session, version)
    except AdjudicationError as error:
        # a version stored by an older release whose files this engine no longer accepts
        raise Conflict(f"Ruleset {version} cannot be compiled by this service: {error}") from error


def replay_record(session: Session, decision: DecisionRecord, choice: str) -> dict[str, Any]:
    """Re-evaluate a stored decision with the ruleset ``choice`` names and compare (nothing is stored)."""
    ruleset = ruleset_named(session, choice, decision.ruleset_version)
    tracer = ListTracer()
    try:
        replayed = replay(ruleset, decision.kind, decision.facts, decision.inputs, tracer,
                          own=ruleset.version == decision.ruleset_version).to_dict()
    except AdjudicationError as error:
        raise Conflict(f"The stored facts cannot be evaluated by ruleset {ruleset.version}: {error}") from error
    changed = differences(decision.result, replayed)
    return {"decision_id": decision.decision_id, "ruleset_version": ruleset.version, "identical": not changed,
            "original": decision.result, "replayed": replayed, "differences": changed, "trace": tracer.events}


def ruleset_versions(session: Session) -> list[dict[str, Any]]:
    """Every ruleset version decisions were made under, oldest first, and the current one."""
    registry = _registry()
    versions = [{**v, "first_loaded_at": decision_log.utc_iso(v["first_loaded_at"])}
                for v in registry.stored_versions(session)]
    if not any(v["current"] for v in versions):
        versions.append({"version": registry.current.version, "first_loaded_at": None, "current": True})
    return versions


def ruleset_diff(session: Session, a: str, b: str) -> dict[str, Any]:
    """What changed from ruleset ``a`` to ``b`` (either may be ``current``)."""
    return diff(ruleset_named(session, a, a), ruleset_named(session, b, b))


@blp.route("/decisions", methods=["GET"])
@requires_role("auditor")
@blp.arguments(DecisionListQuerySchema(), location="query")
@blp.response(200, DecisionSummarySchema(many=True))
def list_decisions(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Decisions newest first, of one kind and decided within [from, to] (UTC days) when given.

    Page with ``before`` (the last seq of a page) for older ones, ``after`` (the first seq) for newer ones.
    """
    return decision_log.listed(get_session(), query.get("kind"), query.get("from_"), query.get("to"),
                               query.get("before"), query.get("after"), query["limit"])


@blp.route("/decisions/<decision_id>", methods=["GET"])
@requires_role("auditor")
@blp.response(200, DecisionRecordSchema)
def get_decision(decision_id: str) -> dict[str, Any]:
    """The full record of a decision: facts as evaluated, ruleset version, result and chain hashes."""
    return decision_log.record_content(find_decision(get_session(), decision_id))


@blp.route("/decisions/<decision_id>/replay", methods=["POST"])
@requires_role("auditor")
@blp.arguments(ReplayRequestSchema())
@blp.response(200, ReplaySchema)
@blp.alt_response(409, description="The stored facts or ruleset cannot be evaluated by this service.")
def replay_decision(body: dict[str, str], decision_id: str) -> dict[str, Any]:
    """Re-evaluate a decision's stored facts with a ruleset and compare; the replay is not stored.

    ``original`` uses the version the decision was made under and must give an identical result.
    """
    session = get_session()
    return replay_record(session, find_decision(session, decision_id), body["ruleset"])


@blp.route("/audit/verify", methods=["GET"])
@requires_role("auditor")
@blp.response(200, ChainCheckSchema)
def verify_chain() -> dict[str, Any]:
    """Walk the hash chain from the first record and check every stored checkpoint's signature and head hash.

    A log rewritten with every later hash recomputed and its checkpoints re-signed passes; to catch that, keep
    checkpoints from ``GET /v1/audit/checkpoints`` and give them to the offline verifier with an export.
    """
    return decision_log.verify(get_session())


@blp.route("/audit/checkpoints", methods=["GET"])
@requires_role("auditor")
@blp.arguments(CheckpointQuerySchema(), location="query")
@blp.response(200, CheckpointSchema(many=True))
def list_checkpoints(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Signed checkpoints of the decision log, newest first; page with ``before`` (the last seq of a page).

    Save one (or a page) now; ``python -m adjudication.verify EXPORT --checkpoint SAVED.json`` proves later that
    the log up to it was not rewritten.
    """
    return checkpoints.newest(get_session(), query.get("before"), query["limit"])


@blp.route("/audit/public-key", methods=["GET"])
@requires_role("auditor")
@blp.arguments(PublicKeyQuerySchema(), location="query")
@blp.response(200, PublicKeySchema)
@blp.alt_response(404, description="No such key, or the service has no signing key.")
def public_key(query: dict[str, Any]) -> dict[str, Any]:
    """The public key checkpoints are signed with now (PEM), or with ``key_id`` an older key that signed some."""
    checkpointer: checkpoints.Checkpointer | None = current_app.extensions.get(checkpoints.CHECKPOINTER)
    signer = checkpointer.signer if checkpointer is not None else None
    wanted = query.get("key_id", signer.key_id if signer is not None else None)
    if wanted is None:
        raise NotFound("The service has no signing key: checkpoints are not being signed.")
    if signer is not None and wanted == signer.key_id:
        return {"key_id": signer.key_id, "algorithm": ALGORITHM, "public_key": signer.public_pem, "current": True}
    found = checkpoints.public_key(get_session(), wanted)
    if found is None:
        raise NotFound(f"No key {wanted} signed a checkpoint.")
    return {**found, "current": False}


@blp.route("/rulesets", methods=["GET"])
@requires_role("auditor")
@blp.response(200, RulesetVersionSchema(many=True))
def list_rulesets() -> list[dict[str, Any]]:
    """Every ruleset version decisions were made under, oldest first, and the current one."""
    return ruleset_versions(get_session())


@blp.route("/rulesets/<version>", methods=["GET"])
@requires_role("auditor")
@blp.response(200, RulesetSchema)
def get_ruleset(version: str) -> dict[str, Any]:
    """One ruleset version: each rule with its citation, validity dates and readable condition, and each dated
    parameter."""
    ruleset = ruleset_named(get_session(), version, version)
    return {"version": ruleset.version, "current": ruleset.version == _registry().current.version,
            "rules": ruleset.describe(),
            "parameters": [parameter_view(ruleset.parameters[name]) for name in sorted(ruleset.parameters)]}


@blp.route("/rulesets/<a>/diff/<b>", methods=["GET"])
@requires_role("auditor")
@blp.response(200, RulesetDiffSchema)
@blp.alt_response(404, description="A version is not stored.")
def diff_rulesets(a: str, b: str) -> dict[str, Any]:
    """Rules (by id and valid_from) and dated parameters added, removed or changed from version a to b.

    Either version may be ``current``.
    """
    return ruleset_diff(get_session(), a, b)
