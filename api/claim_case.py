"""Taking a claim forward (roles ``officer`` and ``supervisor``): papers added later, the registry read again, a
supervisor's review, a trial decision that stores nothing, and the explanation of a decision.

Each way forward decides the claim again with the current ruleset and appends the decision to the log (subject:
the claim id); the ``claims`` row then points at it. What is read again differs:

- papers added (``documents``): the previous decision's inputs with the new papers; the registry records are the
  ones read before, so only the papers change;
- ``redecide``: the registry is read again (a worker registered late, a contribution recorded), with the claim's
  papers and findings so far, and optionally a new filing date (a participant filing again after the waiting
  period);
- a review: the previous inputs with the supervisor's findings or rejection, which are facts the rules read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import update
from sqlalchemy.orm import Session

from adjudication.claim_facts import event_date
from adjudication.review import FINDINGS, REJECTIONS, merge

from . import decision_log
from .auth import Forbidden, current_actor, requires_role
from .case_schemas import DocumentsSchema, EvaluationSchema, ExplanationSchema, RedecideSchema, ReviewSchema
from .claim_history import claim_view, history
from .claim_schemas import ClaimSchema, between
from .claims import first_claim_on, read_claim_inputs
from .dates import today
from .db import get_session
from .deciding import Case, evaluate, record
from .decision_schemas import ClaimResponseSchema
from .errors import Conflict, InputError, NotFound
from .explanation import explain
from .models import Claim, DecisionRecord
from .registry_records import claim_inputs

blp = Blueprint("claim-case", __name__, url_prefix="/v1",
                description="Officers and supervisors take a claim forward: papers added, the registry read again, "
                            "a supervisor's review, a trial decision, and a decision explained in sentences.")


def _claim(session: Session, claim_id: str) -> tuple[Claim, list[DecisionRecord]]:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"No claim {claim_id}.")
    return claim, history(session, claim_id)


def _open(claim: Claim, current: DecisionRecord, outcomes: tuple[str, ...], what: str) -> None:
    """Refuse a duplicate claim (the first one is the case) and a claim whose outcome ``what`` does not apply to."""
    first = current.facts.get("duplicate_of")
    if first:
        raise Conflict(f"Claim {claim.claim_id} duplicates claim {first}: take the case forward there.",
                       errors={"claim_id": [f"A duplicate of claim {first}."]})
    if current.result["outcome"] not in outcomes:
        raise Conflict(f"Claim {claim.claim_id} is {current.result['outcome']}; {what} only a "
                       f"{' or '.join(outcomes)} claim.", errors={"claim_id": [f"The claim is "
                                                                               f"{current.result['outcome']}."]})


def _inputs(claim: Claim, current: DecisionRecord) -> dict[str, Any]:
    """The inputs the current decision was made from (a record kept before inputs: the body alone)."""
    if current.inputs is not None:
        return {name: value for name, value in current.inputs.items() if name != "action"}
    return {"claim": claim.body, "duplicate_of": current.facts.get("duplicate_of")}


def _decide_again(session: Session, claim: Claim, current: DecisionRecord, inputs: dict[str, Any],
                  action: dict[str, Any], filed_on: dt.date | None = None) -> dict[str, Any]:
    """Decide with the current ruleset, append, and move the claim to the new decision in one transaction."""
    decided = record(session, current_app.extensions["rulesets"], "claim",
                     [Case(claim.claim_id, {**inputs, "action": action})])[0]
    moved = session.execute(
        update(Claim).where(Claim.claim_id == claim.claim_id, Claim.decision_id == current.decision_id)
        .values(decision_id=decided.record.decision_id, outcome=decided.decision.outcome,
                updated_at=decided.record.decided_at, filed_on=filed_on or claim.filed_on))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict(f"Claim {claim.claim_id} was decided again meanwhile; read it and try again.")
    session.commit()
    session.refresh(claim)
    return claim_view(claim, history(session, claim.claim_id))


def _unprocessable(message: str, errors: dict[str, list[str]]) -> NoReturn:
    raise InputError(message, errors=errors)


@blp.route("/claims/<claim_id>/documents", methods=["POST"])
@requires_role("officer", "supervisor")
@blp.arguments(DocumentsSchema())
@blp.response(200, ClaimResponseSchema)
@blp.alt_response(404, description="No such claim.")
@blp.alt_response(409, description="The claim is approved or a duplicate, or already has these papers.")
def add_documents(body: dict[str, Any], claim_id: str) -> dict[str, Any]:
    """Add papers brought in later and decide the claim again with them (the registry records as read before)."""
    session = get_session()
    claim, records = _claim(session, claim_id)
    current = records[-1]
    _open(claim, current, ("referred", "rejected"), "papers are added to")
    inputs = _inputs(claim, current)
    have = list(inputs["claim"].get("documents") or [])
    verified = set((inputs.get("review") or {}).get("documents_verified") or [])
    added = [name for name in body["documents"] if name not in have and name not in verified]
    if not added:
        raise Conflict(f"Claim {claim_id} already has these papers; nothing to decide again.",
                       errors={"documents": ["Already on the claim."]})
    inputs["claim"] = {**inputs["claim"], "documents": [*have, *added]}
    return _decide_again(session, claim, current, inputs, {"trigger": "documents_added", "documents_added": added})


@blp.route("/claims/<claim_id>/redecide", methods=["POST"])
@requires_role("officer", "supervisor")
@blp.arguments(RedecideSchema())
@blp.response(200, ClaimResponseSchema)
@blp.alt_response(404, description="No such claim.")
@blp.alt_response(409, description="The claim is approved or a duplicate.")
def redecide(body: dict[str, Any], claim_id: str) -> dict[str, Any]:
    """Read the registry again and decide the claim again (a worker registered late, a contribution recorded),
    with its papers and a supervisor's findings so far; ``filed_on`` records that the participant filed again."""
    session = get_session()
    claim, records = _claim(session, claim_id)
    current = records[-1]
    _open(claim, current, ("referred", "rejected"), "the registry is read again for")
    inputs = _inputs(claim, current)
    filed_on = body.get("filed_on")
    if filed_on is not None and not claim.filed_on <= filed_on <= today():
        _unprocessable("The new filing date cannot be right.",
                       {"filed_on": [between(claim.filed_on, "the claim's filing date", today(),
                                             "today in Asia/Jakarta")]})
    if filed_on is not None:
        inputs["claim"] = {**inputs["claim"], "filed_on": filed_on.isoformat()}
    fresh = claim_inputs(session, inputs["claim"], claim.event_date, inputs.get("duplicate_of"))
    fresh.update({name: inputs[name] for name in ("review",) if name in inputs})
    action = {"trigger": "redecided", **({"filed_on": filed_on.isoformat()} if filed_on else {})}
    return _decide_again(session, claim, current, fresh, action, filed_on)


