"""Flask application factory: configuration, database, rules, blueprints, errors and CLI in one place."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api

from . import checkpoints, cli, db, errors, json_body, openapi_docs, pages, rate_limits, request_log, routing
from .auth import ROLES, requires_role
from .config import from_environment
from .rulesets import RulesetRegistry

JSON_METHODS = {"POST", "PUT", "PATCH"}
# a client's X-Request-Id is kept when it is a plain token of at most 64 characters; otherwise a new one is made
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the service; ``config`` overrides what the environment says."""
    app = Flask(__name__, instance_relative_config=True)
    routing.init_app(app)
    app.config.update(from_environment(app.instance_path))
    app.config.update(
        API_TITLE="BPJS Ketenagakerjaan adjudication service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    request_log.configure_logging(app.config["LOG_LEVEL"])

    # the signing key rides on every session, so that the decision log's single append point can sign
    db.init_app(app, checkpoints.init_app(app))
    # a malformed rule file stops the service here, with a message naming the file and the key
    app.extensions["rulesets"] = RulesetRegistry(app.config["RULES_DIR"])
    api = Api(app, spec_kwargs={"components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
    }, "extra_plugins": [openapi_docs.ExamplesAndErrors()]})
    app.register_blueprint(openapi_docs.docs)
    _document_error_responses(api)
    _document_claim_incidents(api)
    errors.register_error_handlers(app)
    _register_blueprints(api)
    _register_service_routes(app, api)
    # after the request id is set: these hooks may answer before the view does
    json_body.init_app(app)
    rate_limits.init_app(app)
    request_log.init_app(app)
    pages.init_app(app)
    cli.register(app)
    return app


def _register_blueprints(api: Api) -> None:
    from . import assessments, audit, claim_case, claims, licensing, registry, replays

    api.register_blueprint(registry.blp)
    api.register_blueprint(assessments.blp)
    api.register_blueprint(claims.blp)
    api.register_blueprint(claim_case.blp)
    api.register_blueprint(licensing.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(replays.blp)


def _document_error_responses(api: Api) -> None:
    envelope = {"$ref": "#/components/schemas/Error"}
    for name, text in (("UNAUTHORIZED", "No valid bearer token."),
                       ("FORBIDDEN", "The token's role may not call this endpoint.")):
        api.spec.components.response(name, {"description": text, "content": {"application/json": {"schema": envelope}}})


def _document_claim_incidents(api: Api) -> None:
    # a claim's incident is loaded by claim_type after the body, so no view names these schemas; the
    # Claim schema's oneOf refers to them by name and must find them among the components
    from .assessment_schemas import TYPE_SCHEMAS
    from .claim_schemas import INCIDENT_SCHEMAS

    for schema in [*INCIDENT_SCHEMAS.values(), *TYPE_SCHEMAS.values()]:
        api.spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)


def _register_service_routes(app: Flask, api: Api) -> None:
    @app.before_request
    def _request_id() -> None:
        # every decision stores the request that made it; the answer echoes it so a client can quote it
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response

    @app.before_request
    def _require_json_body() -> Any:
        # a body that is not JSON is refused before auth or validation look at it (the HTML pages post forms)
        if request.method in JSON_METHODS and not request.is_json and request.blueprint not in pages.FORM_BLUEPRINTS:
            return errors.envelope(415)
        return None

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok", ruleset_version=app.extensions["rulesets"].current.version)

    @app.get("/v1/openapi.json")
    @requires_role(*ROLES)
    def openapi() -> Any:
        return jsonify(api.spec.to_dict())
