"""Requests per token, with Flask-Limiter: one budget per token over the whole API, ``GET /health`` aside.

A request without a valid token counts against its client address instead, so guessing tokens is limited too.
The counters live in the limiter's storage: in memory by default, where each gunicorn worker counts on its own
(with N workers a token may make up to N times the limit), or a shared storage named by
``RATE_LIMIT_STORAGE_URI`` (``redis://host:6379``) for one count across workers and hosts.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import errors
from .auth import authenticate


def rate_limit_key() -> str:
    """The bucket a request counts against: its token's id, or its client address without a valid token."""
    try:
        if authenticate():
            return f"token:{g.token_id}"
    except (DBAPIError, PoolTimeout):
        pass  # the database cannot serve: the view's own token check raises again and answers 503
    return f"address:{request.remote_addr or 'unknown'}"


def init_app(app: Flask) -> Limiter:
    """Limit every endpoint but ``/health`` to ``RATE_LIMIT`` per token; a breach is a 429 with ``Retry-After``."""
    limiter = Limiter(
        rate_limit_key,
        application_limits=[app.config["RATE_LIMIT"]],
        storage_uri=app.config["RATE_LIMIT_STORAGE_URI"],
        key_prefix="bpjs",
        # a shared storage that is down must not take the service down with it; the limiter logs the failure
        swallow_errors=True,
    )
    limiter.init_app(app)
    limiter.exempt(app.view_functions["health"])

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        # the window's reset time; RequestLimit.reset_at rounds it up by a whole second
        retry_after = max(1, math.ceil(current.window[0] - time.time())) if current is not None else 1
        response = errors.envelope(
            429, f"Too many requests for this token (at most {error.description}); retry after {retry_after} s.")
        response.headers["Retry-After"] = str(retry_after)
        return response

    app.extensions["rate_limiter"] = limiter
    return limiter
