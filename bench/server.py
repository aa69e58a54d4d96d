"""The service as `make run` serves it, plus floor endpoints that measure what the stack costs before any claim work.

* ``POST /bench/bare``: parse a JSON body and answer JSON; what any Flask endpoint costs on this server.
* ``POST /bench/validate``: the claims endpoint's body validation (``ClaimSchema``) and nothing else.
* ``POST /bench/engine``: the body is a decision's stored facts; evaluate them with the current ruleset and answer
  the decision, with no token, registry read or storage. A claim does all of this and more, so this endpoint's
  throughput is a ceiling on the claims endpoint's.
"""

from typing import Any

from flask import current_app, jsonify, request

from api import create_app
from api.claim_schemas import ClaimSchema

app = create_app()
_CLAIM_SCHEMA = ClaimSchema()


@app.post("/bench/bare")
def bare() -> Any:
    """Parse the JSON body and answer with JSON."""
    body = request.get_json()
    return jsonify(received=len(body or {}), status="ok"), 201


@app.post("/bench/validate")
def validate() -> Any:
    """Validate a claim body as ``POST /v1/claims`` does; no token, database or rule engine."""
    body = _CLAIM_SCHEMA.load(request.get_json())
    return jsonify(received=len(body), status="ok"), 201


@app.post("/bench/engine")
def evaluate() -> Any:
    """Decide the facts in the body with the current ruleset; no token, database or body schema."""
    decision = current_app.extensions["rulesets"].current.evaluate(request.get_json())
    return jsonify(decision.to_dict()), 201
