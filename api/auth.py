"""Bearer tokens with one role each, and the per-view role check."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .db import get_session
from .errors import ApiError
from .models import ApiToken

ROLES = ("officer", "licensing", "auditor", "admin", "supervisor")
F = TypeVar("F", bound=Callable[..., Any])


class Unauthorized(ApiError):
    """No token, or a token that is unknown or revoked."""

    code = 401

    def __init__(self) -> None:
        super().__init__()
        self.extra = {}


class Forbidden(ApiError):
    """A valid token whose role may not call this endpoint."""

    code = 403


def hash_token(token: str) -> str:
    """SHA-256 of a token; tokens are 256-bit random, so an unsalted fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: str, name: str) -> str:
    """Store a new token for ``role`` and return the plain token (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = f"bpjs_{role}_{secrets.token_urlsafe(32)}"
    session.add(ApiToken(name=name, role=role, token_hash=hash_token(token)))
    return token


_TOKEN = select(ApiToken.id, ApiToken.role, ApiToken.name).where(ApiToken.token_hash == bindparam("token_hash"),
                                                                 ApiToken.revoked_at.is_(None))


def _lookup(token_hash: str) -> tuple[int, str, str] | None:
    # looked up on every request, not cached: a revoked token must stop working at once, in every worker
    row = get_session().connection().execute(_TOKEN, {"token_hash": token_hash}).first()
    return (row.id, row.role, row.name) if row is not None else None


def current_role() -> str:
    """Authenticate the request's bearer token and return its role (401 if missing or invalid)."""
    if "role" in g:
        return g.role
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    found = _lookup(hash_token(token.strip()))
    if found is None:
        raise Unauthorized()
    g.token_id, g.role, g.token_name = found
    return g.role


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
