"""Flask application factory: configuration, database, rules, blueprints, errors and CLI in one place."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request

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
    app.config.update(openapi_docs.SETTINGS, JSON_SORT_KEYS=False)
    if config:
        app.config.update(config)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    request_log.configure_logging(app.config["LOG_LEVEL"])

    # the signing key rides on every session, so that the decision log's single append point can sign
    db.init_app(app, checkpoints.init_app(app))
    # a malformed rule file stops the service here, with a message naming the file and the key
    app.extensions["rulesets"] = RulesetRegistry(app.config["RULES_DIR"])
    # the OpenAPI document is built by the first app of the process and shared (openapi_docs.spec says why); asked
    # for here, so that a view or schema it cannot describe still stops the service at start-up
    openapi_docs.spec()
    app.register_blueprint(openapi_docs.docs)
    errors.register_error_handlers(app)
    for blueprint in openapi_docs.api_blueprints():
        app.register_blueprint(blueprint)
    _register_service_routes(app)
    # after the request id is set: these hooks may answer before the view does
    json_body.init_app(app)
    rate_limits.init_app(app)
    request_log.init_app(app)
    pages.init_app(app)
    cli.register(app)
    return app


def _register_service_routes(app: Flask) -> None:
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
        return jsonify(openapi_docs.spec().to_dict())
