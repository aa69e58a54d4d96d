"""Requests per token, with Flask-Limiter: one budget per token over the whole API, ``GET /health`` aside.

A request without a valid token counts against its client address instead, so guessing tokens is limited too.
The counters live in the limiter's storage: in memory by default, where each gunicorn worker counts on its own
(with N workers a token may make up to N times the limit), or a shared storage named by
``RATE_LIMIT_STORAGE_URI`` (``redis://host:6379``) for one count across workers and hosts.

In memory, ``memory://`` is served by ``InlineMemoryStorage``: limits' own memory storage, whose expiry runs inline
instead of in a timer thread that it started again on nearly every request.
"""

from __future__ import annotations

import math
import time
import urllib.parse

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits.storage import MemoryStorage
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import errors
from .auth import authenticate


class InlineMemoryStorage(MemoryStorage):
    """limits' memory storage, with its sweep of expired counters run inline at most once a second.

    ``MemoryStorage`` starts a ``threading.Timer`` of 10 ms on every count once the previous one has run: on a worker
    serving a request every few milliseconds that was a new thread, and the wait for it to start, on almost every
    request (~5 ms of a claim's 19 ms under cProfile on the loaded machine). The sweep only frees memory: a fixed
    window's counter is expired when it is read (``get``), so the limits count the same.
    """

    STORAGE_SCHEME = ["bpjs-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one the parent started: the sweeps run inline from here on
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private hook, by its mangled name
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def storage_uri(configured: str) -> str:
    """The limits storage for ``RATE_LIMIT_STORAGE_URI``: ``memory://`` is served by ``InlineMemoryStorage``."""
    return "bpjs-memory://" if urllib.parse.urlparse(configured).scheme == "memory" else configured


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
        storage_uri=storage_uri(app.config["RATE_LIMIT_STORAGE_URI"]),
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