def _check_review(claim: Claim, current: DecisionRecord, submitter: dict[str, Any], body: dict[str, Any]) -> None:
    """Four eyes, and findings that answer the referrals the claim has (422 naming the finding otherwise).

    The submitter is the token that filed the claim; a holder with two tokens (officer and supervisor) is the
    same person when the tokens bear the same name.
    """
    actor = current_actor()
    if actor["token_id"] in (claim.officer_token_id, submitter.get("token_id")) or \
            (submitter.get("name") and actor["name"] == submitter["name"]):
        raise Forbidden(f"Claim {claim.claim_id} was submitted with this token or by its holder: another supervisor "
                        "must review it (four eyes).")
    referred_for = {reason["code"] for reason in current.result.get("reasons", [])}
    errors: dict[str, list[str]] = {}
    for finding in FINDINGS:
        if finding.name in body.get("findings", {}) and finding.resolves not in referred_for:
            errors[f"findings.{finding.name}"] = [f"Claim {claim.claim_id} is not referred for {finding.resolves}."]
    missing = {alternative for requirement in current.result.get("documents_missing", [])
               for alternative in requirement.split("|")}
    wrong = [name for name in body.get("findings", {}).get("documents_verified", []) if name not in missing]
    if wrong:
        errors["findings.documents_verified"] = [f"Not among the missing papers: {', '.join(wrong)}."]
    rejection = body.get("rejection")
    if rejection and claim.claim_type not in REJECTIONS[rejection["reason"]]:
        errors["rejection.reason"] = [f"{rejection['reason']} applies to {', '.join(REJECTIONS[rejection['reason']])}"
                                      f" claims, not {claim.claim_type}."]
    if errors:
        _unprocessable("The review does not fit the claim's referral.", errors)


