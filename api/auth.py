"""Bearer tokens with one role each, and the per-view role check.

A token reads ``bpjs_<role>.<id>.<secret>``. The id is a selector, not a secret: it finds the row by its primary
key. Only the SHA-256 of the secret is stored, and it is compared with ``hmac.compare_digest``, so how long a
refusal takes says nothing about how much of a guessed secret was right.

Tokens issued before that format, ``bpjs_<role>_<secret>``, keep working: they are found by the SHA-256 of the
whole token, as before. A timing difference in that index look-up could reveal at most leading bytes of a hash of
a 256-bit random secret, which does not help to forge it; reissue them at leisure.

A token is looked up on every request, never cached across requests, so an expiry or a revocation takes effect at
once in every worker.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from . import hot_sql
from .db import get_session
from .errors import ApiError
from .models import ApiToken

ROLES = ("officer", "licensing", "auditor", "admin", "supervisor")
F = TypeVar("F", bound=Callable[..., Any])

_SECRET = r"[A-Za-z0-9_-]{43}"  # secrets.token_urlsafe(32)
TOKEN = re.compile(rf"bpjs_(?P<role>[a-z]{{1,10}})\.(?P<id>[1-9][0-9]{{0,9}})\.(?P<secret>{_SECRET})")
LEGACY_TOKEN = re.compile(rf"bpjs_(?:officer|licensing|auditor|admin)_{_SECRET}")
MAX_ID = 2**31 - 1  # api_tokens.id is a 32-bit integer; a larger selector finds nothing


class Unauthorized(ApiError):
    """No token, or a token that is unknown, malformed, expired or revoked."""

    code = 401

    def __init__(self) -> None:
        super().__init__()
        self.extra = {}


class Forbidden(ApiError):
    """A valid token whose role may not call this endpoint."""

    code = 403


def hash_token(secret: str) -> str:
    """SHA-256 of a token's secret; secrets are 256-bit random, so an unsalted fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, role: str, name: str, expires_at: dt.datetime | None = None) -> str:
    """Store a new token for ``role`` and return it (shown once; only the hash of its secret is stored)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if expires_at is not None and expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    secret = secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role, token_hash=hash_token(secret), expires_at=expires_at)
    session.add(row)
    session.flush()  # the id is part of the token
    return f"bpjs_{role}.{row.id}.{secret}"


class _TokenRow(NamedTuple):
    id: int
    role: str
    name: str
    token_hash: str
    expires_at: Any  # as the driver gives it: hot_sql.utc_datetime reads it
    revoked_at: Any


_COLUMNS = (ApiToken.id, ApiToken.role, ApiToken.name, ApiToken.token_hash, ApiToken.expires_at,
            ApiToken.revoked_at)
# every request looks its token up: on the DBAPI cursor (api.hot_sql), ~20 us less than Connection.execute
_BY_ID = hot_sql.Statement(select(*_COLUMNS).where(ApiToken.id == bindparam("token_id")))
_BY_HASH = hot_sql.Statement(select(*_COLUMNS).where(ApiToken.token_hash == bindparam("token_hash")))


def _stored(token: str) -> tuple[_TokenRow | None, str]:
    """The row a token names and the secret's hash to compare with it; no row for a malformed token."""
    session = get_session()
    if (match := TOKEN.fullmatch(token)) is not None:
        token_id = int(match["id"])
        if token_id > MAX_ID:
            return None, ""
        found = _BY_ID.first(session, {"token_id": token_id})
        row = _TokenRow(*found) if found is not None else None
        # the role in the token is a label for people; it must still be the row's
        if row is not None and row.role != match["role"]:
            return None, ""
        return row, hash_token(match["secret"])
    if LEGACY_TOKEN.fullmatch(token) is not None:
        digest = hash_token(token)
        found = _BY_HASH.first(session, {"token_hash": digest})
        return (_TokenRow(*found) if found is not None else None), digest
    return None, ""


def _in_force(row: _TokenRow, now: dt.datetime) -> bool:
    if row.revoked_at is not None:
        return False
    expires_at = hot_sql.utc_datetime(row.expires_at)  # SQLite hands back the stored UTC time without its zone
    return expires_at is None or now < expires_at


def authenticate() -> bool:
    """Check the request's bearer token once per request; when valid, ``g`` holds its id, name and role."""
    if "authenticated" in g:
        return bool(g.authenticated)
    if "authentication_error" in g:
        # the database could not answer the first time: the same error again (a 503), not a second wait
        raise g.authentication_error
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    try:
        # set only once the check has answered: a database that cannot serve never makes the request look
        # unauthenticated (a 401)
        g.authenticated = scheme.lower() == "bearer" and bool(token) and _check(token)
    except (DBAPIError, PoolTimeout) as error:
        g.authentication_error = error
        raise
    return bool(g.authenticated)


def _check(token: str) -> bool:
    """Check a token against the database; when valid, ``g`` holds its id, name and role."""
    row, digest = _stored(token)
    # compare first, whatever the row says, so a revoked or expired row costs the same
    if row is not None and hmac.compare_digest(row.token_hash, digest) and _in_force(row, dt.datetime.now(dt.UTC)):
        g.token_id, g.role, g.token_name = row.id, row.role, row.name
        g.authenticated = True
        return True
    return False


def authenticate_token(token: str) -> str | None:
    """Authenticate a token given other than in the Authorization header (an HTML page's session); its role or None.

    When valid, ``g`` holds its id, name and role exactly as for a bearer token, so ``current_actor`` records who
    decided. Checked against the database on every call, like a bearer token.
    """
    token = token.strip()
    if not token or not _check(token):
        return None
    return str(g.role)


def current_role() -> str:
    """Authenticate the request's bearer token and return its role (401 if missing or invalid)."""
    if not authenticate():
        raise Unauthorized()
    return str(g.role)


def current_actor() -> dict[str, Any]:
    """Who is deciding: the authenticated token's id, name and role (stored with every decision)."""
    role = current_role()
    return {"token_id": g.token_id, "name": g.token_name, "role": role}


def requires_role(*roles: str) -> Callable[[F], F]:
    """Let only tokens of ``roles`` call the view; applied outermost so it runs before validation."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            role = current_role()
            if role not in roles:
                raise Forbidden(f"Role '{role}' may not call this endpoint; it needs {' or '.join(roles)}.")
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles  # type: ignore[attr-defined]
        # document the scheme, the roles and the 401/403 answers in the OpenAPI operation
        apidoc = dict(getattr(view, "_apidoc", {}))
        manual = dict(apidoc.get("manual_doc", {}))
        manual["security"] = [{"bearerAuth": []}]
        manual.setdefault("description", f"Roles: {', '.join(roles)}.")
        manual["responses"] = {
            "401": {"$ref": "#/components/responses/UNAUTHORIZED"},
            "403": {"$ref": "#/components/responses/FORBIDDEN"},
            **manual.get("responses", {}),
        }
        apidoc["manual_doc"] = manual
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view anyone may open without a token (a page's sign-in form, the API docs page, which hold no data),
    so the role checks of the test suite know it is meant to be open."""
    view.public = True  # type: ignore[attr-defined]
    return view
