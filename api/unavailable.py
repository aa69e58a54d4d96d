"""When the database cannot serve a request: which errors mean that, and the 503 a client gets instead of a 500.

A server that is down, restarting or refusing connections, a statement or lock wait past its timeout, a disk that
is full: none of these is a bug the client should report, and each passes. The answer is the error envelope with
status 503 and ``Retry-After``. Its transaction rolled back, so it stored nothing; only when the connection broke
during the commit itself is the outcome unknown, and a claim retried with the same ``Idempotency-Key`` then returns
the decision if it was stored, or decides it once if it was not.

Any other database error (a missing table, a violated constraint nobody handled) stays a 500: that is a bug.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import durable_commit, errors

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
FULL = "full"
UNAVAILABLE = "unavailable"
MESSAGES = {
    UNAVAILABLE: "The database is unavailable; nothing was stored. Retry shortly (a claim with the same "
                 "Idempotency-Key).",
    FULL: "The database's storage is full; nothing was stored. Retry once space is freed.",
}

# SQLSTATEs of a PostgreSQL server that cannot serve now: classes 08 (connection), 53 (insufficient resources:
# 53100 disk full, 53300 too many connections), 58 (system, I/O); 57P01-57P03 (shutdown, crash, starting up);
# 57014 (statement_timeout) and 55P03 (lock_timeout)
_PG_CLASSES = ("08", "53", "58")
_PG_CODES = {"57P01", "57P02", "57P03", "57014", "55P03"}
# SQLite primary result codes: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL
_SQLITE_CODES = {5, 6, 7, 8, 10, 13, 14, 15}
_SQLITE_FULL = 13


def cause(error: BaseException) -> str | None:
    """``"full"`` or ``"unavailable"`` when ``error`` means the database cannot serve now; None otherwise."""
    if isinstance(error, PoolTimeout):
        return UNAVAILABLE
    if isinstance(error, durable_commit.WalSyncError):  # committed, maybe not on disk: never acknowledged
        return FULL if durable_commit.wal_sync_failed_for_space(error) else UNAVAILABLE
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return UNAVAILABLE
    original = error.orig
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if sqlite_code is not None:
        primary = sqlite_code & 0xFF  # an extended code (SQLITE_IOERR_WRITE) carries its primary in the low byte
        if primary == _SQLITE_FULL:
            return FULL
        return UNAVAILABLE if primary in _SQLITE_CODES else None
    if hasattr(original, "pgcode"):
        code: str | None = getattr(original, "pgcode")  # noqa: B009 (psycopg2's errors are untyped)
        if code is None:
            # libpq failed before the server said anything: refused, reset, timed out while connecting
            return UNAVAILABLE if isinstance(error, OperationalError) else None
        if code == "53100":
            return FULL
        return UNAVAILABLE if code.startswith(_PG_CLASSES) or code in _PG_CODES else None
    return None


def response(error: BaseException) -> Response | None:
    """The 503 envelope with ``Retry-After`` when ``error`` means the database cannot serve; None otherwise."""
    reason = cause(error)
    if reason is None:
        return None
    original = getattr(error, "orig", None) or error
    # one line, no traceback and no statement: the operator needs the kind of failure, which repeats per request
    log.warning("database %s on %s %s: %s %s", reason, request.method,
                request.url_rule.rule if request.url_rule else "-", type(original).__name__,
                getattr(original, "pgcode", None) or getattr(original, "sqlite_errorname", "") or "")
    answer = errors.envelope(503, MESSAGES[reason])
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


def init_app(app: Flask) -> None:
    """Answer 503 for a database that cannot serve; any other database error stays the 500 of a bug."""

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: Exception) -> Response:
        answer = response(error)
        if answer is not None:
            return answer
        log.exception("unhandled error on %s %s", request.method, request.url_rule.rule if request.url_rule else "-")
        return errors.envelope(500)