@blp.route("/claims/<claim_id>/reviews", methods=["POST"])
@requires_role("supervisor")
@blp.arguments(ReviewSchema())
@blp.response(200, ClaimResponseSchema)
@blp.alt_response(404, description="No such claim.")
@blp.alt_response(409, description="Only a referred claim can be reviewed, and not a duplicate.")
def review(body: dict[str, Any], claim_id: str) -> dict[str, Any]:
    """A supervisor resolves a referred claim: findings the rules read (a detour accepted or not, an exclusion
    confirmed or refuted, a work relation established, papers verified), or a rejection with a catalogued reason
    and a note. The engine decides again and cites the law. Never on a claim the supervisor submitted."""
    session = get_session()
    claim, records = _claim(session, claim_id)
    current = records[-1]
    _open(claim, current, ("referred",), "a supervisor reviews")
    _check_review(claim, current, records[0].actor or {}, body)
    inputs = _inputs(claim, current)
    findings = body.get("findings") or {}
    rejection = body.get("rejection")
    inputs["review"] = merge(inputs.get("review"), {**findings, **({"rejection": rejection["reason"]}
                                                                     if rejection else {})})
    action: dict[str, Any] = {"trigger": "reviewed", "findings": findings or None,
                              "rejection": rejection["reason"] if rejection else None,
                              "note": rejection["note"] if rejection else body.get("note")}
    return _decide_again(session, claim, current, inputs, {k: v for k, v in action.items() if v is not None})


@blp.route("/claims/evaluate", methods=["POST"])
@requires_role("officer", "supervisor")
@blp.arguments(ClaimSchema())
@blp.response(200, EvaluationSchema)
def evaluate_claim(body: dict[str, Any]) -> dict[str, Any]:
    """Decide a claim body without storing anything (no claim, no log entry, no Idempotency-Key): see which
    papers a case still needs before filing it. The answer says ``stored: false``."""
    session = get_session()
    when = event_date(body)
    first = first_claim_on(session, body, when)
    decision, _ = evaluate(current_app.extensions["rulesets"].current, "claim",
                           read_claim_inputs(session, body, when, first))
    session.rollback()  # nothing was written; end the read transaction here
    return {"stored": False, "claim_type": body["claim_type"], "kpj": body["kpj"], "filed_on": body["filed_on"],
            "event_date": when, "duplicate_of": first,
            "decision": {**decision.to_dict(), "decision_id": None, "kind": "claim",
                         "decided_at": decision_log.utc_iso(dt.datetime.now(dt.UTC))}}


@blp.route("/claims/<claim_id>/explanation", methods=["GET"])
@requires_role("officer", "supervisor")
@blp.response(200, ExplanationSchema)
@blp.alt_response(404, description="No such claim.")
def explanation(claim_id: str) -> dict[str, Any]:
    """The claim's current decision in sentences (Accept-Language: Indonesian by default, or English): each rule
    that applied with the facts it read and its citation, each benefit's basis, the papers still missing."""
    session = get_session()
    claim, records = _claim(session, claim_id)
    return {"claim_id": claim.claim_id, **explain(records[-1])}
