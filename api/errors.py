"""One error envelope for every failure the HTTP layer reports.

Exception tree of this layer::

    ApiError                  an error the client can act on, rendered with its HTTP status
    ├── NotFound              404: a record the path names does not exist
    ├── Conflict              409: the request contradicts stored state (idempotency key reuse)
    └── InputError            422: the body is well-formed JSON but a field is wrong

Everything else, including werkzeug's HTTPExceptions and marshmallow/webargs validation errors,
is turned into the same envelope ``{code, status, message, errors}`` by ``register_error_handlers``.
Unexpected exceptions become a 500 whose body names no internals.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request body is not valid JSON.",
    401: "A valid bearer token is required.",
    403: "Your role may not call this endpoint.",
    404: "No such resource.",
    405: "This method is not allowed on this path.",
    413: "The request body is too large.",
    415: "The request body must be JSON (Content-Type: application/json).",
    422: "The request has invalid fields.",
    429: "Too many requests for this token; retry later.",
    500: "Internal error; the request changed nothing.",
}


MAX_FIELD_ERRORS = 100


class ApiError(Exception):
    """Base of this layer's errors; carries an HTTP status and field errors."""

    code = 400

    def __init__(self, message: str | None = None, errors: dict[str, list[str]] | None = None, **extra: Any):
        super().__init__(message or MESSAGES.get(self.code, HTTPStatus(self.code).phrase))
        self.message = message or MESSAGES.get(self.code, HTTPStatus(self.code).phrase)
        self.errors = errors
        self.extra = extra


class NotFound(ApiError):
    """A record named in the path does not exist."""

    code = 404


class Conflict(ApiError):
    """The request contradicts what is stored."""

    code = 409


class InputError(ApiError):
    """A field of a well-formed body is wrong; ``errors`` is keyed by field path."""

    code = 422


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested error dict into ``{"incident.outcome.type": [...]}``."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            # a whole-object error (marshmallow's "_schema") belongs to the object's own path
            if key == "_schema":
                path = prefix or "body"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for name, messages in flatten_errors(value, path).items():
                flat.setdefault(name, []).extend(messages)
        return flat
    if isinstance(errors, list) and all(isinstance(item, str) for item in errors):
        return {prefix or "body": list(errors)}
    if isinstance(errors, list):
        flat = {}
        for item in errors:
            flat.update(flatten_errors(item, prefix))
        return flat
    return {prefix or "body": [str(errors)]}


def envelope(code: int, message: str | None = None, errors: dict | None = None, **extra: Any) -> Response:
    """Build the JSON error response every failure shares."""
    body: dict[str, Any] = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message or MESSAGES.get(code, HTTPStatus(code).phrase),
    }
    if errors:
        if len(errors) > MAX_FIELD_ERRORS:
            # a body of thousands of bad fields would get an answer larger than itself
            body["message"] += f" The first {MAX_FIELD_ERRORS} of {len(errors):,} fields are listed."
            errors = dict(list(errors.items())[:MAX_FIELD_ERRORS])
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = code
    return response


def _webargs_errors(error: HTTPException) -> dict[str, list[str]] | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if not messages:
        return None
    # webargs keys errors by location ("json", "query", "view_args"); the client needs only the field path
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "querystring", "view_args", "headers"}:
        merged: dict[str, list[str]] = {}
        for located in messages.values():
            merged.update(flatten_errors(located))
        return merged
    return flatten_errors(messages)


def register_error_handlers(app: Flask) -> None:
    """Route every error, expected or not, through the envelope."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError) -> Response:
        return envelope(error.code, error.message, error.errors, **error.extra)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        code = error.code or 500
        errors = _webargs_errors(error)
        response = envelope(code, MESSAGES.get(code), errors)
        if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        # the traceback goes to the log for operators; the client learns nothing about internals. The route, not the
        # path: a path may carry a KPJ
        log.exception("unhandled error on %s %s", request.method, request.url_rule.rule if request.url_rule else "-")
        return envelope(500)
