"""Contribution assessments (roles admin, officer, licensing): what is owed for a PU or BPU month, a migrant
worker's package or a construction project, by the dated rates, with the due date and the late fine.

Each assessment is a decision like any other: derived under the current ruleset, evaluated by the rules (one
rule per programme, each with its citation) and stored in the decision log (kind ``contribution_assessment``),
so it can be replayed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from . import decision_log
from .assessment_schemas import REQUEST_BODY, AssessmentResultSchema, AssessmentSchema
from .auth import requires_role
from .dates import today
from .db import get_session
from .deciding import Case, Decided, record
from .registry_records import json_ready

blp = Blueprint("assessments", __name__, url_prefix="/v1",
                description="What is owed for a month, a migrant worker's package or a construction project.")


def _subject(body: dict[str, Any]) -> str:
    when = body.get("period") or body.get("spk_date") or body.get("paid_on") or body.get("as_of")
    return f"{body['type']}:{when}"


def assessment_view(decided: Decided) -> dict[str, Any]:
    """The assessment as a payer reads it: each amount, the totals by payer, the due date and the fine."""
    record_, facts = decided.record, decided.record.facts
    items = record_.result.get("amounts") or []
    by_payer = {payer: sum(i["amount"] for i in items if i.get("payer") == payer)
                for payer in ("employer", "worker", "self")}
    return {"decision_id": record_.decision_id, "type": facts.get("assessment_type"),
            "outcome": record_.result["outcome"],
            "items": [{k: i.get(k) for k in ("code", "amount", "payer", "basis", "rule_id")} for i in items],
            "employer_total": by_payer["employer"], "worker_total": by_payer["worker"],
            "self_total": by_payer["self"], "fines_total": sum(i["amount"] for i in items
                                                               if i["code"].endswith("_FINE")),
            "total": sum(i["amount"] for i in items), "due_on": facts.get("assessment_due_on"),
            "paid_on": facts.get("assessment_paid_on"), "months_late": facts.get("months_late"),
            "reasons": record_.result["reasons"], "ruleset_version": record_.ruleset_version,
            "decided_at": decision_log.utc_iso(record_.decided_at), "hash": record_.hash}


@blp.route("/contributions/assessments", methods=["POST"])
@requires_role("admin", "officer", "licensing")
@blp.arguments(AssessmentSchema())
@blp.doc(requestBody=REQUEST_BODY)
@blp.response(201, AssessmentResultSchema)
def post_assessment(body: dict[str, Any]) -> dict[str, Any]:
    """Assess what is owed and store the assessment as a decision."""
    inputs = json_ready({**body, "as_of": today()})
    session = get_session()
    decided = record(session, current_app.extensions["rulesets"], "contribution_assessment",
                     [Case(_subject(inputs), inputs)])[0]
    session.commit()
    return assessment_view(decided)
